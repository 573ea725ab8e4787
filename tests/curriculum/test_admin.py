import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from curriculum import services
from curriculum.models import Alternative, Curriculum, Step
from tests.factories import UserFactory

from .factories import make_curriculum

pytestmark = pytest.mark.django_db


@pytest.fixture
def designer_client(db):
    designer = UserFactory(is_staff=True)
    sync_content_designer_permissions()
    designer.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    client = Client()
    client.force_login(designer)
    return client


def widget_like(schema, value):
    """Fill in what the JSON form widget submits for inputs left untouched."""
    kind = schema.get("type")
    if kind == "object":
        value = dict(value or {})
        properties = schema.get("properties") or {}
        for key, sub in properties.items():
            value[key] = widget_like(sub, value.get(key))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in set(value) - set(properties):
                value[key] = widget_like(extra, value[key])
        return value
    if kind == "array":
        return [widget_like(schema.get("items", {}), item) for item in (value or [])]
    if value is not None:
        return value
    return {"string": "", "boolean": False}.get(kind)


def form_data(response):
    """The POST body a browser would send back for an admin change form, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            key = form.add_prefix(name)
            if field.__class__.__name__ == "JSONFormField":
                value = json.loads(value) if isinstance(value, str) else value
                value = json.dumps(widget_like(field.widget.get_schema(), value))
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
                continue
            data[key] = value
    return data


def test_content_designers_may_edit_content_and_only_view_statistics(designer_client):
    group = Group.objects.get(name=CONTENT_DESIGNERS)
    granted = set(
        group.permissions.filter(content_type__app_label="curriculum").values_list("codename", flat=True)
    )
    for model in ("curriculum", "step", "alternative"):
        assert {f"{action}_{model}" for action in ("view", "add", "change", "delete")} <= granted
    assert "view_alternativestat" in granted
    assert not {code for code in granted if code.endswith(("enrollment", "enrollmentstep", "outcomeevent"))}
    assert not {"add_alternativestat", "change_alternativestat", "delete_alternativestat"} & granted


def test_the_designer_sees_the_curriculum_change_form_with_its_steps_inline(designer_client, curriculum):
    response = designer_client.get(f"/admin/curriculum/curriculum/{curriculum.pk}/change/")
    assert response.status_code == 200
    assert [f.formset.model for f in response.context["inline_admin_formsets"]] == [Step]
    assert b"preview" in response.content
    assert designer_client.get("/admin/curriculum/curriculum/").status_code == 200
    assert designer_client.get("/admin/curriculum/curriculum/add/").status_code == 200


def test_the_designer_sees_a_step_with_its_alternatives_and_their_statistics(
    designer_client, curriculum, enrollment, record
):
    record(enrollment, 1, "A", "STOPPED")
    step = curriculum.steps.get(order=1)
    response = designer_client.get(f"/admin/curriculum/step/{step.pk}/change/")
    assert response.status_code == 200
    assert [f.formset.model for f in response.context["inline_admin_formsets"]] == [Alternative]
    page = response.content.decode()
    assert '<th scope="col">Energy level</th>' in page
    assert "<td>high energy</td>" in page and "<td>0 / 1</td>" in page
    alternative = step.alternatives.get(code="A")
    response = designer_client.get(f"/admin/curriculum/alternative/{alternative.pk}/change/")
    assert response.status_code == 200
    assert "<td>high energy</td>" in response.content.decode()
    assert designer_client.get("/admin/curriculum/alternativestat/").status_code == 200


def test_the_designer_previews_a_step_as_a_learner_would_see_it(designer_client, curriculum):
    step = curriculum.steps.get(order=1)
    response = designer_client.get(f"/admin/curriculum/step/{step.pk}/preview/", {"energy_level": "high"})
    assert response.status_code == 200
    assert [r.plan_id for r in response.context["ranked"]] == ["A", "B", "C", "D"]
    assert response.context["segment"] == "energy_level=high"
    assert b"Plan A" in response.content and b"Do it." in response.content


def test_the_designer_adds_plan_e_and_the_api_shows_it_at_once(designer_client, curriculum, auth_client):
    step = curriculum.steps.get(order=1)
    url = f"/admin/curriculum/step/{step.pk}/change/"
    data = form_data(designer_client.get(url))
    total = int(data["alternatives-TOTAL_FORMS"])
    new = f"alternatives-{total}-"
    data.update(
        {
            "alternatives-TOTAL_FORMS": str(total + 1),
            new + "step": str(step.pk),
            new + "order": "5",
            new + "code": "E",
            new + "title": "Camera check",
            new + "summary": "Watch live.",
            new + "is_active": "on",
            new + "content": json.dumps(
                {
                    "instructions": ["Set up the camera.", ""],
                    "reward_type": "praise",
                    "duration_minutes": None,
                    "sessions_per_day": None,
                    "equipment": [],
                    "warning_signs": [],
                }
            ),
            new + "match_rules": "[]",
            new + "prior_success_rate": "0.4",
            new + "prior_strength": "2",
        }
    )
    response = designer_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    body = auth_client.get(f"/api/v1/curricula/{curriculum.slug}/").json()
    assert [p["plan_id"] for p in body["steps"][0]["alternatives"]] == ["A", "B", "C", "D", "E"]
    assert body["steps"][0]["alternatives"][-1]["content"] == {
        "instructions": ["Set up the camera."],
        "reward_type": "praise",
    }


def test_content_json_that_breaks_its_schema_is_refused(designer_client, curriculum):
    step = curriculum.steps.get(order=1)
    url = f"/admin/curriculum/step/{step.pk}/change/"
    data = form_data(designer_client.get(url))
    data["alternatives-0-content"] = json.dumps(
        {
            "instructions": [],
            "reward_type": "cash",
            "duration_minutes": None,
            "sessions_per_day": None,
            "equipment": [],
            "warning_signs": [],
        }
    )
    response = designer_client.post(url, data)
    assert response.status_code == 200
    assert Alternative.objects.get(step=step, code="A").content["instructions"] == ["Do it."]


def test_the_designer_swaps_two_steps_in_one_save(designer_client, curriculum):
    url = f"/admin/curriculum/curriculum/{curriculum.pk}/change/"
    data = form_data(designer_client.get(url))
    assert data["steps-0-order"] == 1 and data["steps-1-order"] == 2
    data["steps-0-order"], data["steps-1-order"] = 2, 1
    response = designer_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(curriculum.steps.order_by("order").values_list("title", flat=True)) == [
        "Step 2",
        "Step 1",
        "Step 3",
    ]


def test_the_designer_swaps_two_plan_codes_in_one_save(designer_client, curriculum):
    step = curriculum.steps.get(order=1)
    url = f"/admin/curriculum/step/{step.pk}/change/"
    data = form_data(designer_client.get(url))
    data["alternatives-0-code"], data["alternatives-1-code"] = "B", "A"
    data["alternatives-0-order"], data["alternatives-1-order"] = 2, 1
    response = designer_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(step.alternatives.order_by("order").values_list("code", flat=True)) == ["A", "B", "C", "D"]


def test_publish_and_unpublish_actions(designer_client):
    draft = make_curriculum(steps=1, plans="A", status=Curriculum.Status.DRAFT)
    empty = make_curriculum(steps=0, plans="", status=Curriculum.Status.DRAFT)
    response = designer_client.post(
        "/admin/curriculum/curriculum/",
        {"action": "publish", "_selected_action": [draft.pk, empty.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    empty.refresh_from_db()
    assert draft.is_published and not empty.is_published
    assert b"Not published" in response.content
    designer_client.post(
        "/admin/curriculum/curriculum/", {"action": "unpublish", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert not draft.is_published


def test_the_designer_cannot_change_statistics_enrollments_or_history(designer_client, enrollment, record):
    record(enrollment, 1, "A", "STOPPED")
    assert designer_client.get("/admin/curriculum/alternativestat/add/").status_code == 403
    assert designer_client.get("/admin/curriculum/enrollment/").status_code == 403
    assert designer_client.get("/admin/curriculum/outcomeevent/").status_code == 403


def test_a_superuser_sees_enrollments_and_history_read_only(enrollment, record):
    record(enrollment, 1, "A", "STOPPED")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/curriculum/enrollment/").status_code == 200
    assert client.get(f"/admin/curriculum/enrollment/{enrollment.pk}/change/").status_code == 200
    assert client.get("/admin/curriculum/outcomeevent/").status_code == 200
    assert client.get("/admin/curriculum/outcomeevent/add/").status_code == 403


def test_the_designer_chooses_the_curriculums_selection_policy(designer_client, curriculum):
    url = f"/admin/curriculum/curriculum/{curriculum.pk}/change/"
    data = form_data(designer_client.get(url))
    assert data["selection_policy"] == ""
    data["selection_policy"] = "thompson"
    response = designer_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    curriculum.refresh_from_db()
    assert curriculum.selection_policy == "thompson"
    data["selection_policy"] = "always-a"
    response = designer_client.post(url, data)
    assert response.status_code == 200 and "selection_policy" in response.context["adminform"].form.errors


def test_the_evidence_table_shows_trait_labels_rates_intervals_and_the_ranking_value(
    designer_client, curriculum, enrollment, record
):
    record(enrollment, 1, "A", "STOPPED")
    record(enrollment, 1, "A", "SUCCESS")
    alternative = curriculum.steps.get(order=1).alternatives.get(code="A")
    page = designer_client.get(f"/admin/curriculum/alternative/{alternative.pk}/change/").content.decode()
    assert "<td>all dogs</td>" in page and "<td>high energy</td>" in page
    assert page.count("<td>1 / 2</td>") == 2
    assert "50.0%" in page and "90% credible interval" in page
    # Prior 0.7 × 2 pseudo-attempts + 1 success in 2 attempts: (1.4 + 1) / 4 = 60%.
    assert "<td>60.0%</td>" in page
    assert "<svg" in page and "cdn" not in page.lower()


def test_the_curriculum_page_charts_first_try_success_by_week(designer_client, curriculum, user, record):
    url = f"/admin/curriculum/curriculum/{curriculum.pk}/change/"
    assert "No outcomes yet." in designer_client.get(url).content.decode()
    for outcome in ("SUCCESS", "STOPPED", "SUCCESS", "SUCCESS"):
        learner = UserFactory()
        enrollment, _ = services.enrollment_get_or_create(
            user=learner, curriculum=curriculum, traits={"energy_level": "low"}
        )
        plan = enrollment.step_states.get().current_alternative.code
        record(enrollment, 1, plan, outcome)
    page = designer_client.get(url).content.decode()
    assert "First-try success by week" in page and "<svg" in page
    assert ": 75</title>" in page, "three of four learners succeeded with their first plan"
    assert "4 learner-steps over 1 week(s)" in page
