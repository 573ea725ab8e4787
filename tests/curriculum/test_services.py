import pytest
from django.core.exceptions import ValidationError

from config.errors import Conflict
from curriculum import services
from curriculum.models import AlternativeStat, Curriculum, Enrollment, EnrollmentStep, OutcomeEvent
from tests.factories import UserFactory

from .factories import AlternativeFactory, make_curriculum

pytestmark = pytest.mark.django_db


def stat(curriculum, step, code, segment="*"):
    row = AlternativeStat.objects.filter(
        alternative__step__curriculum=curriculum,
        alternative__step__order=step,
        alternative__code=code,
        segment=segment,
    ).first()
    return (row.successes, row.attempts) if row else (0, 0)


def state_of(enrollment, order):
    return EnrollmentStep.objects.select_related("current_alternative").get(
        enrollment=enrollment, step__order=order
    )


def test_enrolling_starts_step_one_on_the_recommended_plan(enrollment):
    assert enrollment.current_step.order == 1
    state = state_of(enrollment, 1)
    assert state.current_alternative.code == "A"
    assert state.state == "in_progress"
    assert state.metadata == {"selected_alternative_id": "A", "reason": "recommended"}


def test_enrolling_twice_returns_the_active_enrollment(enrollment, curriculum, user):
    again, created = services.enrollment_get_or_create(
        user=user, curriculum=curriculum, traits={"energy_level": "low"}
    )
    assert not created
    assert again.pk == enrollment.pk
    assert again.traits["energy_level"] == "high"


def test_traits_that_break_the_schema_are_rejected(curriculum, user):
    with pytest.raises(ValidationError) as excinfo:
        services.enrollment_get_or_create(user=user, curriculum=curriculum, traits={"energy_level": "hyper"})
    assert "traits" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.enrollment_get_or_create(user=user, curriculum=curriculum, traits={"food_motivation": "low"})
    assert not Enrollment.objects.exists()


def test_success_completes_the_step_and_moves_to_the_next(enrollment, record, curriculum):
    result = record(enrollment, 1, "A", "SUCCESS")
    assert result.state.state == "succeeded"
    assert result.state.completed_at is not None
    enrollment.refresh_from_db()
    assert enrollment.current_step.order == 2
    assert state_of(enrollment, 2).current_alternative.code == "A"
    assert stat(curriculum, 1, "A") == (1, 1)
    assert stat(curriculum, 1, "A", "energy_level=high") == (1, 1)


def test_success_on_the_last_step_completes_the_enrollment(enrollment, record):
    for order in (1, 2, 3):
        record(enrollment, order, "A", "SUCCESS")
    enrollment.refresh_from_db()
    assert enrollment.state == "completed"
    assert enrollment.current_step is None
    assert enrollment.completed_at is not None
    with pytest.raises(Conflict) as excinfo:
        record(enrollment, 3, "A", "SUCCESS")
    assert excinfo.value.code == "enrollment_completed"


def test_a_completed_enrollment_lets_the_learner_enroll_again(enrollment, record, curriculum, user):
    for order in (1, 2, 3):
        record(enrollment, order, "A", "SUCCESS")
    fresh, created = services.enrollment_get_or_create(
        user=user, curriculum=curriculum, traits={"energy_level": "low"}
    )
    assert created and fresh.pk != enrollment.pk


def test_stopped_keeps_the_step_open_and_counts_a_failure(enrollment, record, curriculum):
    result = record(enrollment, 1, "A", "STOPPED")
    assert result.state.state == "stopped"
    enrollment.refresh_from_db()
    assert enrollment.current_step.order == 1
    assert stat(curriculum, 1, "A") == (0, 1)
    again = record(enrollment, 1, "A", "SUCCESS")
    assert again.state.state == "succeeded"
    assert stat(curriculum, 1, "A") == (1, 2)


def test_swapped_moves_to_the_next_plan_with_metadata(enrollment, record, curriculum):
    result = record(enrollment, 1, "A", "SWAPPED", next_plan_id="C", reason="ineffective")
    assert result.state.state == "in_progress"
    assert result.state.current_alternative.code == "C"
    assert result.state.metadata == {"selected_alternative_id": "C", "reason": "ineffective"}
    assert result.event.next_alternative.code == "C"
    assert stat(curriculum, 1, "A") == (0, 1)
    assert stat(curriculum, 1, "C") == (0, 0)


