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
    if connection.vendor != "postgresql":
        pytest.skip("row locks and partial unique indexes as on PostgreSQL")
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
