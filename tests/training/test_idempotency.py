"""Every recording POST of training honours the Idempotency-Key header."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import client_for
from training.models import Activity, PlanStatus, TrainingPlan

from . import activity_files

pytestmark = pytest.mark.django_db

RECORDING_POSTS = [
    "/api/v1/activities/",
    "/api/v1/activities/import/",
    "/api/v1/training-plans/",
    "/api/v1/training-plans/{id}/activate/",
    "/api/v1/training-plans/{id}/pause/",
    "/api/v1/training-plans/{id}/abandon/",
    "/api/v1/training-plans/{id}/complete/",
    "/api/v1/training-plans/{id}/realign/",
    "/api/v1/plan-sessions/{id}/complete/",
    "/api/v1/plan-sessions/{id}/skip/",
]


def test_the_schema_documents_the_header_on_every_recording_post():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in RECORDING_POSTS:
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path


def test_a_retried_plan_creation_makes_one_plan(runner):
    client = client_for(runner)
    body = {"goal_type": "10k", "duration_weeks": 8}
    first = client.post("/api/v1/training-plans/", body, format="json", HTTP_IDEMPOTENCY_KEY="plan-1")
    retry = client.post("/api/v1/training-plans/", body, format="json", HTTP_IDEMPOTENCY_KEY="plan-1")
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true" and retry.json()["id"] == first.json()["id"]
    assert TrainingPlan.objects.count() == 1
    reused = client.post(
        "/api/v1/training-plans/", {**body, "duration_weeks": 9}, format="json", HTTP_IDEMPOTENCY_KEY="plan-1"
    )
    assert reused.status_code == 422


def test_a_retried_activation_answers_200_again_not_409(runner, plan):
    client = client_for(runner)
    path = f"/api/v1/training-plans/{plan.pk}/activate/"
    assert client.post(path, HTTP_IDEMPOTENCY_KEY="go").status_code == 200
    retry = client.post(path, HTTP_IDEMPOTENCY_KEY="go")
    assert retry.status_code == 200 and retry.json()["status"] == PlanStatus.ACTIVE
    assert client.post(path, HTTP_IDEMPOTENCY_KEY="go-again").status_code == 409


def test_retried_activity_post_and_import_record_once(runner):
    client = client_for(runner)
    body = {"started_at": "2026-11-20T07:00:00Z", "duration_s": 1800, "distance_m": 5000}
    for _ in range(2):
        assert (
            client.post("/api/v1/activities/", body, format="json", HTTP_IDEMPOTENCY_KEY="run-1").status_code
            == 201
        )
    data = activity_files.gpx(dt.datetime(2026, 11, 21, 7, tzinfo=dt.UTC))
    for _ in range(2):
        response = client.post(
            "/api/v1/activities/import/",
            {"file": SimpleUploadedFile("run.gpx", data)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="file-1",
        )
        assert response.status_code == 201
    assert Activity.objects.filter(user=runner).count() == 2


def test_a_retried_session_completion_is_recorded_once(runner, active_plan):
    client = client_for(runner)
    session = active_plan.sessions.exclude(session_type="rest").order_by("date").first()
    path = f"/api/v1/plan-sessions/{session.pk}/complete/"
    body = {"actuals": {"duration_s": 1800, "distance_m": 5000, "started_at": "2026-11-20T07:00:00Z"}}
    first = client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="done-1")
    retry = client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="done-1")
    assert first.status_code == retry.status_code == 200
    assert Activity.objects.filter(user=runner).count() == 1
