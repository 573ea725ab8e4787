"""Raw SQL of curriculum: every column a statement names is a column of the model, the one-query
ranking answers what the ORM ranking (:func:`enrollment_step_alternatives`) does on real data,
and recording statuses writes the events, states and statistics the rules say."""

import random

import pytest

from curriculum import selectors, services, sql
from curriculum.api.serializers import StepAlternativesSerializer
from curriculum.models import (
    Alternative,
    AlternativeStat,
    Curriculum,
    Enrollment,
    EnrollmentStep,
    OutcomeEvent,
    Step,
)
from curriculum.services import curriculum_stats_rebuild
from curriculum.shapes import step_alternatives_data
from tests.factories import UserFactory

from .factories import DOG_TRAITS, make_curriculum

pytestmark = pytest.mark.django_db

LEVELS = ["low", "medium", "high"]


def test_the_columns_named_in_the_statements_exist():
    for model, columns in sql.NAMED_COLUMNS.items():
        actual = {f.column for f in model._meta.concrete_fields}
        assert columns <= actual, (model.__name__, columns - actual)
    assert {f.attname for f in Alternative._meta.concrete_fields} == set(sql.NAMED_COLUMNS[Alternative])
    assert set(sql.OUTCOME_EVENT_COLUMNS) == sql.NAMED_COLUMNS[OutcomeEvent] - {"id"}
    assert set(sql.ENROLLMENT_STEP_COLUMNS) <= sql.NAMED_COLUMNS[EnrollmentStep]
    assert {f.attname for f in OutcomeEvent._meta.concrete_fields} == sql.NAMED_COLUMNS[OutcomeEvent]


def test_the_alternative_keys_are_alternative_columns_and_statistics():
    named = sql.NAMED_COLUMNS[Alternative] - {"step_id", "is_active"}
    stats = {"successes", "attempts", "segment_successes", "segment_attempts", "failed"}
    assert set(sql.ALTERNATIVE_KEYS) == named | stats


def _compared(result):
    """Everything a StepAlternatives says, in comparable values."""
    return {
        "enrollment": result.enrollment.pk,
        "step": (result.step.pk, result.step.order, result.step.title),
        "state": (
            (result.state.pk, result.state.current_alternative_id, result.state.state)
            if result.state
            else None
        ),
        "segment": result.segment,
        "policy": result.policy,
        "switch_to": result.switch_to.plan_id if result.switch_to else None,
        "ranked": [
            {
                **{name: getattr(r, name) for name in r.__dataclass_fields__ if name != "alternative"},
                "alternative": {
                    f.attname: getattr(r.alternative, f.attname) for f in Alternative._meta.concrete_fields
                },
            }
            for r in result.alternatives
        ],
        "shape": step_alternatives_data(result),
    }


def _both_paths(user, enrollment, order):
    """(the ORM function's answer, the one-query path's answer), compared as data."""
    enrollment = Enrollment.objects.select_related("curriculum").get(pk=enrollment.pk)
    step = Step.objects.get(curriculum=enrollment.curriculum, order=order)
    step.curriculum = enrollment.curriculum
    current = selectors.enrollment_step_alternatives(enrollment=enrollment, step=step)
    assert StepAlternativesSerializer(current).data == step_alternatives_data(current)
    fast = selectors.step_alternatives_for(user=user, enrollment_id=enrollment.pk, order=order)
    return _compared(current), _compared(fast)


def _play(rng, enrollment):
    """A few random statuses of one learner, as a coach would send them."""
    for _ in range(rng.randint(0, 6)):
        enrollment.refresh_from_db()
        if enrollment.state != Enrollment.State.ACTIVE:
            return
        step = enrollment.current_step
        state = EnrollmentStep.objects.filter(enrollment=enrollment, step=step).first()
        plans = [a.code for a in Alternative.objects.filter(step=step, is_active=True)]
        plan = state.current_alternative.code if state and state.current_alternative else plans[0]
        outcome = rng.choice(["SUCCESS", "STOPPED", "STOPPED", "SWAPPED", "SKIPPED_INEFFECTIVE"])
        others = [code for code in plans if code != plan]
        if outcome == "SWAPPED" and not others:
            outcome = "STOPPED"
        try:
            services.coach_status_record(
                user=enrollment.user,
                enrollment=enrollment,
                step_order=step.order,
                plan_id=plan,
                outcome=outcome,
                next_plan_id=rng.choice(others) if outcome == "SWAPPED" else None,
            )
        except services.Conflict:
            pass  # e.g. nothing left to skip to


