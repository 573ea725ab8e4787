"""Scheduling in the user's zone: daylight-saving days both ways in two zones, quiet hours across
midnight, the rolling horizon, and each (user, kind, local date) scheduled and sent exactly once."""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from notifications import services
from notifications.models import Device, Kind, Notification, Status
from notifications.sweep import sweep
from notifications.timing import in_quiet_hours, quiet_hours_end_after
from tests.notifications.factories import make_plan, make_prefs
from training.models import PlanStatus

UTC = dt.UTC
NO_QUIET = {"quiet_hours_start": dt.time(0, 0), "quiet_hours_end": dt.time(0, 0)}


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def run_days(plan, *, since, days, step_min=15):
    """Hourly horizon rolls and a sweep every ``step_min`` minutes, as beat would run them."""
    now = since
    end = since + dt.timedelta(days=days)
    while now < end:
        if now.minute == 0:
            services.plan_schedule_horizon(plan_id=plan.pk, now=now)
        sweep(now=now)
        now += dt.timedelta(minutes=step_min)


REPEATED = "repeated_hour_first"
DST_CASES = [
    # zone, DST day, session start, hype lead, intended local hype, expected UTC send, handling
    # Spring forward: 02:30 does not exist; the first valid minute after the gap is 03:00.
    ("Europe/Berlin", dt.date(2026, 3, 29), dt.time(3, 30), 60, utc(2026, 3, 29, 1, 0), "gap_moved_forward"),
    ("America/New_York", dt.date(2026, 3, 8), dt.time(3, 30), 60, utc(2026, 3, 8, 7, 0), "gap_moved_forward"),
    # Fall back: 02:30 (Berlin) / 01:30 (New York) happen twice; the first one is used.
    (
        "Europe/Berlin",
        dt.date(2026, 10, 25),
        dt.time(3, 30),
        60,
        utc(2026, 10, 25, 0, 30),
        "repeated_hour_first",
    ),
    (
        "America/New_York",
        dt.date(2026, 11, 1),
        dt.time(2, 30),
        60,
        utc(2026, 11, 1, 5, 30),
        "repeated_hour_first",
    ),
]


@pytest.mark.parametrize(("zone", "day", "start", "lead", "expected", "handling"), DST_CASES)
@pytest.mark.django_db
def test_dst_day_hype_is_scheduled_and_sent_once_at_the_intended_local_time(
    zone, day, start, lead, expected, handling, outbox
):
    plan = make_plan(start=day - dt.timedelta(days=3), zone=zone, days=range(7), start_time=start)
    make_prefs(plan.user, time_zone=zone, morning_hype_lead_min=lead, **NO_QUIET)
    Device.objects.create(user=plan.user, platform="fcm", token="tok-" + zone)

    run_days(plan, since=utc(day.year, day.month, day.day) - dt.timedelta(days=1), days=2)

    hype = Notification.objects.get(user=plan.user, kind=Kind.MORNING_HYPE, local_date=day)
    assert hype.send_at == expected
    assert hype.decision["dst"] == handling
    assert hype.status == Status.SENT
    assert expected <= hype.sent_at < expected + dt.timedelta(minutes=15)
    # Exactly once per (user, kind, local date), and each sent row reached the device once.
    keys = Counter(Notification.objects.filter(user=plan.user).values_list("kind", "local_date"))
    assert max(keys.values()) == 1
    per_row = Counter(m.notification_id for m in outbox)
    assert per_row[hype.pk] == 1 and max(per_row.values()) == 1


