"""Roll-up recomputes and achievement re-evaluation: take ids, re-fetch, call one service."""

import logging

from celery import shared_task

from ..models import Achievement, Community
from ..services.achievements import achievements_reevaluate
from ..services.recompute import progress_recompute

logger = logging.getLogger(__name__)


@shared_task(name="progress.tasks.recompute_community_progress")
def recompute_community_progress(community_id: int) -> int:
    """Recompute every roll-up of the community's learners from their block states."""
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return 0
    return len(progress_recompute(community=community).drift)


@shared_task(name="progress.tasks.recompute_all_progress")
def recompute_all_progress() -> int:
    """Nightly safety net: recompute every learner's roll-ups and fix (and log) any drift."""
    result = progress_recompute()
    if result.drift:
        logger.warning("progress roll-ups: %s drifted rows fixed", len(result.drift))
    return len(result.drift)


@shared_task(name="progress.tasks.reevaluate_achievements")
def reevaluate_achievements(achievement_ids: list[int]) -> int:
    """Evaluate the achievements for every member of their communities (so past progress
    counts); returns how many were newly earned. Running it twice earns nothing twice."""
    return achievements_reevaluate(achievements=list(Achievement.objects.filter(pk__in=achievement_ids)))
