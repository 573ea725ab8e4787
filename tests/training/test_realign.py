"""Realign from what was actually run; the feasibility gate's 422 and its options."""

import datetime as dt

import pytest
from django.utils import timezone

from config.errors import Unprocessable
from training import services

from .factories import RunnerProfileFactory


def _plan(user, **kwargs):
    start = timezone.now().date() - dt.timedelta(weeks=3)
    start -= dt.timedelta(days=start.weekday())
    plan = services.plan_generate(user=user, goal_type="half", duration_weeks=12, today=start, **kwargs)
    return services.plan_activate(user=user, plan=plan)


@pytest.mark.django_db
def test_missed_sessions_never_raise_the_load_and_the_decision_says_what_was_run(user):
    RunnerProfileFactory(user=user, time_zone="UTC")
    plan = _plan(user)
    today = plan.start_date + dt.timedelta(weeks=3)
    # Nothing recorded at all: every past session was skipped.
    for session in plan.sessions.filter(date__lt=today).exclude(session_type="rest"):
        services.session_skip(user=user, session=session)
    before = {w["week_number"]: w for w in plan.weekly_plan}
    plan = services.plan_realign(user=user, plan=plan, reason="manual", today=today)
    for week in plan.weekly_plan:
        if week["week_number"] >= 4:
            planned_before = before[week["week_number"]]
            assert (
                week["volume_km"] - week["race_km"] <= planned_before["volume_km"] - planned_before["race_km"]
            )
            assert week["is_recovery_week"] == planned_before["is_recovery_week"]
    # After three weeks without a run the week restarts small, and the decision says what was run.
    week4 = next(w for w in plan.weekly_plan if w["week_number"] == 4)
    assert week4["volume_km"] <= 0.5 * before[4]["volume_km"]
    reasoning = plan.decisions[-1]["reasoning"]
    assert "Ran 0 of " in reasoning and "km planned in the last 14 days" in reasoning
    names = [p["name"] for p in plan.phases]
    assert len(names) == len(set(names))


@pytest.mark.django_db
def test_realign_bounds_the_next_long_run_by_what_was_actually_run(user):
    RunnerProfileFactory(user=user, time_zone="UTC", longest_recent_run_km=14)
    plan = _plan(user)
    today = plan.start_date + dt.timedelta(weeks=3)
    for session in plan.sessions.filter(date__lt=today).exclude(session_type="rest"):
        km = min(session.target_distance_km or 0, 6.0)  # never more than 6 km
        services.session_complete(
            user=user,
            session=session,
            actuals={"duration_s": int(km * 360) or 60, "distance_m": int(km * 1000)},
        )
    plan = services.plan_realign(user=user, plan=plan, reason="manual", today=today)
    first_long = plan.sessions.filter(date__gte=today, session_type="long").order_by("date").first()
    assert first_long.target_distance_km <= 1.1 * 6.0 + 0.05


@pytest.mark.django_db
def test_an_eight_week_marathon_for_a_twenty_km_runner_is_a_422_with_options_that_fit(user):
    RunnerProfileFactory(
        user=user,
        experience_level="beginner",
        recent_weekly_km=20,
        longest_recent_run_km=8,
        recent_race_distance_m=None,
        recent_race_time_s=None,
        available_days=["tue", "thu", "sat", "sun"],
    )
    with pytest.raises(Unprocessable) as raised:
        services.plan_generate(user=user, goal_type="marathon", duration_weeks=8)
    payload = raised.value.as_payload()
    assert payload["code"] == "goal_not_feasible"
    assert payload["reasons"] and payload["options"]
    for option in payload["options"]:
        body = dict(option)
        for key in ("target_date",):
            if key in body:
                body[key] = dt.date.fromisoformat(body[key])
        plan = services.plan_generate(user=user, **body)  # each option is accepted as it is
        assert plan.pk


@pytest.mark.django_db
def test_a_target_the_plan_does_not_believe_is_refused_then_built_at_risk(user):
    RunnerProfileFactory(user=user, recent_race_distance_m=42195, recent_race_time_s=3 * 3600 + 30 * 60)
    with pytest.raises(Unprocessable) as raised:
        services.plan_generate(
            user=user, goal_type="marathon", duration_weeks=16, target_time_s=2 * 3600 + 30 * 60
        )
    assert any("faster" in r for r in raised.value.as_payload()["reasons"])
    assert {"goal_type": "marathon", "duration_weeks": 16} in raised.value.as_payload()["options"] or any(
        "target_time_s" not in o for o in raised.value.as_payload()["options"]
    )
    plan = services.plan_generate(
        user=user, goal_type="marathon", duration_weeks=16, target_time_s=2 * 3600 + 30 * 60, accept_risk=True
    )
    outcomes = plan.season_view["expected_outcomes"]
    assert outcomes["confidence_level"] <= 30
    race = plan.sessions.get(session_type="race")
    assert race.target_duration_s == outcomes["goal_time_s"] > 2 * 3600 + 30 * 60
    assert race.start_time_local == dt.time(9, 0)
