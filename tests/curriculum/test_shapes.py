"""The plain-dict answers of curriculum/shapes.py agree with the serializers that document them
in the schema, field for field."""

import pytest

from curriculum import selectors
from curriculum.api.serializers import (
    CoachStatusResultSerializer,
    HistoryEventSerializer,
    RankedAlternativeSerializer,
    StepAlternativesSerializer,
)
from curriculum.models import Alternative, Step
from curriculum.shapes import coach_status_data, history_event_data, step_alternatives_data

from .factories import make_curriculum

pytestmark = pytest.mark.django_db


def _alternatives(enrollment, order):
    step = Step.objects.get(curriculum=enrollment.curriculum, order=order)
    step.curriculum = enrollment.curriculum
    return selectors.enrollment_step_alternatives(enrollment=enrollment, step=step)


def _assert_same(shaped, serializer):
    assert shaped == serializer.data
    assert list(shaped) == list(serializer.fields)


def test_the_ranked_alternatives_shape_is_what_the_serializer_documents(enrollment, record):
    Alternative.objects.filter(step__order=1, code="D").update(
        match_rules=[{"trait": "energy_level", "operator": "in", "values": ["low"]}]
    )
    record(enrollment, 1, "A", "STOPPED")
    for order in (1, 2):  # an open plan with advice; a step not started
        result = _alternatives(enrollment, order)
        _assert_same(step_alternatives_data(result), StepAlternativesSerializer(result))
        assert list(step_alternatives_data(result)["alternatives"][0]) == list(
            RankedAlternativeSerializer().fields
        )
    assert step_alternatives_data(_alternatives(enrollment, 1))["switch_to"] is not None
    record(enrollment, 1, "A", "SUCCESS")
    result = _alternatives(enrollment, 1)
    assert step_alternatives_data(result)["switch_to"] is None
    _assert_same(step_alternatives_data(result), StepAlternativesSerializer(result))


@pytest.mark.parametrize(
    ("outcome", "extra"),
    [
        ("STOPPED", {}),
        ("SWAPPED", {"next_plan_id": "C", "reason": "too hard"}),
        ("SKIPPED_INEFFECTIVE", {}),
        ("SUCCESS", {"client_key": "k-1"}),
    ],
)
def test_the_coach_status_shape_is_what_the_serializer_documents(enrollment, record, outcome, extra):
    result = record(enrollment, 1, "A", outcome, **extra)
    _assert_same(coach_status_data(result), CoachStatusResultSerializer(result))
    _assert_same(history_event_data(result.event), HistoryEventSerializer(result.event))
    if extra.get("client_key"):
        replayed = record(enrollment, 1, "A", outcome, **extra)
        assert replayed.replayed
        _assert_same(coach_status_data(replayed), CoachStatusResultSerializer(replayed))
        assert coach_status_data(replayed) == {**coach_status_data(result), "replayed": True}


def test_the_last_success_shows_a_completed_enrollment(user, record):
    from curriculum import services

    curriculum = make_curriculum(steps=1, plans="AB")
    enrollment, _ = services.enrollment_get_or_create(
        user=user, curriculum=curriculum, traits={"energy_level": "low"}
    )
    result = record(enrollment, 1, "A", "SUCCESS")
    shaped = coach_status_data(result)
    assert shaped["enrollment_state"] == "completed" and shaped["current_step"] is None
    _assert_same(shaped, CoachStatusResultSerializer(result))
