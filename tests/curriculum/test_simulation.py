"""``simulate_selection`` pins what the default policy does with synthetic learners run through the
real services: it finds a plan a confident prior hides, and costs little where there is nothing to
find. (Few seeds here; the README has the figures over many.)"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from curriculum.models import Curriculum, OutcomeEvent
from curriculum.simulation import TruthError, best_plans, simulate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIMULATIONS = Path(__file__).resolve().parents[2] / "curriculum" / "simulations"


def truth(name):
    return json.loads((SIMULATIONS / f"{name}.json").read_text())


def test_the_default_policy_finds_the_plan_a_confident_prior_hides_in_most_seeds(settings):
    stress = truth("stress")
    assert best_plans(stress) == {"high": "A", "low": "D"}
    rows = simulate(stress, policies=[settings.CURRICULUM_SELECTION_POLICY], seeds=3, learners=300)
    policy = rows[settings.CURRICULUM_SELECTION_POLICY]
    assert policy.found >= 2, [r.first_plans[-20:] for r in policy.runs]
    assert rows["fixed order"].found == 0
    assert policy.first_try > rows["fixed order"].first_try


def test_with_neutral_priors_the_default_policy_stays_within_two_points_of_the_oracle(settings):
    rows = simulate(truth("neutral"), policies=[settings.CURRICULUM_SELECTION_POLICY], seeds=3, learners=400)
    gap = rows[settings.CURRICULUM_SELECTION_POLICY].first_try - rows["oracle"].first_try
    assert gap >= -0.02, f"{gap * 100:+.1f} points"
    assert rows["fixed order"].first_try < rows["oracle"].first_try - 0.2


def test_the_simulation_leaves_nothing_behind():
    users = UserFactory._meta.model.objects.count()
    simulate(truth("neutral"), policies=["thompson"], seeds=1, learners=5)
    assert not Curriculum.objects.filter(slug__startswith="simulation-").exists()
    assert not OutcomeEvent.objects.exists()
    assert UserFactory._meta.model.objects.count() == users


def test_the_command_prints_every_row_next_to_the_oracle_and_the_fixed_order():
    out = io.StringIO()
    call_command(
        "simulate_selection", "neutral", "--seeds", "1", "--learners", "8", "--policy", "greedy", stdout=out
    )
    text = out.getvalue()
    assert "1 seed(s) × 8 learners, designer prior" in text
    rows = [line.split("  ")[0].strip() for line in text.splitlines()[2:5]]
    assert rows == ["oracle", "fixed order", "greedy"]
    assert "best found" in text and "vs oracle" in text


def test_the_command_refuses_a_missing_or_malformed_truth_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("simulate_selection", str(tmp_path / "nothing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("simulate_selection", str(broken))
    partial = tmp_path / "partial.json"
    bad = truth("neutral")
    del bad["segments"]["low"]["success"]["D"]
    partial.write_text(json.dumps(bad))
    with pytest.raises(CommandError, match="no rate for plan"):
        call_command("simulate_selection", str(partial), "--seeds", "1", "--learners", "1")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("simulate_selection", "neutral", "--seeds", "0")


def test_a_truth_file_is_checked_against_its_schema():
    with pytest.raises(TruthError, match="'segments' is a required property"):
        simulate({"trait": "energy_level", "plans": [{"code": "A"}]}, seeds=1, learners=1)
