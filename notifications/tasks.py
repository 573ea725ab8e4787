"""Celery tasks for notifications: take ids, re-fetch, call one service. Each is safe to run
twice: rows are unique by their dedupe key and a sweep claims a row once."""

import logging

from celery import shared_task

from . import analyzer, observability, services
from .sweep import sweep as sweep_service

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.plan_activated")
def plan_activated(plan_id):
    """Kickoff primer now, then the next days' reminders."""
    return services.plan_activated_deliver(plan_id=plan_id)


@shared_task(name="notifications.tasks.plan_deactivated")
def plan_deactivated(plan_id, new_status):
    return services.plan_deactivated_notify(plan_id=plan_id, new_status=new_status).cancelled


@shared_task(name="notifications.tasks.reschedule_plan")
def reschedule_plan(plan_id):
    """Recompute a plan's horizon (plan realigned, preferences changed)."""
    return services.plan_schedule_horizon(plan_id=plan_id).written


@shared_task(name="notifications.tasks.session_completed")
def session_completed(session_id):
    """Celebrate at once: schedule the celebration (and milestones) and send what is due."""
    return services.session_completed_deliver(session_id=session_id)


@shared_task(name="notifications.tasks.session_missed")
def session_missed(session_id):
    return services.session_missed_notify(session_id=session_id).written


@shared_task(name="notifications.tasks.session_skipped")
def session_skipped(session_id):
    return services.session_skipped_notify(session_id=session_id).cancelled


@shared_task(name="notifications.tasks.session_moved")
def session_moved(session_id):
    return services.session_reschedule(session_id=session_id).written


@shared_task(name="notifications.tasks.sweep")
def sweep():
    """Every 15 minutes: claim, render and send every due notification."""
    result = sweep_service()
    logger.info("notification sweep: %s", result.as_dict())
    return result.as_dict()


@shared_task(name="notifications.tasks.roll_horizon")
def roll_horizon():
    """Keep the next NOTIFICATIONS_HORIZON_DAYS days of every active plan scheduled."""
    return services.horizon_roll()


@shared_task(name="notifications.tasks.schedule_weekly_digests")
def schedule_weekly_digests():
    return services.weekly_digests_schedule()


@shared_task(name="notifications.tasks.analyze_cadence")
def analyze_cadence():
    """Nightly: recompute every active plan's behaviour profile."""
    return analyzer.profiles_recompute().profiles


@shared_task(name="notifications.tasks.check_send_volume")
def check_send_volume():
    """Hourly: sends per kind in the last hour against the trailing same-hour median."""
    return len(observability.send_volume_check())
