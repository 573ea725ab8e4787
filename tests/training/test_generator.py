"""The generator: deterministic, periodized, and every safeguard holds for any valid input."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.jsonschemas import load_schema, schema_errors
from training.generator import GENERATOR_VERSION, PlanRequest, RaceResult, RunnerInput, generate
from training.generator.inputs import WEEKDAYS
from training.generator.plan import GeneratorInputError, GoalNotFeasible, assess
from training.generator.safeguards import verify
from training.generator.workouts import HARD_TYPES

TODAY = dt.date(2026, 12, 1)
START = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
JSON_FIELDS = (
    "season_view",
    "weekly_plan",
    "runner_snapshot",
    "phases",
    "load_parameters",
    "target_paces",
    "decisions",
    "safeguard_applications",
)
GOALS = ["5k", "10k", "half", "marathon", "fitness"]


def request_for(goal="half", weeks=12, **kwargs):
    return PlanRequest(goal_type=goal, start_date=START, weeks=weeks, today=TODAY, captured_at=NOW, **kwargs)


RUNNER = RunnerInput(
    experience_level="intermediate",
    recent_weekly_km=30,
    longest_recent_run_km=12,
    recent_race=RaceResult(10000, 2700),
    available_days=("mon", "tue", "thu", "sat", "sun"),
    long_run_day="sun",
    min_rest_days=2,
)


def test_same_input_same_plan():
    assert generate(RUNNER, request_for()) == generate(RUNNER, request_for())


def test_every_json_document_matches_its_schema():
    plan = generate(RUNNER, request_for("marathon", 20, target_time_s=4 * 3600))
    for name in JSON_FIELDS:
        assert schema_errors(load_schema("training", name), getattr(plan, name)) == [], name
    for session in plan.sessions:
        assert schema_errors(load_schema("training", "session_steps"), session["steps"]) == []
    assert plan.generator_version == GENERATOR_VERSION


def test_phases_recovery_weeks_and_taper():
    plan = generate(RUNNER, request_for("half", 16))
    names = [w["phase_name"] for w in plan.weekly_plan]
    assert names[0] == "Base" and names[-1] == "Taper" and "Build" in names and "Peak" in names
    assert names.count("Taper") == 2
    recovery = [w["week_number"] for w in plan.weekly_plan if w["is_recovery_week"]]
    assert recovery and all(n % 4 == 0 for n in recovery)
    by_number = {w["week_number"]: w for w in plan.weekly_plan}
    for n in recovery:
        before = by_number[n - 1]["volume_km"]
        assert 0.65 * before <= by_number[n]["volume_km"] <= 0.8 * before
        assert by_number[n]["long_run_km"] < by_number[n - 1]["long_run_km"]  # a step-back long run
    peak = plan.load_parameters["peak_volume"]
    taper = [w for w in plan.weekly_plan if w["phase_name"] == "Taper"]
    last = taper[-1]["volume_km"] - taper[-1]["race_km"]
    assert last <= 0.6 * peak
    assert taper[0]["intensity_score"] >= 40  # intensity kept


def test_race_week_ends_with_the_race_on_the_target_date_at_its_start_time():
    plan = generate(
        RUNNER,
        request_for("10k", 8, target_date=dt.date(2027, 1, 30), race_start_time=dt.time(8, 30)),
    )
    race = [s for s in plan.sessions if s["session_type"] == "race"]
    assert len(race) == 1 and race[0]["date"] == dt.date(2027, 1, 30)
    assert race[0]["start_time_local"] == dt.time(8, 30)
    assert plan.end_date == dt.date(2027, 1, 30)
    assert max(s["date"] for s in plan.sessions) == dt.date(2027, 1, 30)
    race_week = [
        s for s in plan.sessions if s["week_number"] == 8 and s["session_type"] not in ("rest", "race")
    ]
    assert 2 <= len(race_week) <= 4
    assert all(s["target_distance_km"] <= 8 for s in race_week)


def test_race_time_defaults_to_nine_not_the_training_start_time():
    plan = generate(RUNNER, request_for("10k", 8, start_time_local=dt.time(6, 15)))
    race = next(s for s in plan.sessions if s["session_type"] == "race")
    assert race["start_time_local"] == dt.time(9, 0)
    assert next(s for s in plan.sessions if s["session_type"] == "easy")["start_time_local"] == dt.time(6, 15)


def test_decisions_cover_every_choice_with_references():
    plan = generate(RUNNER, request_for())
    categories = {d["category"] for d in plan.decisions}
    assert {
        "periodization_model",
        "long_run_progression",
        "long_run_share",
        "starting_volume",
        "peak_volume",
        "quality_sessions",
        "taper_length",
        "recovery_rhythm",
        "goal_pace",
    } <= categories
    assert all(d["knowledge_base_refs"] for d in plan.decisions)


def test_runner_snapshot_has_six_axes():
    plan = generate(RUNNER, request_for())
    labels = [axis["label"] for axis in plan.runner_snapshot["profile_radar"]]
    assert labels == ["Endurance", "Speed", "Recovery", "Consistency", "Injury Risk", "Race Ready"]
    assert all(0 <= axis["value"] <= 100 for axis in plan.runner_snapshot["profile_radar"])


def test_no_race_no_activities_marks_vdot_uncertain():
    runner = RunnerInput(recent_weekly_km=20, longest_recent_run_km=8, available_days=("tue", "thu", "sun"))
    plan = generate(runner, request_for("5k", 8))
    assert plan.vdot_uncertain
    assert plan.runner_snapshot["fitness_indicators"]["vdot_uncertain"] is True
    assert "estimate" in plan.season_view["coach_summary"]


def test_a_target_time_the_plan_does_not_believe_is_refused_with_the_gap():
    with pytest.raises(GoalNotFeasible) as raised:
        generate(RUNNER, request_for("half", 12, target_time_s=80 * 60))
    assert "faster" in raised.value.assessment.reasons[0]


def test_accept_risk_builds_it_with_low_confidence_and_the_gap_as_a_risk():
    plan = generate(RUNNER, request_for("half", 12, target_time_s=80 * 60, accept_risk=True))
    outcomes = plan.season_view["expected_outcomes"]
    assert outcomes["confidence_level"] <= 30
    assert any("Goal beyond" in r["risk"] for r in plan.season_view["identified_risks"])
    # The race is paced for what the plan expects, never for the target it does not believe.
    race = next(s for s in plan.sessions if s["session_type"] == "race")
    assert race["target_duration_s"] == outcomes["goal_time_s"] > 80 * 60


def test_race_pace_and_expected_outcome_are_one_number():
    plan = generate(RUNNER, request_for("half", 12, target_time_s=2 * 3600))
    race = next(s for s in plan.sessions if s["session_type"] == "race")
    outcomes = plan.season_view["expected_outcomes"]
    assert race["target_duration_s"] == outcomes["goal_time_s"] == 2 * 3600
    assert "2:00:00" in outcomes["primary_goal"]


def test_an_eight_week_marathon_for_a_low_volume_runner_is_not_feasible():
    runner = RunnerInput(
        experience_level="beginner", recent_weekly_km=20, longest_recent_run_km=8, available_days=WEEKDAYS[:5]
    )
    assessment = assess(runner, request_for("marathon", 8))
    assert not assessment.feasible
    assert assessment.long_run_need_km >= 20 and assessment.long_run_reach_km < assessment.long_run_need_km


@pytest.mark.parametrize(
    ("runner", "request_", "field"),
    [
        (RUNNER, request_for(target_time_s=600), "target_time_s"),
        (RunnerInput(available_days=()), request_for(), "available_days"),
        (RunnerInput(available_days=("mon", "sun"), long_run_day="sun"), request_for(), "available_days"),
        (RUNNER, request_for(weeks=60), "duration_weeks"),
    ],
)
def test_bad_input_names_the_field(runner, request_, field):
    with pytest.raises(GeneratorInputError) as raised:
        generate(runner, request_)
    assert raised.value.field == field


# --- properties over random valid runners --------------------------------------------------------

days = st.lists(st.sampled_from(WEEKDAYS), min_size=3, max_size=7, unique=True)


@st.composite
def runners(draw):
    """Only valid runners: at least three run days once the rest days are taken."""
    chosen = draw(days)  # drawn once: a draw inside the comprehension would run per weekday
    available = tuple(d for d in WEEKDAYS if d in chosen)
    rest = draw(st.integers(0, 7 - 3))
    race = draw(
        st.one_of(
            st.none(),
            st.builds(
                lambda d, pace: RaceResult(d, int(d / 1000 * pace)),
                st.sampled_from([5000, 10000, 21097.5, 42195]),
                st.integers(200, 480),
            ),
        )
    )
    others = [d for d in WEEKDAYS if d not in available]
    return RunnerInput(
        experience_level=draw(st.sampled_from(["beginner", "intermediate", "advanced"])),
        recent_weekly_km=draw(st.floats(0, 150, allow_nan=False)),
        longest_recent_run_km=draw(st.floats(0, 40, allow_nan=False)),
        recent_race=race,
        available_days=available,
        long_run_day=draw(st.sampled_from(available)),
        min_rest_days=rest,
        injury_notes=draw(st.sampled_from(["", "Achilles tendinopathy in 2025"])),
        cross_training_days=tuple(draw(st.lists(st.sampled_from(others), unique=True))) if others else (),
    )


def plannable(runner) -> bool:
    return min(len(runner.available_days), 7 - runner.min_rest_days) >= 3


def check_plan(runner, request, plan):
    assert verify(plan, runner=runner, request=request) == []
    for name in JSON_FIELDS:
        assert schema_errors(load_schema("training", name), getattr(plan, name)) == [], name
    # Every run bounded whatever its label: nothing but the race longer than its week's long run.
    by_week: dict[int, list[dict]] = {}
    for s in plan.sessions:
        by_week.setdefault(s["week_number"], []).append(s)
    for items in by_week.values():
        longs = [s["target_distance_km"] for s in items if s["session_type"] == "long"]
        for s in items:
            if longs and s["session_type"] not in ("race", "long", "rest", "cross"):
                assert s["target_distance_km"] <= longs[0] + 1e-9
    hard = sorted(s["date"] for s in plan.sessions if s["session_type"] in HARD_TYPES)
    assert all((b - a).days >= 2 for a, b in zip(hard, hard[1:], strict=False))


@settings(
    max_examples=int(__import__("os").environ.get("GEN_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(runner=runners(), goal=st.sampled_from(GOALS), weeks=st.integers(4, 30), accept=st.booleans())
def test_every_safeguard_holds_for_any_valid_profile_and_goal(runner, goal, weeks, accept):
    request = request_for(goal, weeks, accept_risk=accept)
    if not plannable(runner):
        with pytest.raises(GeneratorInputError):
            generate(runner, request)
        return
    try:
        plan = generate(runner, request)
    except GoalNotFeasible as refused:
        assert not accept and refused.assessment.reasons
        return
    check_plan(runner, request, plan)
    assert len(plan.weekly_plan) == weeks
    if goal != "fitness" and plan.assessment.feasible:
        need = plan.assessment.long_run_need_km
        assert plan.load_parameters["peak_long_run_km"] >= need - 0.05


@settings(
    max_examples=int(__import__("os").environ.get("GEN_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    runner=runners(),
    goal=st.sampled_from(GOALS),
    weeks=st.integers(6, 24),
    done_weeks=st.integers(1, 5),
    health=st.sampled_from(["", "illness", "injury"]),
    shortfall=st.floats(0.0, 1.0, allow_nan=False),
)
def test_every_safeguard_holds_after_a_realign(runner, goal, weeks, done_weeks, health, shortfall):
    if not plannable(runner):
        return
    first = generate(runner, request_for(goal, weeks, accept_risk=True))
    # The runner did only part of what was planned, then the rest of the plan is regenerated.
    done = first.weekly_plan[:done_weeks]
    history = tuple(round((w["volume_km"] - w["race_km"]) * (1 - shortfall), 1) for w in done[-4:])
    long_runs = tuple(
        (s["date"], round(s["target_distance_km"] * (1 - shortfall), 1))
        for s in first.sessions
        if s["session_type"] == "long" and s["week_number"] <= done_weeks
    )
    today = START + dt.timedelta(weeks=done_weeks)
    request = PlanRequest(
        goal_type=goal,
        start_date=today,
        weeks=weeks - done_weeks,
        today=today,
        captured_at=NOW,
        week_offset=done_weeks,
        history_volumes=history,
        history_long_runs=long_runs,
        health_note=health,
        realign=True,
        planned_volumes=tuple((w["week_number"], w["volume_km"] - w["race_km"]) for w in first.weekly_plan),
        history_hard_dates=tuple(
            s["date"] for s in first.sessions if s["session_type"] in HARD_TYPES and s["date"] < today
        ),
    )
    plan = generate(runner, request)
    check_plan(runner, request, plan)
    assert [w["week_number"] for w in plan.weekly_plan] == list(range(done_weeks + 1, weeks + 1))
    before = {w["week_number"]: w for w in first.weekly_plan}
    for week in plan.weekly_plan:
        assert week["volume_km"] - week["race_km"] <= before[week["week_number"]]["volume_km"] + 0.05
        # Recovery weeks stay where they were.
        assert week["is_recovery_week"] == before[week["week_number"]]["is_recovery_week"]
    names = [p["name"] for p in plan.phases]
    assert len(names) == len(set(names))
