"""Celery tasks for progress: take ids, re-fetch, call one service."""

from celery import shared_task


@shared_task(name="progress.tasks.recompute_community_progress")
def recompute_community_progress(community_id: int) -> int:
    """Recompute every roll-up of the community's learners from their block states."""
    from .models import Community
    from .services.recompute import progress_recompute

    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return 0
    return len(progress_recompute(community=community).drift)


@shared_task(name="progress.tasks.compute_learning_analytics")
def compute_learning_analytics(period: str, day: str | None = None, community_id: int | None = None) -> int:
    """Compute the analytics rows of the ``period`` containing ``day`` (ISO date; default
    yesterday, UTC) for one community or all; returns the rows written."""
    from datetime import date

    from .models import Community
    from .services.analytics import learning_analytics_compute

    community = None
    if community_id is not None:
        community = Community.objects.filter(pk=community_id).first()
        if community is None:
            return 0
    result = learning_analytics_compute(
        period=period, day=date.fromisoformat(day) if day else None, community=community
    )
    return result.rows
