"""Training's own services drive notifications through their events (after commit)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.models import Kind, Notification, Status
from tests.notifications.factories import make_plan, make_prefs
from training import services as training
from training.models import PlanStatus


@pytest.mark.django_db
def test_activate_complete_pause_through_training_services(django_capture_on_commit_callbacks, outbox):
    today = timezone.localdate()
    plan = make_plan(
        start=today, zone="UTC", days=range(7), status=PlanStatus.DRAFT, start_time=dt.time(23, 0)
    )
    user = plan.user
    make_prefs(user, time_zone="UTC", quiet_hours_start=dt.time(0, 0), quiet_hours_end=dt.time(0, 0))

    with django_capture_on_commit_callbacks(execute=True):
        training.plan_activate(user=user, plan=plan)
    assert Notification.objects.get(kind=Kind.KICKOFF_PRIMER).status == Status.SENT
    assert Notification.objects.filter(plan=plan, status=Status.SCHEDULED).count() >= 10

    session = plan.sessions.order_by("date").first()
    with django_capture_on_commit_callbacks(execute=True):
        started = timezone.now() - dt.timedelta(hours=1)  # the session's own start may be later today
        actuals = {"duration_s": 1800, "distance_m": 6000, "started_at": started}
        training.session_complete(user=user, session=session, actuals=actuals)
    assert Notification.objects.get(kind=Kind.COMPLETION_CELEBRATION, session=session).status == Status.SENT
    assert not Notification.objects.filter(session=session, status=Status.SCHEDULED).exists()

    plan.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        training.plan_pause(user=user, plan=plan)
    assert not Notification.objects.filter(plan=plan, status=Status.SCHEDULED).exists()
    assert Notification.objects.filter(plan=plan, status=Status.CANCELLED, outcome="plan paused").exists()


@pytest.mark.django_db
def test_missed_detector_leads_to_one_follow_up_per_missed_session(django_capture_on_commit_callbacks):
    berlin = ZoneInfo("Europe/Berlin")
    today = timezone.now().astimezone(berlin).date()
    plan = make_plan(start=today - dt.timedelta(days=2), zone="Europe/Berlin", days=range(7))
    make_prefs(plan.user, time_zone="Europe/Berlin")
    with django_capture_on_commit_callbacks(execute=True):
        marked = training.sessions_mark_missed()
    assert marked == 2  # the two days before today ended undone in Berlin
    follow_ups = list(Notification.objects.filter(kind=Kind.MISSED_FOLLOW_UP).order_by("session__date"))
    assert [f.session.date for f in follow_ups] == [
        today - dt.timedelta(days=2),
        today - dt.timedelta(days=1),
    ]
    for follow_up in follow_ups:
        local = follow_up.send_at.astimezone(berlin)
        assert follow_up.status == Status.SCHEDULED
        assert dt.time(7, 0) <= local.time() < dt.time(22, 0)  # never in quiet hours
    with django_capture_on_commit_callbacks(execute=True):
        assert training.sessions_mark_missed() == 0
    assert Notification.objects.filter(kind=Kind.MISSED_FOLLOW_UP).count() == 2
