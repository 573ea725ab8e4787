"""The API's answers on the hot paths of curriculum, shaped as plain dicts.

Building the ranked alternatives (and the coach status result) through DRF's per-field
machinery cost more than reading them. The serializers in ``curriculum/api/serializers.py``
declare (and so document) exactly these shapes, and ``tests/curriculum/test_shapes.py`` checks
that both agree, field for field.
"""

from datetime import datetime

from rest_framework.fields import DateTimeField

_DATETIME = DateTimeField()


def _time(value: datetime | None):
    return _DATETIME.to_representation(value) if value is not None else None


def ranked_alternative_data(ranked) -> dict:
    """One :class:`~curriculum.selectors.RankedAlternative` (``RankedAlternativeSerializer``)."""
    alternative = ranked.alternative
    return {
        "plan_id": alternative.code,
        "title": alternative.title,
        "summary": alternative.summary,
        "content": alternative.content,
        "rank": ranked.rank,
        "recommended": ranked.recommended,
        "expected_success": float(ranked.expected_success),
        "segment": ranked.segment,
        "successes": ranked.successes,
        "attempts": ranked.attempts,
        "overall_successes": ranked.overall_successes,
        "overall_attempts": ranked.overall_attempts,
        "reason": ranked.reason,
        "tried_without_success": ranked.tried_without_success,
        "failed_attempts": ranked.failed_attempts,
        "excluded": ranked.excluded,
        "is_current": ranked.is_current,
        "selection_score": float(ranked.selection_score),
        "exploring": ranked.exploring,
    }


def step_alternatives_data(result) -> dict:
    """:class:`~curriculum.selectors.StepAlternatives` as ``StepAlternativesSerializer`` shows it."""
    state = result.state
    switch_to = result.switch_to
    return {
        "enrollment": result.enrollment.pk,
        "step": result.step.order,
        "step_title": result.step.title,
        "segment": result.segment,
        "policy": result.policy,
        "current_plan_id": (
            state.current_alternative.code if state and state.current_alternative_id is not None else None
        ),
        "switch_to": (
            {
                "plan_id": switch_to.alternative.code,
                "title": switch_to.alternative.title,
                "reason": switch_to.reason,
            }
            if switch_to is not None
            else None
        ),
        "alternatives": [ranked_alternative_data(ranked) for ranked in result.alternatives],
    }


def history_event_data(event) -> dict:
    """An :class:`~curriculum.models.OutcomeEvent` (``HistoryEventSerializer``); its step,
    alternative and next alternative loaded with it."""
    return {
        "id": event.pk,
        "step": event.step.order,
        "plan_id": event.alternative.code,
        "outcome": event.outcome,
        "next_plan_id": event.next_alternative.code if event.next_alternative_id is not None else None,
        "reason": event.reason,
        "legacy_status": event.legacy_status,
        "segment": event.segment,
        "counted": event.counted,
        "client_key": event.client_key,
        "created_at": _time(event.created_at),
    }


def coach_status_data(result) -> dict:
    """A :class:`~curriculum.services.StatusResult` as ``CoachStatusResultSerializer`` shows it."""
    enrollment, state = result.enrollment, result.state
    return {
        "enrollment": enrollment.pk,
        "step": state.step.order,
        "state": state.state,
        "plan_id": state.current_alternative.code if state.current_alternative_id is not None else None,
        "metadata": state.metadata,
        "enrollment_state": enrollment.state,
        "current_step": enrollment.current_step.order if enrollment.current_step_id is not None else None,
        "replayed": result.replayed,
        "event": history_event_data(result.event),
    }
