"""Two activations at once on PostgreSQL: exactly one plan becomes active, the other is a 409."""

import threading

import pytest
from django.db import connection

from config.errors import Conflict
from training import services
from training.models import PlanStatus, TrainingPlan

from .factories import RunnerProfileFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_activations_leave_one_active_plan():
    user = RunnerProfileFactory().user
    plans = [services.plan_generate(user=user, goal_type="10k", duration_weeks=6) for _ in range(4)]
    barrier = threading.Barrier(len(plans))
    outcomes = []

    def activate(plan):
        try:
            barrier.wait()
            services.plan_activate(user=user, plan=plan)
            outcomes.append("active")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=activate, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
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
    barrier = threading.Barrier(len(movers))
    outcomes = []

    def move(session):
        try:
            barrier.wait()
            services.session_move(user=plan.user, session=session, date=wednesday)
            outcomes.append("moved")
        except Invalid:
            outcomes.append("taken")
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(session,)) for session in movers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved", "taken"]
    assert PlannedSession.objects.filter(plan=plan, date=wednesday).count() == 1
    assert sorted(
        PlannedSession.objects.filter(plan=plan).values_list("date", flat=True).distinct()
    ) == sorted({s.date for s in week.values()})
