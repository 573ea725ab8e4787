"""Compliance: how the run that completed a session compared with the plan, and what follows."""

import datetime as dt

import pytest
from django.utils import timezone

from training import compliance, services
from training.models import Activity, PlannedSession, PlanStatus, SessionStatus

from .factories import INTERVAL_STEPS, ActivityFactory, PlannedSessionFactory, TrainingPlanFactory, easy_steps

pytestmark = pytest.mark.django_db


def run(km: float, pace_s_per_km: int) -> Activity:
    return Activity(distance_m=round(km * 1000), duration_s=round(km * pace_s_per_km))


def session(session_type="easy", km=8.0, steps=None, **kwargs) -> PlannedSession:
    values = {
        "session_type": session_type,
        "target_distance_km": km,
        "target_duration_s": round(km * 350) if km else None,
        "target_pace_s_per_km": 350,
        "steps": easy_steps(km) if steps is None and km else (steps or []),
        **kwargs,
    }
    return PlannedSession(**values)


def test_an_easy_run_as_planned_has_every_key():
    result = compliance.compute(session(), run(8.0, 352))
    assert result == {
        "distance_pct": 100.0,
        "duration_pct": pytest.approx(100.6, abs=0.1),
        "pace_s_per_km": 352,
        "pace_target": {"min": 330, "max": 370},
        "verdict": "as_planned",
    }


@pytest.mark.parametrize(
    ("km", "pace", "verdict"),
    [
        (3.9, 350, "partial"),  # under half of 8 km
        (4.0, 350, "as_planned"),  # exactly half is done
        (9.7, 350, "longer"),  # over 120%
        (8.0, 315, "too_fast"),  # 330 - 3% = 320.1
        (8.0, 322, "as_planned"),  # inside the tolerance
        (8.0, 450, "as_planned"),  # an easy run may be slower
        (8.0, 470, "too_slow"),  # but not 25% slower than the slow end (462.5): walking
    ],
)
def test_easy_run_verdicts(km, pace, verdict):
    assert compliance.compute(session(), run(km, pace))["verdict"] == verdict


def test_an_interval_session_is_judged_on_the_average_of_its_steps():
    planned = session("intervals", km=10.5, steps=INTERVAL_STEPS, target_pace_s_per_km=268)
    target = compliance.pace_target(planned)
    assert target == {"min": 309, "max": 333}
    # Run as written: an average of about 5:18/km, far slower than the 4:25 intervals.
    assert compliance.compute(planned, run(10.5, 318))["verdict"] == "as_planned"
    assert compliance.compute(planned, run(10.5, 350))["verdict"] == "too_slow"
    assert compliance.compute(planned, run(10.5, 290))["verdict"] == "too_fast"


def test_a_session_without_steps_uses_its_planned_average_pace():
    planned = session("tempo", km=9.0, steps=[], target_duration_s=9 * 300, target_pace_s_per_km=270)
    assert compliance.pace_target(planned) == {"min": 294, "max": 306}
    assert compliance.compute(planned, run(9.0, 330))["verdict"] == "too_slow"


def test_a_timed_session_is_partial_by_its_duration():
    planned = session("easy", km=None, steps=[], target_duration_s=3600, target_pace_s_per_km=None)
    short = Activity(distance_m=0, duration_s=1500)
    result = compliance.compute(planned, short)
    assert result == {"duration_pct": 41.7, "verdict": "partial"}


def test_no_activity_means_no_compliance():
    assert compliance.compute(session(), None) is None


def test_completing_with_actuals_stores_the_compliance(user):
    planned = PlannedSessionFactory(plan=TrainingPlanFactory(user=user), date=dt.date.today())
    services.session_complete(
        user=user,
        session=planned,
        actuals={"duration_s": 3 * 350, "distance_m": 3000, "started_at": timezone.now()},
    )
    planned.refresh_from_db()
    assert planned.compliance["verdict"] == "partial"
    assert planned.compliance["distance_pct"] == 37.5


def test_an_activity_that_completes_the_days_session_stores_the_compliance(user):
    plan = TrainingPlanFactory(user=user)
    today = timezone.now().astimezone(plan.zone).date()
    planned = PlannedSessionFactory(plan=plan, date=today)
    ActivityFactory(user=user)  # an older run matches nothing
    services.activity_record(
        user=user, started_at=timezone.now() - dt.timedelta(minutes=1), duration_s=8 * 300, distance_m=8000
    )
    planned.refresh_from_db()
    assert planned.status == SessionStatus.COMPLETED
    assert planned.compliance["verdict"] == "too_fast"


def key_sessions(plan, count=3):
    return list(
        plan.sessions.filter(is_key_session=True, status=SessionStatus.PLANNED).order_by("date")[:count]
    )


def test_key_sessions_cut_short_count_toward_the_missed_key_realign(
    runner, active_plan, django_capture_on_commit_callbacks
):
    first, second, third = key_sessions(active_plan)
    if (third.date - first.date).days > 14:
        pytest.skip("key sessions too far apart in this plan")
    PlannedSession.objects.filter(pk=first.pk).update(status=SessionStatus.MISSED)
    services.session_skip(user=runner, session=second)
    # The third key session, run to a fifth of its distance: partial, and the third not done.
    km = third.target_distance_km or 5
    with django_capture_on_commit_callbacks(execute=True):
        services.session_complete(
            user=runner,
            session=third,
            actuals={"duration_s": 600, "distance_m": round(km * 200), "started_at": timezone.now()},
        )
    third.refresh_from_db()
    assert third.compliance["verdict"] == "partial"
    active_plan.refresh_from_db()
    assert active_plan.realigned_at is not None
    assert active_plan.decisions[-1]["category"] == "realign"


def test_two_key_sessions_not_done_do_not_realign(runner, active_plan, django_capture_on_commit_callbacks):
    first, second = key_sessions(active_plan, 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_skip(user=runner, session=first)
        services.session_skip(user=runner, session=second)
    active_plan.refresh_from_db()
    assert active_plan.realigned_at is None and active_plan.status == PlanStatus.ACTIVE
