"""Two activations at once on PostgreSQL: exactly one plan becomes active, the other is a 409."""

import pytest

from config.errors import Conflict
from tests.utils.threads import run_at_once
from training import services
from training.models import PlanStatus, TrainingPlan

from .factories import RunnerProfileFactory

pytestmark = pytest.mark.django_db(transaction=True)


def outcome(result, *, refused: type[Exception], names: tuple[str, str]) -> str:
    """``names[0]`` for a call that went through, ``names[1]`` for one refused with ``refused``;
    any other error fails the test."""
    if isinstance(result, refused):
        return names[1]
    if isinstance(result, BaseException):
        raise result
    return names[0]


def test_concurrent_activations_leave_one_active_plan():
    user = RunnerProfileFactory().user
    plans = [services.plan_generate(user=user, goal_type="10k", duration_weeks=6) for _ in range(4)]
    results = run_at_once([lambda plan=plan: services.plan_activate(user=user, plan=plan) for plan in plans])
    outcomes = [outcome(result, refused=Conflict, names=("active", "conflict")) for result in results]
    assert sorted(outcomes) == ["active", "conflict", "conflict", "conflict"]
    assert TrainingPlan.objects.filter(user=user, status=PlanStatus.ACTIVE).count() == 1


def test_two_runs_moved_onto_one_rest_day_at_once_do_not_share_it():
    from config.errors import Invalid
    from tests.training.factories import TrainingPlanFactory, monday, week_of_sessions
    from training.models import PlannedSession

    plan = TrainingPlanFactory(start_date=monday(1))
    week = week_of_sessions(plan)  # Wed and Sat are rest days
    wednesday = week[2].date
    movers = [week[0], week[4]]  # the two easy runs, Monday and Friday
    results = run_at_once(
        [
            lambda session=session: services.session_move(user=plan.user, session=session, date=wednesday)
            for session in movers
        ]
    )
    outcomes = ["taken" if isinstance(result, Invalid) else "moved" for result in results]
    assert sorted(outcomes) == ["moved", "taken"]
    assert PlannedSession.objects.filter(plan=plan, date=wednesday).count() == 1
    assert sorted(
        PlannedSession.objects.filter(plan=plan).values_list("date", flat=True).distinct()
    ) == sorted({s.date for s in week.values()})
