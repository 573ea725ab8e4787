"""The realign arithmetic on plain data: recorded load, shortfall, hard dates, what later weeks may hold."""

import datetime as dt

from training.generator import ActivityPoint, RaceResult, RunnerInput, generate, realign

START = dt.date(2026, 3, 2)  # a Monday
TODAY = START + dt.timedelta(weeks=3, days=2)  # Wednesday of week 4
NOW = dt.datetime(2026, 3, 25, 7, 0, tzinfo=dt.UTC)


def _run(day: dt.date, km: float) -> ActivityPoint:
    return ActivityPoint(date=day, distance_km=km, duration_s=int(km * 360))


def _plan(**changes) -> realign.PlanSoFar:
    weekly = [
        {"week_number": n, "volume_km": 20.0 + n, "race_km": 0.0, "is_recovery_week": False}
        for n in range(1, 9)
    ]
    weekly[-1] = {**weekly[-1], "volume_km": 31.1, "race_km": 10.0}
    values = dict(
        goal_type="10k",
        start_date=START,
        duration_weeks=8,
        target_date=START + dt.timedelta(weeks=7, days=6),
        target_time_s=None,
        target_event="",
        race_start_time=None,
        weekly_plan=weekly,
        phases=[
            {"name": "Base", "start_week": 1, "end_week": 4},
            {"name": "Build", "start_week": 5, "end_week": 7},
            {"name": "Taper", "start_week": 8, "end_week": 8},
        ],
        safeguard_applications=[
            {"safeguard_id": "long_run_share", "applied": True, "week_number": 2},
            {"safeguard_id": "long_run_share", "applied": True, "week_number": 5},
            {"safeguard_id": "acute_chronic_ratio", "applied": False},
        ],
        load_parameters={"starting_volume": 21.0},
        decisions=[{"category": "volume", "decision": "kept"}],
    )
    values.update(changes)
    return realign.PlanSoFar(**values)


def _session(day, session_type="easy", km=5.0, status="completed") -> realign.PastSession:
    return realign.PastSession(day, session_type, km, status)


def test_the_current_week_counts_from_the_plans_monday():
    assert realign.current_week(START, START - dt.timedelta(days=3)) == 1
    assert realign.current_week(START, START + dt.timedelta(days=6)) == 1
    assert realign.current_week(START, TODAY) == 4


def test_history_is_recorded_km_and_a_plan_week_without_a_run_counts_zero():
    this_monday = realign.monday_of(TODAY)
    activities = (
        _run(START - dt.timedelta(days=3), 12.0),  # before the plan: its week counts
        _run(START + dt.timedelta(days=1), 6.0),
        _run(START + dt.timedelta(days=3), 4.5),
        _run(START + dt.timedelta(weeks=2, days=2), 8.0),
    )
    # Four weeks back: the week before the plan (12), week 1 (10.5), week 2 (nothing: 0), week 3 (8).
    assert realign.history_volumes(activities, this_monday, START) == [12.0, 10.5, 0.0, 8.0]
    assert realign.reference_km([12.0, 10.5, 0.0, 8.0]) == 4.0
    # Weeks before the plan with nothing recorded are left out, not counted as zero.
    assert realign.history_volumes((), this_monday, START + dt.timedelta(weeks=1)) == [0.0, 0.0]
    assert realign.reference_km([]) is None


def test_shortfall_hard_dates_and_done_days_read_the_sessions():
    sessions = [
        _session(TODAY - dt.timedelta(days=15), km=50.0),  # outside the 14 days
        _session(TODAY - dt.timedelta(days=10), "intervals", 8.0),
        _session(TODAY - dt.timedelta(days=6), "tempo", 7.0, status="skipped"),
        _session(TODAY - dt.timedelta(days=5), "rest", None),
        _session(TODAY - dt.timedelta(days=3), "long", 12.0),
        _session(TODAY - dt.timedelta(days=2), "cross", 0.0),
        _session(TODAY - dt.timedelta(days=1), "easy", 5.0, status="missed"),
    ]
    activities = (_run(TODAY - dt.timedelta(days=14), 3.0), _run(TODAY - dt.timedelta(days=3), 9.0))
    assert realign.shortfall(activities, sessions, TODAY) == (12.0, 32.0)
    # Hard and done within the last 7 days: the long run only (the tempo was skipped).
    assert realign.hard_dates(sessions, TODAY) == (TODAY - dt.timedelta(days=3),)
    this_monday = realign.monday_of(TODAY)
    # Done this week: the cross session of Monday (the missed run of Tuesday is rescheduled).
    assert realign.done_dates(sessions, this_monday, TODAY) == (this_monday,)


def test_the_request_holds_later_weeks_to_what_was_planned_for_them():
    plan = _plan()
    request, decision = realign.realign_request(
        plan=plan,
        reason="illness",
        activities=(_run(TODAY - dt.timedelta(days=9), 10.0),),
        sessions=[_session(TODAY - dt.timedelta(days=9), km=12.0)],
        today=TODAY,
        now=NOW,
        start_time_local=dt.time(7, 0),
    )
    assert request.start_date == realign.monday_of(TODAY)
    assert (request.week_offset, request.weeks) == (3, 5)
    assert request.planned_volumes == ((4, 24.0), (5, 25.0), (6, 26.0), (7, 27.0), (8, 21.1))
    assert request.history_volumes == (0.0, 0.0, 10.0)
    assert request.reference_weekly_km == 5.0
    assert request.health_note == "illness"
    assert request.realign and request.accept_risk
    assert decision["decision"] == f"Weeks 4-8 regenerated on {TODAY.isoformat()}"
    assert decision["reasoning"].startswith("The runner reported an illness. Ran 10 of 12 km planned")
    assert "start again from 5.0 km a week actually run" in decision["reasoning"]


def test_merge_keeps_the_weeks_before_today_and_continues_a_cut_phase():
    plan = _plan()
    runner = RunnerInput(
        experience_level="intermediate",
        recent_weekly_km=25,
        longest_recent_run_km=10,
        available_days=("mon", "tue", "thu", "sat", "sun"),
        long_run_day="sun",
        recent_race=RaceResult(10000, 3000, None),
    )
    request, decision = realign.realign_request(
        plan=plan, reason="manual", activities=(), sessions=[], today=TODAY, now=NOW, start_time_local=None
    )
    result = generate(runner, request)
    fields = realign.merge(plan, result, reason="manual", today=TODAY, decision=decision)
    assert [w["week_number"] for w in fields["weekly_plan"]] == list(range(1, 9))
    assert fields["weekly_plan"][:3] == plan.weekly_plan[:3]
    names = [p["name"] for p in fields["phases"]]
    assert len(names) == len(set(names)) and fields["phases"][0]["start_week"] == 1
    kept = [r for r in fields["safeguard_applications"] if r.get("week_number", 0) < 4]
    assert {"safeguard_id": "long_run_share", "applied": True, "week_number": 2} in kept
    assert {"safeguard_id": "long_run_share", "applied": True, "week_number": 5} not in fields[
        "safeguard_applications"
    ]
    assert fields["load_parameters"]["starting_volume"] == 21.0
    assert fields["decisions"] == [*plan.decisions, decision]
    assert fields["season_view"]["coach_summary"].startswith(
        f"Realigned on {TODAY.isoformat()}: the runner asked for a fresh plan. "
    )
    assert fields["end_date"] == result.end_date
