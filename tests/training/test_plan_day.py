"""Daily zoom: one day's sessions with their steps and purpose, and the week it belongs to."""

import datetime as dt

import pytest

from tests.conftest import client_for
from training.models import PlannedSession, SessionStatus

from .factories import INTERVAL_STEPS, TrainingPlanFactory, week_of_sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(user):
    plan = TrainingPlanFactory(user=user, weeks=2)
    week_of_sessions(plan, week=1)
    week_of_sessions(plan, week=2)
    return plan


def day(user, plan, client=None, **query):
    client = client or client_for(user)
    return client.get(f"/api/v1/training-plans/{plan.pk}/", {"zoom": "day", **query})


def test_day_zoom_answers_the_days_sessions_with_steps_and_the_week(user, plan):
    tuesday = plan.start_date + dt.timedelta(weeks=1, days=1)
    response = day(user, plan, date=tuesday.isoformat())
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == plan.pk and body["name"] == plan.name and "season_view" not in body
    assert body["day"]["date"] == tuesday.isoformat()
    (session,) = body["day"]["sessions"]
    assert session["type"] == "intervals" and session["steps"] == INTERVAL_STEPS
    assert session["purpose"]
    assert body["week"] == plan.weekly_plan[1]  # every field of week 2


def test_day_zoom_needs_a_date_inside_the_plan(user, plan):
    assert day(user, plan).status_code == 400
    assert "date" in day(user, plan).json()
    before = day(user, plan, date=(plan.start_date - dt.timedelta(days=1)).isoformat())
    assert before.status_code == 400 and "date" in before.json()
    assert day(user, plan, date=plan.end_date.isoformat()).status_code == 200
    assert day(user, plan, date="2026-02-30").status_code == 400


def test_day_zoom_shows_a_session_changed_since_the_last_read(user, plan):
    """Sessions change without touching their plan: the day is never served stale."""
    monday = plan.start_date
    assert day(user, plan, date=monday.isoformat()).json()["day"]["sessions"][0]["status"] == "planned"
    PlannedSession.objects.filter(plan=plan, date=monday).update(status=SessionStatus.COMPLETED)
    assert day(user, plan, date=monday.isoformat()).json()["day"]["sessions"][0]["status"] == "completed"


def test_day_zoom_of_another_runners_plan_is_not_found(other_user, plan):
    response = day(other_user, plan, date=plan.start_date.isoformat())
    assert response.status_code == 404


def test_day_zoom_has_a_pinned_query_count(user, plan, django_assert_num_queries):
    client = client_for(user)
    # token + plan + the day's sessions, whatever the plan's length
    with django_assert_num_queries(3):
        assert day(user, plan, client, date=plan.start_date.isoformat()).status_code == 200
    longer = TrainingPlanFactory(user=user, weeks=12, status="paused")
    for week in range(1, 13):
        week_of_sessions(longer, week=week)
    with django_assert_num_queries(3):
        assert day(user, longer, client, date=longer.end_date.isoformat()).status_code == 200


def test_other_zooms_are_unchanged_and_the_schema_lists_day(user, plan):
    body = client_for(user).get(f"/api/v1/training-plans/{plan.pk}/", {"zoom": "week"}).json()
    assert "day" not in body and "week" not in body and len(body["weekly_plan"]) == 2

    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = schema["paths"]["/api/v1/training-plans/{id}/"]["get"]["parameters"]
    zoom = next(p for p in parameters if p["name"] == "zoom")
    assert zoom["schema"]["enum"] == ["season", "week", "day", "full"]
    assert {"date", "zoom"} <= {p["name"] for p in parameters}
    components = schema["components"]["schemas"]
    assert components["PlanDetail"]["properties"]["week"]["allOf"][0]["$ref"].endswith("/PlanWeek")
    assert "week_justification" in components["PlanWeek"]["properties"]