@pytest.mark.parametrize(
    ("zone", "day", "brief_time", "expected"),
    [
        ("Europe/Berlin", dt.date(2026, 3, 29), dt.time(2, 15), utc(2026, 3, 29, 1, 0)),
        ("Europe/Berlin", dt.date(2026, 10, 25), dt.time(2, 15), utc(2026, 10, 25, 0, 15)),
        ("America/New_York", dt.date(2026, 3, 8), dt.time(2, 15), utc(2026, 3, 8, 7, 0)),
        ("America/New_York", dt.date(2026, 11, 1), dt.time(1, 15), utc(2026, 11, 1, 5, 15)),
    ],
)
@pytest.mark.django_db
def test_dst_day_evening_brief_at_a_wall_time_in_the_changed_hour_fires_once(zone, day, brief_time, expected):
    # A brief set at night in the changed hour (a night-shift runner): one row on that local date.
    plan = make_plan(start=day - dt.timedelta(days=3), zone=zone, days=range(7), start_time=dt.time(18, 0))
    make_prefs(plan.user, time_zone=zone, evening_brief_time=brief_time, **NO_QUIET)
    run_days(plan, since=utc(day.year, day.month, day.day) - dt.timedelta(days=1), days=2, step_min=30)
    brief = Notification.objects.get(user=plan.user, kind=Kind.EVENING_BRIEF, local_date=day)
    assert brief.send_at == expected
    assert brief.status == Status.SENT
    assert Notification.objects.filter(user=plan.user, kind=Kind.EVENING_BRIEF, local_date=day).count() == 1


def test_quiet_hours_across_midnight():
    start, end = dt.time(22, 0), dt.time(7, 0)
    assert in_quiet_hours(dt.time(23, 59), start, end)
    assert in_quiet_hours(dt.time(0, 0), start, end)
    assert in_quiet_hours(dt.time(6, 59), start, end)
    assert not in_quiet_hours(dt.time(7, 0), start, end)
    assert not in_quiet_hours(dt.time(21, 59), start, end)
    assert in_quiet_hours(dt.time(13, 0), dt.time(12, 0), dt.time(14, 0))
    assert not in_quiet_hours(dt.time(3, 0), dt.time(0, 0), dt.time(0, 0))
    berlin = ZoneInfo("Europe/Berlin")
    # 23:30 local on a Saturday: quiet hours end at 07:00 on Sunday.
    assert quiet_hours_end_after(utc(2026, 6, 13, 21, 30), berlin, start, end) == utc(2026, 6, 14, 5, 0)
    # 01:00 local: they end at 07:00 the same day.
    assert quiet_hours_end_after(utc(2026, 6, 13, 23, 0), berlin, start, end) == utc(2026, 6, 14, 5, 0)
    assert quiet_hours_end_after(utc(2026, 6, 14, 10, 0), berlin, start, end) is None


@pytest.mark.django_db
def test_hype_in_quiet_hours_moves_to_their_end_and_says_so():
    plan = make_plan(start=dt.date(2026, 6, 1), zone="Europe/Berlin", days=range(7), start_time=dt.time(8, 0))
    make_prefs(plan.user, time_zone="Europe/Berlin", morning_hype_lead_min=90)
    services.plan_schedule_horizon(plan_id=plan.pk, now=utc(2026, 6, 1, 0, 0))
    hype = Notification.objects.get(user=plan.user, kind=Kind.MORNING_HYPE, local_date=dt.date(2026, 6, 2))
    assert hype.send_at == utc(2026, 6, 2, 5, 0)  # 07:00 CEST, not 06:30
    assert hype.decision["quiet_hours_shift"] is True
    assert hype.decision["intended_local"] == "2026-06-02T06:30"


@pytest.mark.django_db
def test_hype_pushed_past_the_session_start_by_quiet_hours_is_kept_as_suppressed():
    plan = make_plan(start=dt.date(2026, 6, 1), zone="Europe/Berlin", days=range(7), start_time=dt.time(5, 0))
    make_prefs(plan.user, time_zone="Europe/Berlin")
    services.plan_schedule_horizon(plan_id=plan.pk, now=utc(2026, 6, 1, 0, 0))
    hype = Notification.objects.get(user=plan.user, kind=Kind.MORNING_HYPE, local_date=dt.date(2026, 6, 3))
    assert hype.status == Status.SUPPRESSED
    brief = Notification.objects.get(user=plan.user, kind=Kind.EVENING_BRIEF, local_date=dt.date(2026, 6, 2))
    # Early trainer (05:00): the brief comes at 19:30, not the preferred 20:00.
    assert brief.send_at.astimezone(plan.zone).time() == dt.time(19, 30)


