"""Every periodic job of the platform, declared once.

``sync_periodic_tasks`` (run after ``migrate`` and by ``manage.py sync_periodic_tasks``) writes
these to django-celery-beat's tables. A schedule that already exists is left as the operators
set it in the admin's "Periodic tasks"; ``--reset`` puts the declared one back.

Each entry: name -> {"task": dotted task name, "schedule": crontab(...) or seconds,
"description": what it does, "kwargs": optional dict}.
"""

from celery.schedules import crontab

PERIODIC_TASKS = {
    "platform: heartbeat": {
        "task": "config.tasks.heartbeat",
        "schedule": crontab(minute="*/5"),
        "description": "Records that beat and a worker are alive (shown by /healthz).",
    },
    "platform: purge expired idempotency keys": {
        "task": "config.tasks.purge_idempotency_keys",
        "schedule": crontab(minute="7"),
        "description": "Deletes stored Idempotency-Key answers older than IDEMPOTENCY_KEY_TTL_H hours.",
    },
    "platform: re-publish pending tasks": {
        "task": "config.tasks.republish_pending_tasks",
        "schedule": 60,
        "description": "Sends again the tasks the broker refused when they were enqueued (kept in "
        "the pending task outbox, e.g. during a Redis outage); deletes each once sent.",
    },
    "content: apply scheduled publishing": {
        "task": "config.tasks.apply_publishing_schedule",
        "schedule": 60,
        "description": "Publishes the curricula, programs, courses, WODs and scenarios whose "
        "publish_at has come and withdraws those whose unpublish_at has, through their services "
        "(content versions move, a revision is recorded); safe to run twice.",
    },
    "platform: purge expired API tokens": {
        "task": "config.tasks.purge_expired_api_tokens",
        "schedule": crontab(minute="27"),
        "description": "Deletes API tokens past their expiry (they already no longer authenticate).",
    },
    # curriculum
    "curriculum: rebuild outcome statistics": {
        "task": "curriculum.tasks.rebuild_stats",
        "schedule": crontab(minute="40", hour="3", day_of_week="sun"),
        "description": "Recomputes every alternative's outcome statistics from the history and "
        "corrects drift (normally none: outcomes update them in the same transaction).",
    },
    # progress
    "progress: nightly roll-up drift check": {
        "task": "progress.tasks.recompute_all_progress",
        "schedule": crontab(minute="30", hour="3"),
        "description": "Recomputes every learner's roll-ups from block states; fixes and logs any drift.",
    },
    "progress: daily learning analytics": {
        "task": "progress.tasks.compute_learning_analytics",
        "schedule": crontab(minute=15, hour=0),
        "kwargs": {"period": "daily"},
        "description": "Yesterday's analytics row per learner and community (UTC days).",
    },
    "progress: weekly learning analytics": {
        "task": "progress.tasks.compute_learning_analytics",
        "schedule": crontab(minute=30, hour=0),
        "kwargs": {"period": "weekly"},
        "description": "The week (Monday-Sunday) containing yesterday: week to date, final on Mondays.",
    },
    "progress: monthly learning analytics": {
        "task": "progress.tasks.compute_learning_analytics",
        "schedule": crontab(minute=45, hour=0),
        "kwargs": {"period": "monthly"},
        "description": "The month containing yesterday: month to date, final on the 1st.",
    },
    # scenarios
    "scenarios: recount recently active metadata": {
        "task": "scenarios.tasks.reconcile_recent_metadata",
        "schedule": crontab(minute=17),
        "description": "Recounts saves, attempts, completions and ratings of scenarios active in "
        "the last SCENARIO_RECONCILE_RECENT_HOURS from user progress; logs and corrects drift.",
    },
    "scenarios: recount all metadata": {
        "task": "scenarios.tasks.reconcile_all_metadata",
        "schedule": crontab(minute=40, hour=3),
        "description": "Nightly recount of every scenario's metadata from user progress.",
    },
    # notifications
    "notifications: sweep due notifications": {
        "task": "notifications.tasks.sweep",
        "schedule": crontab(minute="*/15"),
        "description": "Claims due notifications (SKIP LOCKED, with a lease), renders them at send time, "
        "applies quiet hours, snooze, the daily budget and expiry, sends and records each.",
    },
    "notifications: roll the scheduling horizon": {
        "task": "notifications.tasks.roll_horizon",
        "schedule": crontab(minute="5"),
        "description": "Keeps the next NOTIFICATIONS_HORIZON_DAYS days of every active plan scheduled "
        "(evening briefs, morning hype, Sunday digests); rows for moved sessions follow them.",
    },
    "notifications: nightly cadence analyzer": {
        "task": "notifications.tasks.analyze_cadence",
        "schedule": crontab(minute="20", hour="2"),
        "description": "Recomputes every active plan's behaviour profile (prime window, confidence, "
        "habits, weekday patterns) from recent activities and completed sessions.",
    },
    "notifications: weekly digests": {
        "task": "notifications.tasks.schedule_weekly_digests",
        "schedule": crontab(minute="0", hour="12", day_of_week="sat"),
        "description": "Makes sure every active plan has its Sunday-evening digest row (local time "
        "NOTIFICATIONS_DIGEST_TIME); the horizon roll normally has it already.",
    },
    "notifications: send volume anomaly check": {
        "task": "notifications.tasks.check_send_volume",
        "schedule": crontab(minute="2"),
        "description": "Sends per kind in the last hour against the trailing same-hour median; more than "
        "NOTIFICATIONS_ANOMALY_RATIO times is logged as an error and listed in the admin.",
    },
    # training
    "training: mark missed sessions": {
        "task": "training.tasks.mark_missed_sessions",
        "schedule": crontab(minute=5),
        "description": "Marks missed every planned session of an active plan whose day has ended in "
        "its time zone; completes plans whose last day ended; three missed key sessions in 14 days "
        "realign a plan.",
    },
}


def _schedule_fields(schedule):
    """Return (field name, schedule row) for a crontab or an interval in seconds."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule

    if isinstance(schedule, crontab):
        row, _ = CrontabSchedule.objects.get_or_create(
            minute=schedule._orig_minute,
            hour=schedule._orig_hour,
            day_of_week=schedule._orig_day_of_week,
            day_of_month=schedule._orig_day_of_month,
            month_of_year=schedule._orig_month_of_year,
            timezone="UTC",
        )
        return "crontab", row
    row, _ = IntervalSchedule.objects.get_or_create(every=int(schedule), period=IntervalSchedule.SECONDS)
    return "interval", row


def sync_periodic_tasks(*, reset=False, stdout=None):
    """Create the declared periodic tasks that are missing; with ``reset``, restore them all.

    Returns the names created or reset.
    """
    import json

    from django.db import transaction
    from django_celery_beat.models import PeriodicTask

    changed = []
    with transaction.atomic():
        for name, spec in PERIODIC_TASKS.items():
            field, row = _schedule_fields(spec["schedule"])
            values = {
                "task": spec["task"],
                "crontab": None,
                "interval": None,
                field: row,
                "kwargs": json.dumps(spec.get("kwargs", {})),
                "description": spec.get("description", ""),
                "enabled": True,
            }
            existing = PeriodicTask.objects.filter(name=name).first()
            if existing is None:
                PeriodicTask.objects.create(name=name, **values)
                changed.append(name)
            elif reset:
                for key, value in values.items():
                    setattr(existing, key, value)
                existing.save()
                changed.append(name)
    if stdout is not None:
        for name in changed:
            stdout.write(f"periodic task {'reset' if reset else 'created'}: {name}")
    return changed