def test_a_swap_right_after_stopped_does_not_count_the_same_attempt_twice(enrollment, record, curriculum):
    record(enrollment, 1, "A", "STOPPED")
    swap = record(enrollment, 1, "A", "SWAPPED", next_plan_id="B")
    assert swap.event.counted is False
    assert stat(curriculum, 1, "A") == (0, 1)
    assert OutcomeEvent.objects.filter(enrollment=enrollment).count() == 2


def test_legacy_skipped_ineffective_swaps_to_the_next_plan_in_designer_order(enrollment, record):
    result = record(enrollment, 1, "A", "SKIPPED_INEFFECTIVE")
    assert result.state.current_alternative.code == "B"
    assert result.state.metadata == {"selected_alternative_id": "B", "reason": "ineffective"}
    assert result.event.outcome == "SWAPPED"
    assert result.event.legacy_status == "SKIPPED_INEFFECTIVE"


def test_legacy_skip_from_the_last_plan_is_a_conflict(enrollment, record):
    record(enrollment, 1, "A", "SWAPPED", next_plan_id="D")
    with pytest.raises(Conflict) as excinfo:
        record(enrollment, 1, "D", "SKIPPED_INEFFECTIVE")
    assert excinfo.value.code == "no_next_alternative"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"plan": "A", "outcome": "SWAPPED"}, "next_plan_id"),
        ({"plan": "A", "outcome": "SWAPPED", "next_plan_id": "E"}, "next_plan_id"),
        ({"plan": "A", "outcome": "SWAPPED", "next_plan_id": "A"}, "next_plan_id"),
        ({"plan": "A", "outcome": "SUCCESS", "next_plan_id": "B"}, "next_plan_id"),
        ({"plan": "A", "outcome": "FINISHED"}, "outcome"),
        ({"plan": "Z", "outcome": "SUCCESS"}, "plan_id"),
        ({"plan": "A", "outcome": "SUCCESS", "step": 9}, "step"),
    ],
)
def test_bad_input_is_a_validation_error_on_its_field(enrollment, record, kwargs, field):
    kwargs = dict(kwargs)
    with pytest.raises(ValidationError) as excinfo:
        record(enrollment, kwargs.pop("step", 1), kwargs.pop("plan"), kwargs.pop("outcome"), **kwargs)
    assert field in excinfo.value.message_dict
    assert not OutcomeEvent.objects.exists()


def test_next_plan_of_another_step_is_rejected(enrollment, record, curriculum):
    AlternativeFactory(step=curriculum.steps.get(order=2), order=5, code="E")
    with pytest.raises(ValidationError) as excinfo:
        record(enrollment, 1, "A", "SWAPPED", next_plan_id="E")
    assert excinfo.value.message_dict["next_plan_id"] == ["Plan E is not an alternative of step 1."]


def test_a_plan_that_is_not_the_current_one_is_a_conflict(enrollment, record):
    with pytest.raises(Conflict) as excinfo:
        record(enrollment, 1, "B", "STOPPED")
    assert excinfo.value.code == "not_current_plan"
    assert excinfo.value.extra["current_plan_id"] == "A"


def test_a_step_that_is_not_open_is_a_conflict(enrollment, record):
    with pytest.raises(Conflict) as excinfo:
        record(enrollment, 2, "A", "SUCCESS")
    assert excinfo.value.code == "step_not_open"


def test_a_retry_with_the_same_client_key_changes_nothing(enrollment, record, curriculum):
    first = record(enrollment, 1, "A", "STOPPED", client_key="k-1")
    retry = record(enrollment, 1, "A", "STOPPED", client_key="k-1")
    assert retry.replayed and not first.replayed
    assert retry.event.pk == first.event.pk
    assert OutcomeEvent.objects.count() == 1
    assert stat(curriculum, 1, "A") == (0, 1)


def test_a_retried_success_with_its_key_is_answered_after_the_step_moved_on(enrollment, record):
    record(enrollment, 1, "A", "SUCCESS", client_key="k-1")
    retry = record(enrollment, 1, "A", "SUCCESS", client_key="k-1")
    assert retry.replayed and retry.state.state == "succeeded"


