"""Selection policies: exploration that shrinks with evidence, deterministic per learner and
step, never towards an excluded or failed plan; the Beta quantiles behind the admin's intervals."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curriculum import services
from curriculum.models import Alternative, AlternativeStat
from curriculum.selection import Posterior, beta_cdf, beta_ppf, posterior, selection_scores
from curriculum.selectors import alternatives_rank, enrollment_step_alternatives

from .factories import make_curriculum

CALM = {"energy_level": "low"}


# --- Beta distribution ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "q", "expected"),
    [
        (1, 1, 0.05, 0.05),  # uniform
        (1, 1, 0.95, 0.95),
        (3, 1, 0.5, 0.5 ** (1 / 3)),  # CDF x^a
        (1, 4, 0.5, 1 - 0.5 ** (1 / 4)),  # CDF 1 - (1 - x)^b
        (2, 2, 0.5, 0.5),  # symmetric
        (0.5, 0.5, 0.9, math.sin(0.45 * math.pi) ** 2),  # arcsine: CDF (2/pi) asin(sqrt(x))
        # Checked by numerical integration of the density.
        (2, 5, 0.05, 0.0628498917),
        (2, 5, 0.95, 0.5818034092),
        (20.5, 3.5, 0.05, 0.7231007374),
    ],
)
def test_beta_quantiles_match_known_values(a, b, q, expected):
    assert beta_ppf(q, a, b) == pytest.approx(expected, abs=1e-6)


@settings(max_examples=int(__import__("os").environ.get("SELECTION_EXAMPLES", 60)), deadline=None)
@given(
    a=st.floats(min_value=0.2, max_value=800),
    b=st.floats(min_value=0.2, max_value=800),
    q=st.floats(min_value=0.01, max_value=0.99),
)
def test_beta_quantile_inverts_the_cdf(a, b, q):
    """The quantile brackets ``q``: just below it the CDF is under ``q``, just above it over. (Compared
    in x, not in q: where the density is huge, e.g. Beta(800, 0.2) near 1, one float step of x moves
    the CDF by more than any fixed tolerance in q.)"""
    x = beta_ppf(q, a, b)
    assert 0 <= x <= 1
    assert beta_cdf(x * (1 - 1e-10), a, b) <= q + 1e-9
    assert beta_cdf(min(1.0, x * (1 + 1e-10)), a, b) >= q - 1e-9


def test_the_credible_interval_narrows_as_evidence_grows():
    few = posterior(prior_rate=0.5, prior_strength=2, successes=3, attempts=4)
    many = posterior(prior_rate=0.5, prior_strength=2, successes=300, attempts=400)
    low, high = few.interval()
    assert low < few.mean < high
    assert many.interval()[1] - many.interval()[0] < (high - low) / 5
    assert few.sd > many.sd


def test_the_posterior_mean_is_the_ranking_formula():
    belief = posterior(
        prior_rate=0.3,
        prior_strength=4,
        successes=6,
        attempts=10,
        rest_successes=40,
        rest_attempts=50,
        borrow_strength=5,
    )
    weight = 5 * 5 / (5 + 10)
    assert belief.mean == pytest.approx((0.3 * 4 + weight * 0.8 + 6) / (4 + weight + 10))
    assert belief.alpha + belief.beta == pytest.approx(4 + weight + 10)


# --- Policies --------------------------------------------------------------------------


def test_the_optimism_bonus_shrinks_with_evidence(settings):
    settings.CURRICULUM_UCB_WIDTH = 1.0
    little = Posterior(alpha=1, beta=1)
    much = Posterior(alpha=100, beta=100)
    ucb = selection_scores("ucb", [little, much])
    assert ucb[0] - little.mean > ucb[1] - much.mean > 0
    assert ucb[0] - little.mean == pytest.approx(math.sqrt(1 / 12))
    assert selection_scores("greedy", [little, much]) == [0.5, 0.5]


@pytest.fixture
def confident(db):
    """The designers are sure about Plan A; Plan D has a weak, low prior."""
    curriculum = make_curriculum(steps=1, plans="ABCD", priors={"A": 0.8, "B": 0.5, "C": 0.45, "D": 0.4})
    Alternative.objects.filter(code="A").update(prior_strength=40)
    return curriculum


def test_greedy_ranks_by_expected_success_and_explores_nothing(confident):
    ranked = alternatives_rank(step=confident.steps.get(), traits=CALM, policy="greedy")
    assert [r.plan_id for r in ranked] == ["A", "B", "C", "D"]
    assert not any(r.exploring for r in ranked)
    assert [r.selection_score for r in ranked] == [r.expected_success for r in ranked]


def test_ucb_suggests_a_little_tried_plan_and_says_why_in_the_curriculums_words(confident):
    Alternative.objects.filter(code="A").update(prior_success_rate=0.6)
    ranked = alternatives_rank(step=confident.steps.get(), traits=CALM, policy="ucb")
    first = ranked[0]
    assert first.plan_id == "B" and first.recommended and first.exploring
    assert first.expected_success < next(r for r in ranked if r.plan_id == "A").expected_success
    assert first.reason == (
        "Plan B is promising but little tried with dogs like yours (not tried with them yet): "
        "trying it shows whether it works better than Plan A."
    )


def test_ucb_stops_exploring_once_the_evidence_is_in(confident):
    Alternative.objects.filter(code="A").update(prior_success_rate=0.6)
    for plan in Alternative.objects.exclude(code="A"):
        AlternativeStat.objects.create(alternative=plan, segment="*", attempts=200, successes=80)
        AlternativeStat.objects.create(
            alternative=plan, segment="energy_level=low", attempts=200, successes=80
        )
    ranked = alternatives_rank(step=confident.steps.get(), traits=CALM, policy="ucb")
    assert ranked[0].plan_id == "A" and ranked[0].recommended
    assert not any(r.exploring for r in ranked)


def test_thompson_gives_the_same_learner_the_same_ranking_and_learners_different_ones(confident, user):
    enrollment, _ = services.enrollment_get_or_create(user=user, curriculum=confident, traits=CALM)
    step = confident.steps.get()
    Alternative.objects.filter(code="A").update(prior_success_rate=0.55, prior_strength=2)
    step.curriculum.selection_policy = "thompson"
    first = enrollment_step_alternatives(enrollment=enrollment, step=step)
    again = enrollment_step_alternatives(enrollment=enrollment, step=step)
    assert first.policy == "thompson"
    assert [(r.plan_id, r.selection_score) for r in first.alternatives] == [
        (r.plan_id, r.selection_score) for r in again.alternatives
    ]
    orders = {
        tuple(
            r.plan_id for r in alternatives_rank(step=step, traits=CALM, enrollment_id=i, policy="thompson")
        )
        for i in range(1, 40)
    }
    assert len(orders) > 3, "different learners draw different rankings"


@pytest.mark.parametrize("policy", ["ucb", "thompson"])
def test_exploration_never_suggests_an_excluded_or_failed_plan(policy, db, user):
    """Plan D would be explored first (weak prior, high rate), but its match rules exclude calm
    dogs; Plan C was already tried without success."""
    curriculum = make_curriculum(steps=1, plans="ABCD", priors={"A": 0.6, "B": 0.5, "C": 0.9, "D": 0.95})
    Alternative.objects.filter(code="A").update(prior_strength=100)
    Alternative.objects.filter(code="D").update(
        prior_strength=0.5,
        match_rules=[{"trait": "energy_level", "operator": "in", "values": ["high"]}],
    )
    enrollment, _ = services.enrollment_get_or_create(user=user, curriculum=curriculum, traits=CALM)
    state = enrollment.step_states.get()
    assert state.current_alternative.code == "C"
    services.coach_status_record(
        user=user, enrollment=enrollment, step_order=1, plan_id="C", outcome="STOPPED"
    )
    curriculum.selection_policy = policy
    curriculum.save(update_fields=["selection_policy"])
    step = curriculum.steps.get()
    for enrollment_id in range(1, 30):
        ranked = alternatives_rank(
            step=step,
            traits=CALM,
            failed_counts={Alternative.objects.get(code="C").pk: 1},
            enrollment_id=enrollment_id,
        )
        suggested = [r.plan_id for r in ranked if r.recommended or r.exploring]
        assert "C" not in suggested and "D" not in suggested
        assert [r.plan_id for r in ranked][-2:] in (["C", "D"], ["D", "C"])


def test_the_curriculums_policy_overrides_the_setting(confident, settings):
    settings.CURRICULUM_SELECTION_POLICY = "greedy"
    Alternative.objects.filter(code="A").update(prior_success_rate=0.6)
    step = confident.steps.get()
    assert alternatives_rank(step=step, traits=CALM)[0].plan_id == "A"
    confident.selection_policy = "ucb"
    confident.save(update_fields=["selection_policy"])
    step = confident.steps.select_related("curriculum").get()
    assert alternatives_rank(step=step, traits=CALM)[0].plan_id == "B"
