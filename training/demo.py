"""Demo content: ``athlete`` gets a runner profile, eight weeks of runs and an active 12-week
half-marathon plan that started two weeks ago (its past sessions done or missed).

Idempotent: demo activities are keyed by a ``demo:`` fingerprint per day, the plan by its event name.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from config.timezones import aware_local, local_today

from . import services
from .models import Activity, PlanStatus, SessionStatus, TrainingPlan

DEMO_EVENT = "Demo City Half Marathon"
ZONE = "Europe/Berlin"
RUN_DAYS = (1, 3, 5, 6)  # tue, thu, sat, sun


def seed(*, stdout):
    athlete = get_user_model().objects.filter(username="athlete").first()
    if athlete is None:
        stdout.write("  no athlete user: skipped")
        return None
    services.runner_profile_update(
        user=athlete,
        experience_level="intermediate",
        recent_weekly_km=28,
        longest_recent_run_km=13,
        recent_race_distance_m=10000,
        recent_race_time_s=50 * 60 + 30,
        recent_race_date=timezone.now().date() - dt.timedelta(days=40),
        available_days=["tue", "thu", "sat", "sun"],
        long_run_day="sun",
        min_rest_days=2,
        injury_notes="",
        preferred_start_time=dt.time(7, 0),
        time_zone=ZONE,
    )
    zone = ZoneInfo(ZONE)
    today = local_today(zone)
    plan_start = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=2)
    rng = random.Random(9)
    added = 0
    day = plan_start - dt.timedelta(weeks=8)
    while day < plan_start:
        if day.weekday() in RUN_DAYS and rng.random() < 0.9:
            long = day.weekday() == 6
            km = round(rng.uniform(10, 13) if long else rng.uniform(5, 8), 1)
            pace = rng.randint(335, 365)
            added += _activity(athlete, day, km, pace, effort=rng.randint(3, 6))
        day += dt.timedelta(days=1)

    plan = TrainingPlan.objects.filter(user=athlete, target_event=DEMO_EVENT).first()
    if plan is None:
        plan = services.plan_generate(
            user=athlete,
            goal_type="half",
            duration_weeks=12,
            target_time_s=1 * 3600 + 55 * 60,
            target_event=DEMO_EVENT,
            today=plan_start,
        )
        TrainingPlan.objects.filter(user=athlete, status=PlanStatus.ACTIVE).exclude(pk=plan.pk).update(
            status=PlanStatus.PAUSED, updated_at=timezone.now()
        )
        plan = services.plan_activate(user=athlete, plan=plan)
        for session in plan.sessions.filter(date__lt=today).exclude(session_type="rest").order_by("date"):
            if rng.random() < 0.85 and session.target_distance_km:
                pace = (session.target_pace_s_per_km or 340) + rng.randint(-5, 10)
                _activity(athlete, session.date, session.target_distance_km, pace, effort=rng.randint(4, 8))
                activity = Activity.objects.get(user=athlete, fingerprint=f"demo:{session.date.isoformat()}")
                services.session_complete(user=athlete, session=session, activity=activity)
        services.sessions_mark_missed()
        plan.refresh_from_db()
    done = plan.sessions.filter(status=SessionStatus.COMPLETED).count()
    stdout.write(
        f"  athlete: runner profile, {Activity.objects.filter(user=athlete).count()} activities "
        f"({added} new), plan '{plan.name}' ({plan.status}, {done} sessions done)"
    )
    return None


def _activity(user, day, km, pace, *, effort) -> int:
    fingerprint = f"demo:{day.isoformat()}"
    if Activity.objects.filter(user=user, fingerprint=fingerprint).exists():
        return 0
    Activity.objects.create(
        user=user,
        kind="run",
        started_at=aware_local(day, dt.time(7, 0), ZoneInfo(ZONE)),
        duration_s=round(km * pace),
        distance_m=round(km * 1000),
        avg_heart_rate=135 + effort * 4,
        perceived_effort=effort,
        source="manual",
        time_zone=ZONE,
        fingerprint=fingerprint,
    )
    return 1