@pytest.mark.parametrize("policy", ["greedy", "ucb", "thompson"])
def test_the_one_query_ranking_equals_the_orm_ranking_over_many_states(policy):
    rng = random.Random(f"ranking-{policy}")
    schema = {
        **DOG_TRAITS,
        "properties": {
            **DOG_TRAITS["properties"],
            "food_motivation": {**DOG_TRAITS["properties"]["food_motivation"], "x-segment": True},
            "neutered": {"type": "boolean", "x-segment": True},
        },
        "required": [],
    }
    curriculum = make_curriculum(
        steps=3,
        plans="ABCDE",
        priors={"A": 0.7, "B": 0.5, "C": 0.45, "D": 0.3, "E": 0.6},
        trait_schema=schema,
    )
    curriculum.selection_policy = policy
    curriculum.save(update_fields=["selection_policy"])
    step_one = curriculum.steps.get(order=1)
    Alternative.objects.filter(step=step_one, code="C").update(
        match_rules=[{"trait": "energy_level", "operator": "in", "values": ["high"]}]
    )
    Alternative.objects.filter(step__curriculum=curriculum, step__order=2, code="E").update(is_active=False)
    Alternative.objects.filter(step__curriculum=curriculum, step__order=3, code="D").update(
        match_rules=[{"trait": "age_months", "operator": "at_least", "number": 12, "note": "Grown dogs."}],
        prior_strength=40.0,
    )
    learners = []
    for index in range(14):
        traits = {"energy_level": rng.choice(LEVELS)}
        if index % 3:
            traits["food_motivation"] = rng.choice(LEVELS)
        if index % 4 == 0:
            traits["neutered"] = rng.choice([True, False])
        if index % 5 == 0:
            traits["age_months"] = rng.choice([6, 30])
        if index == 13:
            traits = {}  # no segmenting trait: the all-learners segment
        user = UserFactory()
        enrollment, _ = services.enrollment_get_or_create(user=user, curriculum=curriculum, traits=traits)
        learners.append((user, enrollment))
    for _ in range(3):
        for _, enrollment in learners:
            _play(rng, enrollment)
    compared = 0
    for user, enrollment in learners:
        for order in (1, 2, 3):
            current, fast = _both_paths(user, enrollment, order)
            assert fast == current, (enrollment.traits, order)
            compared += 1
    assert compared == 42
    assert AlternativeStat.objects.filter(alternative__step__curriculum=curriculum).exists()


def test_a_trait_value_sql_spells_differently_reads_the_statistics_again():
    schema = {
        "type": "object",
        "properties": {"weight": {"type": "number", "enum": [2.5, 1e20], "x-segment": True}},
    }
    curriculum = make_curriculum(steps=1, plans="AB", trait_schema=schema)
    learners = []
    for weight in (2.5, 1e20, 2.5):
        user = UserFactory()
        enrollment, _ = services.enrollment_get_or_create(
            user=user, curriculum=curriculum, traits={"weight": weight}
        )
        plan = EnrollmentStep.objects.get(enrollment=enrollment).current_alternative.code
        services.coach_status_record(
            user=user, enrollment=enrollment, step_order=1, plan_id=plan, outcome="STOPPED"
        )
        learners.append((user, enrollment))
    Curriculum.objects.filter(pk=curriculum.pk).update(
        trait_schema={"type": "object", "properties": {"weight": {"type": "number", "x-segment": 1}}}
    )
    for user, enrollment in learners:
        current, fast = _both_paths(user, enrollment, 1)
        assert fast == current
        assert sum(r["attempts"] for r in current["ranked"]) > 0


def test_another_users_enrollment_or_a_missing_step_is_not_found(enrollment):
    stranger = UserFactory()
    with pytest.raises(services.NotFound, match="Enrollment"):
        selectors.step_alternatives_for(user=stranger, enrollment_id=enrollment.pk, order=1)
    with pytest.raises(services.NotFound, match="Step"):
        selectors.step_alternatives_for(user=enrollment.user, enrollment_id=enrollment.pk, order=99)
    with pytest.raises(services.NotFound, match="Step"):
        selectors.step_alternatives_for(user=enrollment.user, enrollment_id=enrollment.pk, order=10**20)
    with pytest.raises(services.NotFound, match="Enrollment"):
        selectors.step_alternatives_for(user=enrollment.user, enrollment_id=10**20, order=1)


