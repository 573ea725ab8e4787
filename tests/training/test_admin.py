"""Training admin: plan page charts and sessions, saved unchanged, generated from a form, actions."""

import json

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from training.models import PlanStatus, TrainingPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def form_data(form):
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if name in form.instance.__class__._meta.fields_map or False:
            continue
        if isinstance(value, dict | list):
            value = json.dumps(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    return data


def test_plan_page_draws_charts_above_the_json_editors_and_saves_unchanged(client, staff, plan):
    url = reverse("admin:training_trainingplan_change", args=[plan.pk])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index('class="trend-chart"') < html.index("season_view")
    assert 'class="radar-chart"' in html and "week-recovery" in html and "week-taper" in html
    assert "Week 12" in html  # sessions by week
    data = form_data(response.context["adminform"].form)
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    plan.refresh_from_db()
    assert plan.weekly_plan and plan.status == PlanStatus.DRAFT


def test_admin_generates_a_plan_for_a_runner_and_shows_bad_input_as_form_errors(client, staff, runner):
    url = reverse("admin:training_trainingplan_generate")
    assert client.get(reverse("admin:training_trainingplan_add")).url == url
    bad = client.post(url, {"user": runner.pk, "goal_type": "half", "duration_weeks": 60})
    assert bad.status_code == 200 and bad.context["form"].errors["duration_weeks"]
    past = client.post(url, {"user": runner.pk, "goal_type": "half", "target_date": "2020-01-01"})
    assert past.status_code == 200 and past.context["form"].errors["target_date"]
    response = client.post(url, {"user": runner.pk, "goal_type": "half", "duration_weeks": 10})
    assert response.status_code == 302
    assert TrainingPlan.objects.get(user=runner).duration_weeks == 10


def test_admin_actions_use_the_services(client, staff, runner, plan):
    changelist = reverse("admin:training_trainingplan_changelist")
    client.post(changelist, {"action": "activate", "_selected_action": [plan.pk]})
    assert TrainingPlan.objects.get(pk=plan.pk).status == PlanStatus.ACTIVE
    client.post(changelist, {"action": "realign", "_selected_action": [plan.pk]})
    assert TrainingPlan.objects.get(pk=plan.pk).decisions[-1]["category"] == "realign"
    response = client.post(changelist, {"action": "activate", "_selected_action": [plan.pk]}, follow=True)
    assert "cannot become active" in response.content.decode()


@pytest.mark.parametrize("model", ["runnerprofile", "activity", "plannedsession", "calendarsubscription"])
def test_other_admin_pages_render(client, staff, plan, model):
    assert client.get(reverse(f"admin:training_{model}_changelist")).status_code == 200
