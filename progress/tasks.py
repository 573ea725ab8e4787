"""Celery tasks for progress: take ids, re-fetch, call one service."""

from celery import shared_task

from .tasks_analytics import compute_learning_analytics  # noqa: F401  (periodic analytics)


@shared_task(name="progress.tasks.recompute_community_progress")
def recompute_community_progress(community_id: int) -> int:
    """Recompute every roll-up of the community's learners from their block states."""
    from .models import Community
    from .services.recompute import progress_recompute

    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return 0
    return len(progress_recompute(community=community).drift)
