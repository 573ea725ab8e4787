"""Plan lifecycle, realign, sessions and the missed-session sweep."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from config import outbox
from config.errors import Conflict, Invalid, NotFound
from training import events, services
from training.models import Activity, PlannedSession, PlanStatus, SessionStatus, TrainingPlan

from .conftest import utc
from .factories import RunnerProfileFactory

pytestmark = pytest.mark.django_db


class Received:
    """What a service told other apps through ``event``: the arguments of each task enqueued for
    it, by name, as the outbox sends them after commit."""

    def __init__(self, event):
        self.calls = []
        self.event = event

    def _send(self, task, args, kwargs):
        if task.name in events.subscribers(self.event):
            self.calls.append(dict(zip(events.EVENTS[self.event], args, strict=True)))
        return self._real_send(task, args, kwargs)

    def __enter__(self):
        self._real_send = outbox._send
        self._patch = mock.patch.object(outbox, "_send", side_effect=self._send)
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()


def test_plan_generate_saves_a_draft_with_sessions_in_the_runner_zone(plan):
    assert plan.status == PlanStatus.DRAFT
    assert plan.time_zone == "Europe/Berlin"
    assert plan.duration_weeks == 12
    assert plan.start_date.weekday() == 0
    sessions = list(plan.sessions.all())
    assert sessions and {s.time_zone for s in sessions} == {"Europe/Berlin"}
    assert {s.user_id for s in sessions} == {plan.user_id}
    assert len({s.week_number for s in sessions}) == 12


def test_plan_generate_rejects_a_past_target_date(runner):
    with pytest.raises(Invalid) as raised:
        services.plan_generate(user=runner, goal_type="half", target_date=dt.date(2020, 1, 1))
    assert "target_date" in raised.value.message_dict


def test_plan_generate_rejects_sixty_weeks(runner):
    with pytest.raises(Invalid) as raised:
        services.plan_generate(user=runner, goal_type="half", duration_weeks=60)
    assert "duration_weeks" in raised.value.message_dict


def test_a_second_active_plan_is_a_conflict(runner, active_plan):
    other = services.plan_generate(user=runner, goal_type="10k", duration_weeks=8)
    with pytest.raises(Conflict) as raised:
        services.plan_activate(user=runner, plan=other)
    assert raised.value.code == "active_plan_exists"


def test_transitions_send_their_signals_after_commit(runner, plan, django_capture_on_commit_callbacks):
    with Received("plan_activated") as activated, Received("plan_deactivated") as deactivated:
        with django_capture_on_commit_callbacks(execute=True):
            services.plan_activate(user=runner, plan=plan)
            assert activated.calls == []  # not before commit
        assert [c["plan_id"] for c in activated.calls] == [plan.pk]
        with django_capture_on_commit_callbacks(execute=True):
            services.plan_pause(user=runner, plan=plan)
            services.plan_activate(user=runner, plan=plan)
            services.plan_abandon(user=runner, plan=plan)
    assert [c["new_status"] for c in deactivated.calls] == ["paused", "abandoned"]
    with pytest.raises(Conflict):
        services.plan_activate(user=runner, plan=plan)


def test_another_users_plan_is_not_found(runner, plan, other_user):
    with pytest.raises(NotFound):
        services.plan_activate(user=other_user, plan=plan)


def first_run(plan):
    return plan.sessions.exclude(session_type="rest").order_by("date").first()


def test_session_complete_with_actuals_records_an_activity(
    runner, active_plan, django_capture_on_commit_callbacks
):
    session = first_run(active_plan)
    with Received("session_completed") as completed, django_capture_on_commit_callbacks(execute=True):
        services.session_complete(
            user=runner,
            session=session,
            actuals={"duration_s": 1800, "distance_m": 5000, "started_at": timezone.now()},
        )
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED and session.activity is not None
    assert completed.calls[0]["session_id"] == session.pk
    with pytest.raises(Conflict):
        services.session_complete(user=runner, session=session, actuals={"duration_s": 1, "distance_m": 1})


def test_session_complete_refuses_another_users_activity(runner, active_plan, other_user):
    activity = Activity.objects.create(
        user=other_user, started_at=timezone.now(), duration_s=1000, distance_m=3000
    )
    with pytest.raises(Invalid):
        services.session_complete(user=runner, session=first_run(active_plan), activity=activity)


def test_session_skip_and_move(runner, active_plan, django_capture_on_commit_callbacks):
    session = first_run(active_plan)
    week_end = active_plan.start_date + dt.timedelta(weeks=session.week_number - 1, days=6)
    rest_day = (
        active_plan.sessions.filter(
            week_number=session.week_number, session_type="rest", date__gt=session.date
        )
        .order_by("-date")
        .first()
        .date
    )
    with Received("session_moved") as moved, django_capture_on_commit_callbacks(execute=True):
        services.session_move(user=runner, session=session, date=rest_day, start_time_local=dt.time(7, 0))
    session.refresh_from_db()
    assert session.date == rest_day and session.start_time_local == dt.time(7, 0)
    assert [c["session_id"] for c in moved.calls] == [session.pk]
    with pytest.raises(Invalid) as raised:
        services.session_move(user=runner, session=session, date=week_end + dt.timedelta(days=1))
    assert "date" in raised.value.message_dict
    with Received("session_skipped") as skipped, django_capture_on_commit_callbacks(execute=True):
        services.session_skip(user=runner, session=session)
    assert skipped.calls and PlannedSession.objects.get(pk=session.pk).status == SessionStatus.SKIPPED


def test_sessions_mark_missed_after_the_local_day_ends_and_twice_is_harmless(
    runner, active_plan, django_capture_on_commit_callbacks
):
    session = first_run(active_plan)
    # Berlin: the day ends at 23:00 UTC (winter) or 22:00 UTC (summer) of the session's date.
    end = session.day_ends_at()
    assert services.sessions_mark_missed(now=end - dt.timedelta(seconds=1)) == 0
    with Received("session_missed") as missed, django_capture_on_commit_callbacks(execute=True):
        assert services.sessions_mark_missed(now=end) >= 1
        assert services.sessions_mark_missed(now=end) == 0
    session.refresh_from_db()
    assert session.status == SessionStatus.MISSED
    assert [c["session_id"] for c in missed.calls].count(session.pk) == 1


def test_paused_plans_are_not_swept(runner, active_plan):
    services.plan_pause(user=runner, plan=active_plan)
    session = first_run(active_plan)
    assert services.sessions_mark_missed(now=session.day_ends_at() + dt.timedelta(days=1)) == 0


def test_three_missed_key_sessions_realign_the_plan(runner, active_plan, django_capture_on_commit_callbacks):
    keys = list(active_plan.sessions.filter(is_key_session=True).order_by("date")[:3])
    now = keys[-1].day_ends_at() + dt.timedelta(hours=1)
    if (keys[-1].date - keys[0].date).days > 14:
        pytest.skip("key sessions too far apart in this plan")
    with Received("plan_realigned") as realigned, django_capture_on_commit_callbacks(execute=True):
        services.sessions_mark_missed(now=now)
    active_plan.refresh_from_db()
    assert realigned.calls and active_plan.realigned_at is not None
    assert active_plan.decisions[-1]["category"] == "realign"


def test_realign_after_illness_keeps_history_and_lowers_the_load(
    runner, active_plan, django_capture_on_commit_callbacks
):
    today = active_plan.start_date + dt.timedelta(weeks=3, days=2)
    done = first_run(active_plan)
    services.session_complete(
        user=runner,
        session=done,
        actuals={"duration_s": 1800, "distance_m": 5000, "started_at": timezone.now()},
    )
    before = {w["week_number"]: w["volume_km"] for w in active_plan.weekly_plan}
    with Received("plan_realigned") as realigned, django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_realign(user=runner, plan=active_plan, reason="illness", today=today)
    assert realigned.calls
    weeks = {w["week_number"]: w for w in plan.weekly_plan}
    assert sorted(weeks) == list(range(1, 13))
    assert [weeks[n]["volume_km"] for n in (1, 2, 3)] == [before[n] for n in (1, 2, 3)]
    assert weeks[4]["volume_km"] <= before[4]
    assert PlannedSession.objects.get(pk=done.pk).status == SessionStatus.COMPLETED
    assert plan.sessions.filter(date__gte=today).exists()
    assert plan.decisions[-1]["category"] == "realign"
    assert not plan.sessions.filter(date__lt=today, week_number__gte=5).exists()


def test_session_start_at_handles_dst_gap_and_overlap(runner, plan):
    session = PlannedSession(
        plan=plan,
        user=runner,
        date=dt.date(2027, 3, 28),
        week_number=1,
        session_type="easy",
        title="x",
        time_zone="Europe/Berlin",
        start_time_local=dt.time(2, 30),
    )
    assert session.start_at() == utc(2027, 3, 28, 1, 0)  # 03:00 CEST, first minute after the gap
    session.date, session.start_time_local = dt.date(2027, 10, 31), dt.time(2, 30)
    assert session.start_at() == utc(2027, 10, 31, 0, 30)  # first 02:30 (CEST, fold=0)
    session.start_time_local = None
    assert session.start_at() is None


def test_runner_profile_update_validates(user):
    with pytest.raises(Exception) as raised:
        services.runner_profile_update(user=user, time_zone="Mars/Olympus", available_days=["mon"])
    assert "time_zone" in raised.value.message_dict
    profile = services.runner_profile_update(
        user=user, available_days=["sun", "tue", "thu"], long_run_day="sun", time_zone="America/New_York"
    )
    assert profile.available_days == ["tue", "thu", "sun"]


def test_activity_record_completes_the_session_of_its_local_day(user):
    RunnerProfileFactory(user=user, time_zone="America/Los_Angeles")
    two_weeks_ago = timezone.now().date() - dt.timedelta(days=14)
    plan = services.plan_generate(user=user, goal_type="10k", duration_weeks=8, today=two_weeks_ago)
    services.plan_activate(user=user, plan=plan)
    session = plan.sessions.exclude(session_type="rest").order_by("date").first()
    # 06:30 UTC the next day is still the session's date in Los Angeles.
    started = dt.datetime.combine(session.date + dt.timedelta(days=1), dt.time(6, 30), tzinfo=dt.UTC)
    services.activity_record(user=user, started_at=started, duration_s=1800, distance_m=5000)
    assert TrainingPlan.objects.get(pk=plan.pk).sessions.get(pk=session.pk).status == SessionStatus.COMPLETED


@pytest.mark.parametrize(
    ("day", "ends_at"),
    [
        (dt.date(2027, 3, 28), utc(2027, 3, 28, 22, 0)),  # 23-hour day: clocks go forward
        (dt.date(2027, 10, 31), utc(2027, 10, 31, 23, 0)),  # 25-hour day: clocks go back
        (dt.date(2027, 6, 1), utc(2027, 6, 1, 22, 0)),
    ],
)
def test_a_session_on_a_dst_day_is_missed_when_its_local_day_ends(runner, day, ends_at):
    plan = services.plan_generate(
        user=runner, goal_type="half", duration_weeks=12, today=day - dt.timedelta(days=10)
    )
    TrainingPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.ACTIVE)
    session = plan.sessions.filter(date=day).first()
    assert session is not None
    PlannedSession.objects.filter(pk=session.pk).update(session_type="easy")
    assert session.day_ends_at() == ends_at
    services.sessions_mark_missed(now=ends_at - dt.timedelta(minutes=1))
    assert PlannedSession.objects.get(pk=session.pk).status == SessionStatus.PLANNED
    services.sessions_mark_missed(now=ends_at)
    assert PlannedSession.objects.get(pk=session.pk).status == SessionStatus.MISSED
