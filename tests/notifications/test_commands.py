"""preview_notifications (writes nothing, any date of the plan), sweep_notifications,
analyze_cadence (and the analyzer service behind it)."""

import datetime as dt
import random
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from config.timezones import aware_local
from notifications.analyzer import profiles_recompute
from notifications.models import BehaviorProfile, Kind, Notification
from tests.notifications.factories import make_plan, make_prefs
from training.models import Activity, SessionStatus

UTC = dt.UTC


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_preview_any_day_of_the_plan_prints_lines_and_writes_nothing():
    plan = make_plan(
        start=dt.date(2026, 9, 1), weeks=12, zone="Europe/Berlin", days=range(7), start_time=dt.time(6, 30)
    )
    make_prefs(plan.user, time_zone="Europe/Berlin")
    out = run("preview_notifications", "--user", plan.user.username, "--date", "2026-10-25")
    assert Notification.objects.count() == 0
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    kinds = [line.split()[0] for line in lines]
    assert kinds == ["morning_hype", "weekly_digest", "evening_brief"]
    assert "07:00 CET" in lines[0] and "06:00 UTC" in lines[0]  # quiet hours end; the clocks went back
    assert "18:00 CET" in lines[1]


@pytest.mark.django_db
def test_preview_refuses_bad_input():
    plan = make_plan(start=dt.date(2026, 9, 1))
    with pytest.raises(CommandError, match="No user"):
        run("preview_notifications", "--user", "nobody")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("preview_notifications", "--user", plan.user.username, "--date", "25/10/2026")
    with pytest.raises(CommandError, match="outside the plan"):
        run("preview_notifications", "--user", plan.user.username, "--date", "2030-01-01")


@pytest.mark.django_db
def test_sweep_command_sends_what_is_due_and_prints_counts(outbox):
    plan = make_plan(start=timezone.localdate())
    Notification.objects.create(
        user=plan.user,
        kind=Kind.MILESTONE,
        plan=plan,
        dedupe_key="m",
        send_at=timezone.now() - dt.timedelta(minutes=1),
        local_date=timezone.localdate(),
    )
    make_prefs(plan.user, quiet_hours_start=dt.time(0, 0), quiet_hours_end=dt.time(0, 0))
    out = run("sweep_notifications")
    assert "claimed 1, sent 1" in out and "sent milestone: 1" in out


@pytest.mark.django_db
def test_analyze_cadence_writes_profiles_from_activities_in_local_time():
    plan = make_plan(start=timezone.localdate() - dt.timedelta(days=30), zone="America/New_York", weeks=8)
    rng = random.Random(7)
    now = timezone.now()
    # 05:15 New York wall-clock time on 30 days, across any daylight-saving change.
    for days_ago in range(1, 31):
        day = (now - dt.timedelta(days=days_ago)).date()

        started = aware_local(day, dt.time(5, 15 + rng.randint(-5, 5)), ZoneInfo("America/New_York"))
        Activity.objects.create(
            user=plan.user, started_at=started, duration_s=1800, distance_m=5000, time_zone="America/New_York"
        )
    other = make_plan(start=timezone.localdate())  # a new plan: no history
    out = run("analyze_cadence")
    assert "2 profile(s) recomputed; 1 use the plan's default time" in out
    profile = BehaviorProfile.objects.get(plan=plan)
    assert abs(profile.circular_mean_min - 315) < 5
    assert profile.confidence > 0.8 and not profile.used_fallback and profile.sample_count == 30
    assert BehaviorProfile.objects.get(plan=other).used_fallback is True
    run("analyze_cadence", "--user", plan.user.username)  # again: updated in place
    assert BehaviorProfile.objects.count() == 2
    with pytest.raises(CommandError):
        run("analyze_cadence", "--user", "nobody")


@pytest.mark.django_db
def test_completed_sessions_without_activity_count_as_samples():
    plan = make_plan(start=dt.date(2026, 5, 1), weeks=4, zone="UTC", days=range(7))
    for s in plan.sessions.all()[:10]:
        s.status = SessionStatus.COMPLETED
        s.completed_at = dt.datetime.combine(s.date, dt.time(18, 0), tzinfo=UTC)
        s.save()
    profiles_recompute(now=dt.datetime(2026, 6, 1, tzinfo=UTC))
    profile = BehaviorProfile.objects.get(plan=plan)
    assert profile.sample_count == 10 and abs(profile.circular_mean_min - 1080) < 1