def test_the_statistics_writes_count_every_attempt_once(user):
    curriculum = make_curriculum(steps=2, plans="ABC", trait_schema={**DOG_TRAITS, "required": []})
    for traits in ({"energy_level": "high"}, {"energy_level": "low"}, {}):
        learner = UserFactory()
        enrollment, _ = services.enrollment_get_or_create(user=learner, curriculum=curriculum, traits=traits)
        for outcome in ("STOPPED", "STOPPED", "SUCCESS"):
            state = EnrollmentStep.objects.get(enrollment=enrollment, step__order=1)
            services.coach_status_record(
                user=learner,
                enrollment=enrollment,
                step_order=1,
                plan_id=state.current_alternative.code,
                outcome=outcome,
            )
    rows = {
        (row.alternative.code, row.segment): (row.successes, row.attempts)
        for row in AlternativeStat.objects.filter(alternative__step__curriculum=curriculum).select_related(
            "alternative"
        )
    }
    assert sum(n for (_, segment), (_, n) in rows.items() if segment == "*") == 9
    assert sum(s for (_, segment), (s, _) in rows.items() if segment == "*") == 3
    assert sum(n for (_, segment), (_, n) in rows.items() if segment.startswith("energy_level")) == 6
    assert curriculum_stats_rebuild(dry_run=True) == []


SCRIPT = [
    # (step, plan, outcome, extra): a learner's statuses, including refusals and a replay
    (1, "A", "STOPPED", {}),
    (1, "A", "SWAPPED", {"next_plan_id": "C", "reason": "too hard"}),
    (1, "C", "STOPPED", {"client_key": "k1"}),
    (1, "C", "STOPPED", {"client_key": "k1"}),  # a retry: replayed
    (1, "C", "STOPPED", {}),
    (1, "A", "STOPPED", {}),  # not the current plan: 409
    (1, "C", "SKIPPED_INEFFECTIVE", {}),
    (1, "D", "SUCCESS", {}),
    (1, "D", "SUCCESS", {}),  # the step moved on: 409
    (2, "B", "STOPPED", {}),
]


def _run_script(user, curriculum):
    enrollment, _ = services.enrollment_get_or_create(
        user=user, curriculum=curriculum, traits={"energy_level": "low"}
    )
    answers = []
    for step, plan, outcome, extra in SCRIPT:
        if step == 2 and plan == "B":
            plan = EnrollmentStep.objects.get(enrollment=enrollment, step__order=2).current_alternative.code
        try:
            result = services.coach_status_record(
                user=user, enrollment=enrollment.pk, step_order=step, plan_id=plan, outcome=outcome, **extra
            )
        except (services.Conflict, services.ValidationError) as error:
            answers.append(type(error).__name__)
            continue
        answers.append(
            (
                result.replayed,
                result.state.state,
                result.state.current_alternative.code,
                result.state.metadata,
                result.enrollment.current_step.order,
                result.event.outcome,
                result.event.counted,
                result.event.segment,
            )
        )
    events = list(
        OutcomeEvent.objects.filter(enrollment=enrollment)
        .order_by("id")
        .values_list(
            "step__order", "alternative__code", "outcome", "next_alternative__code", "counted", "segment"
        )
    )
    states = list(
        EnrollmentStep.objects.filter(enrollment=enrollment)
        .order_by("step__order")
        .values_list("step__order", "current_alternative__code", "state", "metadata")
    )
    stats = sorted(
        AlternativeStat.objects.filter(alternative__step__curriculum=curriculum).values_list(
            "alternative__step__order", "alternative__code", "segment", "attempts", "successes"
        )
    )
    return answers, events, states, stats


def test_a_learners_statuses_answer_and_write_what_the_rules_say():
    answers, events, states, stats = _run_script(UserFactory(), make_curriculum(steps=2, plans="ABCD"))
    assert answers[3][0] is True and answers[5] == answers[8] == "Conflict"
    assert [a[0] for a in answers if isinstance(a, tuple)] == [
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        False,
    ]
    assert [(step, plan, outcome, counted) for step, plan, outcome, _, counted, _ in events] == [
        (1, "A", "STOPPED", True),
        (1, "A", "SWAPPED", False),
        (1, "C", "STOPPED", True),
        (1, "C", "STOPPED", True),
        (1, "C", "SWAPPED", False),
        (1, "D", "SUCCESS", True),
        (2, events[-1][1], "STOPPED", True),
    ]
    assert states[0][1:3] == ("D", "succeeded") and states[1][2] == "stopped"
    assert sum(attempts for _, _, segment, attempts, _ in stats if segment == "*") == 5
    assert curriculum_stats_rebuild(dry_run=True) == []
