"""Celery tasks for training: take ids, re-fetch, call one service."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import services
from .services import archives


@shared_task(name="training.tasks.mark_missed_sessions")
def mark_missed_sessions():
    """Mark missed the planned sessions whose local day has ended; returns how many."""
    return services.sessions_mark_missed()


@shared_task(name="training.tasks.check_missed_key_sessions")
def check_missed_key_sessions(plan_id: int):
    """Realign the plan if three of its key sessions within 14 days were not done (missed,
    skipped or cut to under half); safe to run twice (a realign resets the window)."""
    return services.sessions_check_missed_keys(plan_id=plan_id)


@shared_task(
    name="training.tasks.import_activity_archive",
    soft_time_limit=settings.ACTIVITY_ARCHIVE_TIME_LIMIT_S,
    time_limit=settings.ACTIVITY_ARCHIVE_TIME_LIMIT_S + 60,
)
def import_activity_archive(archive_id):
    """Import an uploaded archive's activity files (safe to run twice: it resumes after the
    entries already done and leaves a finished archive alone). Past the soft time limit the
    archive is marked failed with what it imported so far; the hard limit a minute later kills a
    worker stuck inside one file."""
    try:
        archives.activity_archive_process(archive_id=archive_id)
    except SoftTimeLimitExceeded:
        archives.activity_archive_fail(
            archive_id=archive_id,
            reason=f"The import took longer than {settings.ACTIVITY_ARCHIVE_TIME_LIMIT_S} s and was stopped; "
            "the files imported so far are kept. Upload the archive again to import the rest.",
        )