@pytest.mark.django_db
def test_sweep_defers_a_row_that_falls_into_quiet_hours_after_a_preference_change():
    plan = make_plan(start=dt.date(2026, 6, 1), zone="UTC", days=range(7), start_time=dt.time(12, 0))
    prefs = make_prefs(plan.user, time_zone="UTC", **NO_QUIET)
    services.plan_schedule_horizon(plan_id=plan.pk, now=utc(2026, 6, 1, 0, 0))
    prefs.quiet_hours_start, prefs.quiet_hours_end = dt.time(19, 0), dt.time(9, 0)
    prefs.save()
    brief = Notification.objects.get(user=plan.user, kind=Kind.EVENING_BRIEF, local_date=dt.date(2026, 6, 2))
    result = sweep(now=brief.send_at)
    brief.refresh_from_db()
    assert result.deferred >= 1
    assert brief.status == Status.SCHEDULED
    assert brief.send_at == utc(2026, 6, 3, 9, 0)
    assert brief.attempts == 0
    assert brief.decision["events"][-1]["what"] == "deferred"


@pytest.mark.django_db
def test_horizon_covers_seven_days_and_rolling_it_again_adds_nothing_twice():
    plan = make_plan(start=dt.date(2026, 6, 1), zone="UTC", weeks=4, days=range(7), start_time=dt.time(12, 0))
    make_prefs(plan.user, time_zone="UTC", **NO_QUIET)
    now = utc(2026, 6, 1, 0, 0)
    services.plan_schedule_horizon(plan_id=plan.pk, now=now)
    first = set(Notification.objects.values_list("dedupe_key", flat=True))
    assert max(Notification.objects.values_list("local_date", flat=True)) == dt.date(2026, 6, 8)
    services.plan_schedule_horizon(plan_id=plan.pk, now=now)
    assert set(Notification.objects.values_list("dedupe_key", flat=True)) == first
    services.horizon_roll(now=now + dt.timedelta(days=1))
    assert max(Notification.objects.values_list("local_date", flat=True)) == dt.date(2026, 6, 9)
    hype_keys = Counter(
        Notification.objects.filter(kind=Kind.MORNING_HYPE).values_list("local_date", flat=True)
    )
    assert set(hype_keys.values()) == {1}
    digests = Notification.objects.filter(kind=Kind.WEEKLY_DIGEST)
    assert [d.local_date for d in digests] == [dt.date(2026, 6, 7)]


@pytest.mark.django_db
def test_pausing_cancels_pending_rows_and_moving_a_session_reschedules_it():
    plan = make_plan(start=dt.date(2026, 6, 1), zone="UTC", days=range(7), start_time=dt.time(12, 0))
    make_prefs(plan.user, time_zone="UTC", **NO_QUIET)
    now = utc(2026, 6, 1, 0, 0)
    services.plan_schedule_horizon(plan_id=plan.pk, now=now)
    session = plan.sessions.get(date=dt.date(2026, 6, 3))
    session.date, session.start_time_local = dt.date(2026, 6, 4), dt.time(15, 0)
    session.save()
    services.session_reschedule(session_id=session.pk, now=now)
    rows = Notification.objects.filter(session=session)
    live = {r.kind: r for r in rows if r.status == Status.SCHEDULED}
    assert live[Kind.MORNING_HYPE].send_at == utc(2026, 6, 4, 14, 0)
    assert {r.status for r in rows if r.dedupe_key.endswith("2026-06-03")} == {Status.CANCELLED}

    plan.status = PlanStatus.PAUSED
    plan.save()
    services.plan_deactivated_notify(plan_id=plan.pk, new_status="paused", now=now)
    assert not Notification.objects.filter(plan=plan, status=Status.SCHEDULED).exists()
    # Resuming brings the same rows back (revived by their keys, not duplicated).
    plan.status = PlanStatus.ACTIVE
    plan.save()
    services.plan_schedule_horizon(plan_id=plan.pk, now=now)
    assert Notification.objects.filter(plan=plan, status=Status.SCHEDULED).count() > 0
    assert max(Counter(Notification.objects.values_list("dedupe_key", flat=True)).values()) == 1
