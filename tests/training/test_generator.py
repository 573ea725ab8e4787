"""The generator: deterministic, periodized, and every safeguard holds for any valid input."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.jsonschemas import load_schema, schema_errors
from training.generator import GENERATOR_VERSION, PlanRequest, RaceResult, RunnerInput, generate
from training.generator.inputs import WEEKDAYS
from training.generator.plan import GeneratorInputError
from training.generator.safeguards import verify

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


def request_for(goal="half", weeks=12, **kwargs):
    return PlanRequest(goal_type=goal, start_date=START, weeks=weeks, today=TODAY, captured_at=NOW, **kwargs)


def violations(runner, request, plan):
    return verify(
        plan,
        available_days={WEEKDAYS.index(d) for d in runner.available_days},
        long_run_day=WEEKDAYS.index(runner.long_run_day),
        min_rest_days=runner.min_rest_days,
        reference_weekly_km=plan.load_parameters["reference_weekly_km"],
        reference_longest_km=plan.load_parameters["reference_longest_run_km"],
        easy_slow_s_per_km=plan.paces["easy"]["max_s_per_km"],
        today=request.today,
    )


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
    plan = generate(RUNNER, request_for("marathon", 18, target_time_s=4 * 3600))
    for name in JSON_FIELDS:
        assert schema_errors(load_schema("training", name), getattr(plan, name)) == [], name
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
        assert by_number[n]["volume_km"] == pytest.approx(0.75 * before, abs=0.2)
    peak = plan.load_parameters["peak_volume"]
    taper = [w for w in plan.weekly_plan if w["phase_name"] == "Taper"]
    # Taper training volume (the race aside) is cut by 40-60 % from the peak by race week.
    last = taper[-1]["volume_km"] - taper[-1]["race_km"]
    assert last <= 0.6 * peak
    assert taper[0]["intensity_score"] >= 40  # intensity kept


def test_race_week_ends_with_the_race_on_the_target_date():
    plan = generate(RUNNER, request_for("10k", 8, target_date=dt.date(2027, 1, 30), target_time_s=2600))
    race = [s for s in plan.sessions if s["session_type"] == "race"]
    assert len(race) == 1 and race[0]["date"] == dt.date(2027, 1, 30)
    assert plan.end_date == dt.date(2027, 1, 30)
    assert max(s["date"] for s in plan.sessions) == dt.date(2027, 1, 30)


def test_decisions_cover_every_choice_with_references():
    plan = generate(RUNNER, request_for())
    categories = {d["category"] for d in plan.decisions}
    assert {
        "periodization_model",
        "starting_volume",
        "peak_volume",
        "quality_sessions",
        "taper_length",
        "recovery_rhythm",
    } <= categories
    assert all(d["knowledge_base_refs"] for d in plan.decisions)


def test_runner_snapshot_has_six_axes():
    plan = generate(RUNNER, request_for())
    labels = [axis["label"] for axis in plan.runner_snapshot["profile_radar"]]
    assert labels == ["Endurance", "Speed", "Recovery", "Consistency", "Injury Risk", "Race Ready"]
    assert all(0 <= axis["value"] <= 100 for axis in plan.runner_snapshot["profile_radar"])


def test_no_race_no_activities_marks_vdot_uncertain():
    runner = RunnerInput(available_days=("tue", "thu", "sun"), long_run_day="sun")
    plan = generate(runner, request_for("5k", 8))
    assert plan.vdot_uncertain
    assert plan.runner_snapshot["fitness_indicators"]["vdot_uncertain"] is True
    assert "estimate" in plan.season_view["coach_summary"]


def test_target_time_far_from_prediction_lowers_confidence():
    easy = generate(RUNNER, request_for("half", 12, target_time_s=2 * 3600))
    hard = generate(RUNNER, request_for("half", 12, target_time_s=80 * 60))
    assert (
        hard.season_view["expected_outcomes"]["confidence_level"]
        < easy.season_view["expected_outcomes"]["confidence_level"]
    )
    assert "faster" in hard.season_view["expected_outcomes"]["confidence_reason"]


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


days = st.lists(st.sampled_from(WEEKDAYS), min_size=3, max_size=7, unique=True)


@st.composite
def runners(draw):
    available = tuple(d for d in WEEKDAYS if d in draw(days))
    rest = draw(st.integers(0, 7 - 3))
    rest = min(rest, 7 - 3)
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
    return RunnerInput(
        experience_level=draw(st.sampled_from(["beginner", "intermediate", "advanced"])),
        recent_weekly_km=draw(st.floats(0, 150, allow_nan=False)),
        longest_recent_run_km=draw(st.floats(0, 40, allow_nan=False)),
        recent_race=race,
        available_days=available,
        long_run_day=draw(st.sampled_from(available)),
        min_rest_days=rest,
        injury_notes=draw(st.sampled_from(["", "Achilles tendinopathy in 2025"])),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    runner=runners(),
    goal=st.sampled_from(["5k", "10k", "half", "marathon", "fitness"]),
    weeks=st.integers(4, 30),
)
def test_every_safeguard_holds_for_any_valid_profile_and_goal(runner, goal, weeks):
    if min(len(runner.available_days), 7 - runner.min_rest_days) < 3:
        with pytest.raises(GeneratorInputError):
            generate(runner, request_for(goal, weeks))
        return
    request = request_for(goal, weeks)
    plan = generate(runner, request)
    assert violations(runner, request, plan) == []
    assert len(plan.weekly_plan) == weeks
    for name in JSON_FIELDS:
        assert schema_errors(load_schema("training", name), getattr(plan, name)) == [], name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    runner=runners(),
    goal=st.sampled_from(["5k", "10k", "half", "marathon", "fitness"]),
    weeks=st.integers(6, 24),
    done_weeks=st.integers(1, 5),
    health=st.sampled_from(["", "illness", "injury"]),
    shortfall=st.floats(0.0, 1.0, allow_nan=False),
)
def test_every_safeguard_holds_after_a_realign(runner, goal, weeks, done_weeks, health, shortfall):
    if min(len(runner.available_days), 7 - runner.min_rest_days) < 3:
        return
    first = generate(runner, request_for(goal, weeks))
    # The runner did only part of what was planned, then the rest of the plan is regenerated.
    done = first.weekly_plan[:done_weeks]
    history = tuple(round((w["volume_km"] - w["race_km"]) * (1 - shortfall), 1) for w in done[-4:])
    long_runs = tuple(
        (s["date"], s["target_distance_km"])
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
    )
    plan = generate(runner, request)
    problems = verify(
        plan,
        available_days={WEEKDAYS.index(d) for d in runner.available_days},
        long_run_day=WEEKDAYS.index(runner.long_run_day),
        min_rest_days=runner.min_rest_days,
        reference_weekly_km=plan.load_parameters["reference_weekly_km"],
        reference_longest_km=plan.load_parameters["reference_longest_run_km"],
        easy_slow_s_per_km=plan.paces["easy"]["max_s_per_km"],
        today=today,
        history_volumes=history,
        history_long_runs=long_runs,
    )
    assert problems == []
    assert [w["week_number"] for w in plan.weekly_plan] == list(range(done_weeks + 1, weeks + 1))
    assert all(w["volume_km"] > 0 for w in plan.weekly_plan)
