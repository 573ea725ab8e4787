"""The alternatives endpoint's switch advice, and changing a learner's traits."""

import io
import random

import pytest
from django.core.management import call_command

from curriculum.models import Alternative, AlternativeStat, OutcomeEvent
from tests.conftest import client_for
from tests.factories import UserFactory

from .factories import make_curriculum
from .test_api import STATUS, alternatives_url, status_body

pytestmark = pytest.mark.django_db


def detail_url(enrollment_id):
    return f"/api/v1/enrollments/{enrollment_id}/"


# --- switch_to ---------------------------------------------------------------------------


def test_while_a_plan_is_open_the_advice_is_another_plan_with_its_reason(auth_client, enrollment):
    body = auth_client.get(alternatives_url(enrollment.pk, 1)).json()
    assert body["current_plan_id"] == "A"
    assert body["switch_to"]["plan_id"] != "A"
    assert body["switch_to"]["reason"]
    assert [a["plan_id"] for a in body["alternatives"] if a["recommended"]] == [body["switch_to"]["plan_id"]]
    assert body["policy"] in ("greedy", "ucb", "thompson")
    assert {"selection_score", "exploring", "expected_success", "is_current"} <= set(body["alternatives"][0])
    swapped = auth_client.post(
        STATUS,
        status_body(enrollment, outcome="SWAPPED", next_plan_id=body["switch_to"]["plan_id"]),
        format="json",
    )
    assert swapped.status_code == 201


def test_no_advice_on_a_step_that_succeeded_or_has_not_started(auth_client, enrollment):
    auth_client.post(STATUS, status_body(enrollment, outcome="SUCCESS"), format="json")
    assert auth_client.get(alternatives_url(enrollment.pk, 1)).json()["switch_to"] is None
    assert auth_client.get(alternatives_url(enrollment.pk, 3)).json()["switch_to"] is None
    assert auth_client.get(alternatives_url(enrollment.pk, 2)).json()["switch_to"]["plan_id"] != "A"


def test_no_advice_when_every_other_plan_failed_or_is_excluded(auth_client, user):
    curriculum = make_curriculum(steps=1, plans="ABC")
    Alternative.objects.filter(code="C").update(
        match_rules=[{"trait": "energy_level", "operator": "in", "values": ["high"]}]
    )
    enrollment_id = auth_client.post(
        f"/api/v1/curricula/{curriculum.slug}/enroll/", {"traits": {"energy_level": "low"}}, format="json"
    ).json()["id"]
    body = {"enrollment": enrollment_id, "step": 1}
    auth_client.post(
        STATUS, {**body, "plan_id": "A", "outcome": "SWAPPED", "next_plan_id": "B"}, format="json"
    )
    auth_client.post(STATUS, {**body, "plan_id": "B", "outcome": "STOPPED"}, format="json")
    advice = auth_client.get(alternatives_url(enrollment_id, 1)).json()
    assert advice["current_plan_id"] == "B" and advice["switch_to"] is None
    assert not any(a["recommended"] for a in advice["alternatives"])


@pytest.mark.parametrize("policy", ["greedy", "ucb", "thompson"])
def test_a_client_that_always_follows_the_advice_never_gets_a_4xx(policy, db):
    """Learners report random outcomes, swap only to the advised plan, sometimes change their
    traits, and enrol again after finishing: not one answer is a 4xx."""
    curriculum = make_curriculum(steps=3, plans="ABCD", priors={"A": 0.7, "B": 0.5, "C": 0.6, "D": 0.4})
    curriculum.selection_policy = policy
    curriculum.save(update_fields=["selection_policy"])
    Alternative.objects.filter(step__order=2, code="B").update(
        match_rules=[{"trait": "energy_level", "operator": "not_in", "values": ["low"]}]
    )
    Alternative.objects.filter(step__order=3, code="D").update(is_active=False)
    rng = random.Random(13)
    clients = [client_for(UserFactory()) for _ in range(4)]
    enroll_url = f"/api/v1/curricula/{curriculum.slug}/enroll/"
    levels = ["low", "medium", "high"]
    answers = []
    for _ in range(150):
        client = rng.choice(clients)
        response = client.post(enroll_url, {"traits": {"energy_level": rng.choice(levels)}}, format="json")
        answers.append(response.status_code)
        enrollment = response.json()
        if enrollment["state"] != "active":
            continue
        if rng.random() < 0.1:
            response = client.patch(
                detail_url(enrollment["id"]), {"traits": {"energy_level": rng.choice(levels)}}, format="json"
            )
            answers.append(response.status_code)
        step = enrollment["current_step"]
        advice = client.get(alternatives_url(enrollment["id"], step))
        answers.append(advice.status_code)
        advice = advice.json()
        body = {"enrollment": enrollment["id"], "step": step, "plan_id": advice["current_plan_id"]}
        roll = rng.random()
        if roll < 0.3:
            body["outcome"] = "SUCCESS"
        elif roll < 0.6 or advice["switch_to"] is None:
            body["outcome"] = "STOPPED"
        else:
            body.update(outcome="SWAPPED", next_plan_id=advice["switch_to"]["plan_id"])
        response = client.post(STATUS, body, format="json")
        answers.append(response.status_code)
        assert response.status_code < 400, (body, advice, response.json())
    assert all(code < 400 for code in answers)
    assert OutcomeEvent.objects.filter(outcome="SWAPPED").count() > 10
    assert OutcomeEvent.objects.filter(enrollment__state="completed").exists()


