"""Progression: planned and actually run km per week, in the API and in the admin's chart."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from config.timezones import aware_local
from tests.conftest import client_for
from tests.factories import UserFactory
from training import selectors
from training.models import SessionStatus

from .factories import ActivityFactory, PlannedSessionFactory, TrainingPlanFactory, monday

pytestmark = pytest.mark.django_db


def at_noon(plan, day):
    return aware_local(day, dt.time(12, 0), plan.zone)


@pytest.fixture
def plan(user):
    """Four weeks: two done, this one, next one."""
    plan = TrainingPlanFactory(user=user, weeks=4, start_date=monday(-2))
    week1, week2 = plan.start_date, plan.start_date + dt.timedelta(weeks=1)
    ActivityFactory(user=user, started_at=at_noon(plan, week1), distance_m=8000, duration_s=2800)
    ActivityFactory(user=user, started_at=at_noon(plan, week1 + dt.timedelta(days=6)), distance_m=5200)
    # A ruck counts only when it completed one of the plan's sessions.
    ActivityFactory(user=user, kind="ruck", started_at=at_noon(plan, week2), distance_m=6000)
    ruck = ActivityFactory(
        user=user, kind="ruck", started_at=at_noon(plan, week2 + dt.timedelta(days=2)), distance_m=4000
    )
    PlannedSessionFactory(
        plan=plan, date=week2 + dt.timedelta(days=2), status=SessionStatus.COMPLETED, activity=ruck
    )
    # Another runner's run, and a run the week before the plan, count for nothing here.
    ActivityFactory(started_at=at_noon(plan, week1), distance_m=9000)
    ActivityFactory(user=user, started_at=at_noon(plan, week1 - dt.timedelta(days=1)), distance_m=7000)
    return plan


def test_progression_answers_planned_and_actual_km_per_week(user, plan):
    now = timezone.now() - dt.timedelta(minutes=1)
    today_run = ActivityFactory(user=user, started_at=now, distance_m=6100)
    points = client_for(user).get(f"/api/v1/training-plans/{plan.pk}/progression/").json()
    assert [p["week"] for p in points] == [1, 2, 3, 4]
    assert [p["volume"] for p in points] == [30.0] * 4
    current = 6.1 if today_run.local_date >= plan.start_date + dt.timedelta(weeks=2) else 0.0
    expected_week2 = 4.0 + (6.1 if current == 0.0 else 0.0)
    assert [p["actual"] for p in points] == [13.2, expected_week2, current, None]


def test_a_plan_not_begun_has_no_actual_km(user):
    plan = TrainingPlanFactory(user=user, start_date=monday(1))
    assert all(v is None for v in selectors.plan_actual_km(plan).values())


def test_progression_query_count_does_not_grow_with_activities(user, plan, django_assert_num_queries):
    client = client_for(user)
    # token + plan + activities
    with django_assert_num_queries(3):
        client.get(f"/api/v1/training-plans/{plan.pk}/progression/")
    for days in range(1, 8):
        ActivityFactory(user=user, started_at=at_noon(plan, plan.start_date + dt.timedelta(days=days)))
    with django_assert_num_queries(3):
        assert client.get(f"/api/v1/training-plans/{plan.pk}/progression/").status_code == 200


def test_the_admin_chart_draws_the_km_run_over_the_planned_bars(client, plan):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:training_trainingplan_change", args=[plan.pk])).content.decode()
    assert 'class="actual-volume"' in html
    assert "W1: 13.2 km run of 30 planned" in html
    assert "run (km)" in html


def test_the_chart_leaves_out_the_line_for_a_plan_not_begun():
    from config.charts import progression_chart

    weeks = [
        {"label": f"W{n}", "volume": 20.0, "actual": None, "intensity": 30, "recovery": False, "taper": False}
        for n in range(1, 4)
    ]
    svg = progression_chart("Weekly km", weeks)
    assert "actual-volume" not in svg and "run (km)" not in svg
