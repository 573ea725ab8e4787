"""Any sequence of statuses keeps the history, the states and the statistics consistent."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import Conflict
from curriculum import services
from curriculum.models import EnrollmentStep, OutcomeEvent
from curriculum.services import curriculum_stats_rebuild
from tests.factories import UserFactory

from .factories import make_curriculum

pytestmark = pytest.mark.django_db

statuses = st.lists(
    st.tuples(
        st.sampled_from(["SUCCESS", "STOPPED", "SWAPPED", "SKIPPED_INEFFECTIVE", "BOGUS"]),
        st.sampled_from(["current", "current", "A", "B", "C", "X"]),
        st.sampled_from([None, "A", "B", "C", "X"]),
        st.integers(min_value=1, max_value=3),
    ),
    max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=statuses, energy=st.sampled_from(["low", "high"]))
def test_any_sequence_of_statuses_keeps_history_states_and_statistics_consistent(steps, energy):
    curriculum = make_curriculum(steps=2, plans="ABC")
    user = UserFactory()
    enrollment, _ = services.enrollment_get_or_create(
        user=user, curriculum=curriculum, traits={"energy_level": energy}
    )
    accepted = 0
    for outcome, plan, following, order in steps:
        if plan == "current":
            enrollment.refresh_from_db()
            state = enrollment.step_states.filter(step=enrollment.current_step).first()
            plan = state.current_alternative.code if state else "A"
            order = enrollment.current_step.order if enrollment.current_step else order
        try:
            services.coach_status_record(
                user=user,
                enrollment=enrollment,
                step_order=order,
                plan_id=plan,
                outcome=outcome,
                next_plan_id=following,
            )
            accepted += 1
        except (ValidationError, Conflict):
            pass
    events = OutcomeEvent.objects.filter(enrollment=enrollment)
    assert events.count() == accepted
    enrollment.refresh_from_db()
    succeeded = set(events.filter(outcome="SUCCESS").values_list("step__order", flat=True))
    assert events.filter(outcome="SUCCESS").count() == len(succeeded), "a step succeeds at most once"
    states = {
        s.step.order: s for s in EnrollmentStep.objects.filter(enrollment=enrollment).select_related("step")
    }
    assert {o for o, s in states.items() if s.state == "succeeded"} == succeeded
    if enrollment.state == "completed":
        assert succeeded == {1, 2}
    else:
        assert enrollment.current_step.order == len(succeeded) + 1
        assert states[enrollment.current_step.order].state != "succeeded"
    assert curriculum_stats_rebuild(dry_run=True) == []
