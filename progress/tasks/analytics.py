"""Periodic learning analytics (declared in config/schedules.py under ``# progress``)."""

from datetime import date

from celery import shared_task

from ..models import Community
from ..services.analytics import learning_analytics_compute


@shared_task(name="progress.tasks.compute_learning_analytics")
def compute_learning_analytics(period: str, day: str | None = None, community_id: int | None = None) -> int:
    """Compute the analytics rows of the ``period`` containing ``day`` (ISO date; default
    yesterday, UTC) for one community or all; returns the rows written."""
    community = None
    if community_id is not None:
        community = Community.objects.filter(pk=community_id).first()
        if community is None:
            return 0
    result = learning_analytics_compute(
        period=period, day=date.fromisoformat(day) if day else None, community=community
    )
    return result.rows
