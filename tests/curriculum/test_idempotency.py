"""Coach status and enrolment honour the Idempotency-Key header (config/idempotency.py)."""

import pytest

from curriculum.models import Enrollment, OutcomeEvent

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/coach/status"


def test_a_retried_outcome_with_its_key_is_recorded_once_and_answered_alike(auth_client, enrollment):
    body = {"enrollment": enrollment.pk, "step": 1, "plan_id": "A", "outcome": "STOPPED"}
    first = auth_client.post(STATUS, body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    retry = auth_client.post(STATUS, body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert OutcomeEvent.objects.count() == 1


def test_a_second_real_outcome_with_a_new_key_is_recorded(auth_client, enrollment):
    body = {"enrollment": enrollment.pk, "step": 1, "plan_id": "A", "outcome": "STOPPED"}
    auth_client.post(STATUS, body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    auth_client.post(STATUS, body, format="json", HTTP_IDEMPOTENCY_KEY="tap-2")
    assert OutcomeEvent.objects.count() == 2


def test_a_retried_enrolment_with_its_key_replays_the_201(auth_client, curriculum):
    url = f"/api/v1/curricula/{curriculum.slug}/enroll/"
    body = {"traits": {"energy_level": "low", "food_motivation": "high"}}
    first = auth_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="enrol-1")
    retry = auth_client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="enrol-1")
    assert first.status_code == 201 and retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert Enrollment.objects.count() == 1
