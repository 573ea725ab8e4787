"""Demo content: ``athlete`` gets notification preferences (Europe/Berlin), a demo device, a
behaviour profile from the runs training's demo recorded, and the scheduled rows of the active
plan (when training's demo made one). Idempotent: rows are unique by their dedupe keys."""

import datetime as dt
import importlib

from django.contrib.auth import get_user_model

from training.models import PlanStatus, TrainingPlan

from . import analyzer, services
from .models import Device, Notification, NotificationPreferences, NotificationTemplate, Status


def ensure_default_copy() -> int:
    """Put back any default copy (kind x tone) that is missing, e.g. after a database flush;
    designers' edits are kept. Returns how many templates were created."""
    copy = importlib.import_module("notifications.migrations.0002_default_copy").COPY
    created = 0
    for (kind, tone), (title, body) in copy.items():
        _, made = NotificationTemplate.objects.get_or_create(
            kind=kind, tone=tone, defaults={"title": title, "body": body}
        )
        created += made
    return created


def seed(*, stdout):
    ensure_default_copy()
    athlete = get_user_model().objects.filter(username="athlete").first()
    if athlete is None:
        stdout.write("  no athlete user: skipped")
        return None
    NotificationPreferences.objects.update_or_create(
        user=athlete,
        defaults={
            "time_zone": "Europe/Berlin",
            "quiet_hours_start": dt.time(22, 0),
            "quiet_hours_end": dt.time(6, 0),
            "evening_brief_time": dt.time(20, 0),
            "morning_hype_lead_min": 60,
            "tone": "supportive_friend",
            "daily_budget": 4,
            "weather_location": "Berlin,DE",
        },
    )
    Device.objects.get_or_create(token="demo-athlete-device", defaults={"user": athlete, "platform": "fcm"})
    plan = TrainingPlan.objects.filter(user=athlete, status=PlanStatus.ACTIVE).first()
    if plan is None:
        stdout.write("  athlete: preferences (Europe/Berlin); no active plan, so nothing scheduled")
        return None
    analyzer.profiles_recompute(user=athlete)
    services.plan_activated_notify(plan_id=plan.pk)
    scheduled = Notification.objects.filter(plan=plan, status=Status.SCHEDULED).count()
    stdout.write(
        f"  athlete: preferences (Europe/Berlin), behaviour profile, {scheduled} notifications scheduled "
        "(see GET /api/v1/notifications/scheduled/ or manage.py preview_notifications --user athlete)"
    )
    return None
