"""Roll-up recomputes and achievement re-evaluation: take ids, re-fetch, call one service."""

from celery import shared_task


@shared_task(name="progress.tasks.recompute_community_progress")
def recompute_community_progress(community_id: int) -> int:
    """Recompute every roll-up of the community's learners from their block states."""
    from ..models import Community
    from ..services.recompute import progress_recompute

    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return 0
    return len(progress_recompute(community=community).drift)


@shared_task(name="progress.tasks.recompute_all_progress")
def recompute_all_progress() -> int:
    """Nightly safety net: recompute every learner's roll-ups and fix (and log) any drift."""
    import logging

    from ..services.recompute import progress_recompute

    result = progress_recompute()
    if result.drift:
        logging.getLogger(__name__).warning("progress roll-ups: %s drifted rows fixed", len(result.drift))
    return len(result.drift)


@shared_task(name="progress.tasks.reevaluate_achievements")
def reevaluate_achievements(achievement_ids: list[int]) -> int:
    """Evaluate the achievements for every member of their communities (so past progress
    counts); returns how many were newly earned. Running it twice earns nothing twice."""
    from ..models import Achievement
    from ..services.achievements import achievements_reevaluate

    return achievements_reevaluate(achievements=list(Achievement.objects.filter(pk__in=achievement_ids)))
