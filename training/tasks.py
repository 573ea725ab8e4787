"""Celery tasks for training: take ids, re-fetch, call one service."""

from celery import shared_task

from . import services


@shared_task(name="training.tasks.mark_missed_sessions")
def mark_missed_sessions():
    """Mark missed the planned sessions whose local day has ended; returns how many."""
    return services.sessions_mark_missed()
