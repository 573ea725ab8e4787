"""Six personas as golden tests: the plan a coach reviewed (training/README.md) stays that plan, and
each keeps the figures of the published plan of its level. Regenerate the golden files after a
deliberate change with ``UPDATE_GOLDEN=1 make test ARGS=tests/training/test_personas.py`` and read
the diff as a coach would."""

import json
import os
from pathlib import Path

import pytest

from training.generator import generate
from training.generator.safeguards import verify
from training.generator.workouts import HARD_TYPES

from .personas import PERSONAS, golden, summary

GOLDEN = Path(__file__).parent / "golden"

# What each persona must keep, from the published plan of its level (see training/README.md).
EXPECT = {
    "beginner_5k": {"long_run": (8, 10), "peak_volume": (12, 25), "taper": 2},
    "beginner_10k": {"long_run": (10, 14), "peak_volume": (18, 32), "taper": 2},
    "intermediate_half": {"long_run": (16, 22), "peak_volume": (40, 60), "taper": 2},
    "advanced_marathon": {"long_run": (29, 35), "peak_volume": (80, 110), "taper": 3},
    "return_from_injury": {"long_run": (16, 22), "peak_volume": (30, 50), "taper": 2},
    "three_day_marathon": {"long_run": (26, 35), "peak_volume": (40, 65), "taper": 3},
}


@pytest.mark.parametrize("name", list(PERSONAS))
def test_persona_plan_is_the_reviewed_one(name):
    _, _, runner, request = PERSONAS[name]
    plan = generate(runner, request)
    path = GOLDEN / f"{name}.json"
    current = golden(plan)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert current == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", list(PERSONAS))
def test_persona_keeps_the_published_plans_figures(name):
    _, _, runner, request = PERSONAS[name]
    plan = generate(runner, request)
    assert verify(plan, runner=runner, request=request) == []
    figures = summary(plan)
    expect = EXPECT[name]
    low, high = expect["long_run"]
    assert low <= figures["peak_long_run_km"] <= high
    low, high = expect["peak_volume"]
    assert low <= figures["peak_volume_km"] <= high
    assert figures["taper_weeks"] == expect["taper"]
    assert 2 <= figures["race_week_runs"] <= 4
    # Peak volume late: in the last third before the taper, never in the first half.
    assert figures["peak_week"] > figures["weeks"] / 2
    hard = sorted(s["date"] for s in plan.sessions if s["session_type"] in HARD_TYPES)
    assert all((b - a).days >= 2 for a, b in zip(hard, hard[1:], strict=False))


def test_return_from_injury_runs_easy_for_four_weeks_and_lowers_vdot():
    _, _, runner, request = PERSONAS["return_from_injury"]
    plan = generate(runner, request)
    first = [s for s in plan.sessions if s["week_number"] <= 4]
    assert all(s["session_type"] in ("easy", "long", "rest") for s in first)
    assert any(d["category"] == "return_mode" for d in plan.decisions)
    assert any(d["category"] == "detraining" for d in plan.decisions)
    assert plan.load_parameters["return_mode"] is True


def test_three_day_marathon_cross_trains_on_the_offered_days():
    _, _, runner, request = PERSONAS["three_day_marathon"]
    plan = generate(runner, request)
    cross = {s["date"].strftime("%a").lower() for s in plan.sessions if s["session_type"] == "cross"}
    assert cross == {"mon", "sat"}
    assert any(d["category"] == "cross_training" for d in plan.decisions)


def test_marathon_peak_has_marathon_pace_in_its_long_runs_and_medium_long_runs():
    _, _, runner, request = PERSONAS["advanced_marathon"]
    plan = generate(runner, request)
    peak = {
        w["week_number"] for w in plan.weekly_plan if w["phase_name"] == "Peak" and not w["is_recovery_week"]
    }
    longs = [s for s in plan.sessions if s["week_number"] in peak and s["session_type"] == "long"]
    assert longs and all(any(step["intensity"] == "marathon" for step in s["steps"]) for s in longs)
    assert any(s["session_type"] == "medium_long" for s in plan.sessions)


def test_half_peak_differs_from_build_with_half_marathon_pace_work():
    _, _, runner, request = PERSONAS["intermediate_half"]
    plan = generate(runner, request)
    phase = {w["week_number"]: w["phase_name"] for w in plan.weekly_plan}
    build = {s["session_type"] for s in plan.sessions if phase[s["week_number"]] == "Build"}
    peak_steps = [
        step["intensity"]
        for s in plan.sessions
        if phase[s["week_number"]] == "Peak"
        for step in s["steps"]
        if step["kind"] == "run"
    ]
    assert "goal_pace" not in build and "half_marathon" in peak_steps
