"""Celery tasks for curriculum: take ids, re-fetch, call one service."""

import logging

from celery import shared_task

from .services import curriculum_stats_rebuild

logger = logging.getLogger(__name__)


@shared_task(name="curriculum.tasks.rebuild_stats")
def rebuild_stats():
    """Safety net: recompute outcome statistics from history and log any drift corrected."""
    drift = curriculum_stats_rebuild()
    if drift:
        logger.warning("curriculum statistics drift corrected in %d row(s)", len(drift))
    return len(drift)