def test_reusing_a_client_key_for_another_status_is_a_conflict(enrollment, record):
    record(enrollment, 1, "A", "STOPPED", client_key="k-1")
    with pytest.raises(Conflict) as excinfo:
        record(enrollment, 1, "A", "SUCCESS", client_key="k-1")
    assert excinfo.value.code == "client_key_reused"


def test_a_retried_success_without_a_key_is_refused_not_double_counted(enrollment, record, curriculum):
    record(enrollment, 1, "A", "SUCCESS")
    with pytest.raises(Conflict):
        record(enrollment, 1, "A", "SUCCESS")
    assert stat(curriculum, 1, "A") == (1, 1)


def test_publishing_needs_an_offered_alternative_on_every_step(user):
    curriculum = make_curriculum(steps=2, plans="A", status=Curriculum.Status.DRAFT)
    curriculum.steps.get(order=2).alternatives.update(is_active=False)
    with pytest.raises(ValidationError):
        services.curriculum_publish(user=user, curriculum=curriculum)
    curriculum.steps.get(order=2).alternatives.update(is_active=True)
    services.curriculum_publish(user=user, curriculum=curriculum)
    curriculum.refresh_from_db()
    assert curriculum.is_published and curriculum.published_at is not None
    services.curriculum_unpublish(user=user, curriculum=curriculum)
    curriculum.refresh_from_db()
    assert not curriculum.is_published


def test_a_curriculum_cannot_segment_by_a_free_text_trait():
    curriculum = make_curriculum(steps=1, plans="A")
    curriculum.trait_schema = {
        "type": "object",
        "properties": {"name": {"type": "string", "x-segment": True}},
    }
    with pytest.raises(ValidationError):
        curriculum.full_clean()


def test_segment_keys_are_canonical():
    curriculum = make_curriculum(steps=1, plans="A")
    curriculum.trait_schema = {
        "type": "object",
        "properties": {
            "b": {"type": "string", "enum": ["x"], "x-segment": True},
            "a": {"type": "boolean", "x-segment": True},
            "c": {"type": "string"},
        },
    }
    assert curriculum.segment_for({"c": "z", "b": "x", "a": True}) == "a=true&b=x"
    assert curriculum.segment_for({"c": "z"}) == ""


def test_other_learners_outcomes_do_not_touch_my_state(enrollment, record, curriculum):
    other = UserFactory()
    theirs, _ = services.enrollment_get_or_create(
        user=other, curriculum=curriculum, traits={"energy_level": "low"}
    )
    record(theirs, 1, "A", "SUCCESS")
    assert state_of(enrollment, 1).state == "in_progress"
    assert stat(curriculum, 1, "A", "energy_level=low") == (1, 1)
    assert stat(curriculum, 1, "A", "energy_level=high") == (0, 0)


def test_a_step_without_plans_yet_accepts_the_first_plan_a_designer_adds(user, record):
    curriculum = make_curriculum(steps=2, plans="A")
    curriculum.steps.get(order=2).alternatives.all().delete()
    enrollment, _ = services.enrollment_get_or_create(
        user=user, curriculum=curriculum, traits={"energy_level": "low"}
    )
    record(enrollment, 1, "A", "SUCCESS")
    assert state_of(enrollment, 2).current_alternative is None
    AlternativeFactory(step=curriculum.steps.get(order=2), order=1, code="A")
    result = record(enrollment, 2, "A", "SUCCESS")
    assert result.enrollment.state == "completed"


def test_a_trait_schema_that_is_not_a_json_schema_is_refused():
    curriculum = make_curriculum(steps=1, plans="A")
    curriculum.trait_schema = {"type": "object", "properties": {"energy_level": {"type": "colour"}}}
    with pytest.raises(ValidationError) as excinfo:
        curriculum.full_clean()
    assert "trait_schema" in excinfo.value.message_dict


def test_the_enrollments_slug_is_reserved_for_api_paths():
    curriculum = make_curriculum(steps=1, plans="A")
    curriculum.slug = "enrollments"
    with pytest.raises(ValidationError) as excinfo:
        curriculum.full_clean()
    assert "slug" in excinfo.value.message_dict
