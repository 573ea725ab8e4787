"""Celery tasks for progress: take ids, re-fetch, call one service.

``progress`` recomputes roll-ups and re-evaluates achievements; ``analytics`` computes the
periodic learning analytics (declared in config/schedules.py).
"""

from .analytics import compute_learning_analytics
from .progress import recompute_all_progress, recompute_community_progress, reevaluate_achievements

__all__ = [
    "compute_learning_analytics",
    "recompute_all_progress",
    "recompute_community_progress",
    "reevaluate_achievements",
]