# --- PATCH traits ------------------------------------------------------------------------


def test_patching_traits_re_ranks_from_then_on_and_never_moves_old_statistics(auth_client, enrollment):
    auth_client.post(STATUS, status_body(enrollment, outcome="STOPPED"), format="json")
    response = auth_client.patch(
        detail_url(enrollment.pk),
        {"traits": {"energy_level": "low", "food_motivation": "high"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["traits"] == {"energy_level": "low", "food_motivation": "high"}
    assert response.json()["segment"] == "energy_level=low"
    assert auth_client.get(alternatives_url(enrollment.pk, 1)).json()["segment"] == "energy_level=low"
    auth_client.post(STATUS, status_body(enrollment, outcome="SUCCESS"), format="json")

    history = auth_client.get(f"/api/v1/enrollments/{enrollment.pk}/history/").json()["results"]
    assert [(e["outcome"], e["segment"]) for e in history] == [
        ("STOPPED", "energy_level=high"),
        ("SUCCESS", "energy_level=low"),
    ]
    stats = {
        row.segment: (row.successes, row.attempts)
        for row in AlternativeStat.objects.filter(alternative__step__order=1, alternative__code="A")
    }
    assert stats == {"*": (1, 2), "energy_level=high": (0, 1), "energy_level=low": (1, 1)}
    out = io.StringIO()
    call_command("rebuild_curriculum_stats", "--dry-run", stdout=out)
    assert "No drift" in out.getvalue(), "the rebuild uses the segment each outcome was recorded under"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"traits": {"energy_level": "sleepy"}}, "energy_level: 'sleepy' is not one of"),
        ({"traits": {"energy_level": "low", "colour": "red"}}, "Additional properties are not allowed"),
        ({"traits": {}}, "'energy_level' is a required property"),
        ({"traits": ["low"]}, "Traits must be an object."),
        ({"traits": None}, "This field may not be null."),
    ],
)
def test_traits_that_break_the_schema_are_a_400_naming_the_field(auth_client, enrollment, body, message):
    response = auth_client.patch(detail_url(enrollment.pk), body, format="json")
    assert response.status_code == 400
    assert any(message in text for text in response.json()["traits"])
    enrollment.refresh_from_db()
    assert enrollment.traits["energy_level"] == "high"


def test_another_users_enrollment_is_a_404_and_a_completed_one_a_409(
    auth_client, other_client, enrollment, record
):
    traits = {"traits": {"energy_level": "low"}}
    assert other_client.patch(detail_url(enrollment.pk), traits, format="json").status_code == 404
    for order in (1, 2, 3):
        record(enrollment, order, "A", "SUCCESS")
    response = auth_client.patch(detail_url(enrollment.pk), traits, format="json")
    assert response.status_code == 409 and response.json()["code"] == "enrollment_completed"
    assert auth_client.put(detail_url(enrollment.pk), traits, format="json").status_code == 405


def test_a_patch_without_traits_changes_nothing(auth_client, enrollment):
    response = auth_client.patch(detail_url(enrollment.pk), {}, format="json")
    assert response.status_code == 200 and response.json()["segment"] == "energy_level=high"


def test_the_schema_documents_the_traits_patch(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    patch = schema["paths"]["/api/v1/enrollments/{id}/"]["patch"]
    assert {"200", "400", "404", "409"} <= set(patch["responses"])
    body = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/PatchedEnrollmentUpdateRequest")
    alternatives = schema["components"]["schemas"]["StepAlternatives"]["properties"]
    assert {"switch_to", "current_plan_id", "policy", "alternatives"} <= set(alternatives)
