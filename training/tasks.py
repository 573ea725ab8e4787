"""Celery tasks for training: take ids, re-fetch, call one service."""

from celery import shared_task

from . import services


@shared_task(name="training.tasks.mark_missed_sessions")
def mark_missed_sessions():
    """Mark missed the planned sessions whose local day has ended; returns how many."""
    return services.sessions_mark_missed()


@shared_task(name="training.tasks.check_missed_key_sessions")
def check_missed_key_sessions(plan_id: int):
    """Realign the plan if three of its key sessions within 14 days were not done (missed,
    skipped or cut to under half); safe to run twice (a realign resets the window)."""
    return services.sessions_check_missed_keys(plan_id=plan_id)
