"""The Idempotency-Key header: a retry replays the first answer, never does the work twice."""

import threading
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from config.idempotency import (
    HEADER,
    REPLAYED_HEADER,
    idempotency_begin,
    idempotency_purge,
    request_fingerprint,
)
from config.models import IdempotencyRecord
from config.tasks import purge_idempotency_keys
from scenarios import services as scenario_services
from scenarios.api.views import ScenarioAttemptView
from scenarios.models import ScenarioMetadata
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory


def attempts_url(scenario):
    return reverse("api:scenario-attempts", args=[scenario.pk])


def completions_url(scenario):
    return reverse("api:scenario-completions", args=[scenario.pk])


def attempts(scenario):
    return ScenarioMetadata.objects.get(scenario=scenario).attempts


def keyed(key):
    return {"HTTP_IDEMPOTENCY_KEY": key}


@pytest.fixture
def scenario(db):
    return ScenarioFactory()


@pytest.mark.django_db
def test_a_retry_with_the_same_key_replays_the_first_answer_and_counts_once(auth_client, scenario):
    key = str(uuid.uuid4())
    first = auth_client.post(completions_url(scenario), {"time_spent_s": 90}, format="json", **keyed(key))
    retry = auth_client.post(completions_url(scenario), {"time_spent_s": 90}, format="json", **keyed(key))
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry[REPLAYED_HEADER] == "true"
    assert REPLAYED_HEADER not in first
    metadata = ScenarioMetadata.objects.get(scenario=scenario)
    assert (metadata.times_used, metadata.time_spent_total_s) == (1, 90)


@pytest.mark.django_db
def test_without_a_key_every_request_counts(auth_client, scenario):
    for _ in range(2):
        assert auth_client.post(attempts_url(scenario), {}, format="json").status_code == 201
    assert attempts(scenario) == 2


@pytest.mark.django_db
def test_a_new_key_is_a_new_request(auth_client, scenario):
    for key in ("first-try", "second-try"):
        assert auth_client.post(attempts_url(scenario), {}, format="json", **keyed(key)).status_code == 201
    assert attempts(scenario) == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422_and_changes_nothing(auth_client, scenario):
    auth_client.post(completions_url(scenario), {"time_spent_s": 90}, format="json", **keyed("k1"))
    response = auth_client.post(completions_url(scenario), {"time_spent_s": 91}, format="json", **keyed("k1"))
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert ScenarioMetadata.objects.get(scenario=scenario).time_spent_total_s == 90


@pytest.mark.django_db
def test_the_same_key_on_another_path_is_a_422(auth_client, scenario):
    other = ScenarioFactory()
    auth_client.post(attempts_url(scenario), {}, format="json", **keyed("k1"))
    response = auth_client.post(attempts_url(other), {}, format="json", **keyed("k1"))
    assert response.status_code == 422
    assert attempts(other) == 0


@pytest.mark.django_db
def test_json_key_order_does_not_make_another_request(auth_client):
    scenario = ScenarioFactory()
    body_a = '{"time_spent_s": 90, "note": "x"}'
    body_b = '{"note": "x", "time_spent_s": 90}'
    url = completions_url(scenario)
    first = auth_client.post(url, body_a, content_type="application/json", **keyed("k"))
    second = auth_client.post(url, body_b, content_type="application/json", **keyed("k"))
    assert first.status_code == 201
    assert second.status_code == 201 and second[REPLAYED_HEADER] == "true"


@pytest.mark.django_db
def test_keys_belong_to_their_user(scenario):
    one, two = client_for(UserFactory()), client_for(UserFactory())
    assert one.post(attempts_url(scenario), {}, format="json", **keyed("shared")).status_code == 201
    response = two.post(attempts_url(scenario), {}, format="json", **keyed("shared"))
    assert response.status_code == 201 and REPLAYED_HEADER not in response
    assert attempts(scenario) == 2


@pytest.mark.django_db
def test_a_failed_request_releases_its_key_so_the_corrected_retry_runs(auth_client, scenario):
    bad = auth_client.post(completions_url(scenario), {"time_spent_s": -5}, format="json", **keyed("k"))
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    good = auth_client.post(completions_url(scenario), {"time_spent_s": 5}, format="json", **keyed("k"))
    assert good.status_code == 201
    assert IdempotencyRecord.objects.get().status_code == 201


@pytest.mark.django_db
def test_an_exception_after_the_work_rolls_the_work_back_and_frees_the_key(auth_client, scenario):
    with mock.patch("scenarios.api.shapes.scenario_state_data", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            auth_client.post(attempts_url(scenario), {}, format="json", **keyed("k"))
    assert attempts(scenario) == 0
    assert not IdempotencyRecord.objects.exists()
    assert auth_client.post(attempts_url(scenario), {}, format="json", **keyed("k")).status_code == 201
    assert attempts(scenario) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "naïve-key"])
def test_a_malformed_key_is_a_400_naming_the_header(auth_client, scenario, key):
    response = auth_client.post(attempts_url(scenario), {}, format="json", **keyed(key))
    assert response.status_code == 400
    assert HEADER in response.json()
    assert attempts(scenario) == 0


@pytest.mark.django_db
def test_a_key_still_in_progress_is_a_409_with_retry_after(user, scenario):
    url = attempts_url(scenario)
    same_request = APIRequestFactory().post(url, {}, format="json")
    idempotency_begin(
        user=user, key="busy", method="POST", path=url, fingerprint=request_fingerprint(same_request)
    )
    response = client_for(user).post(url, {}, format="json", **keyed("busy"))
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert response["Retry-After"] == "1"
    assert attempts(scenario) == 0


@pytest.mark.django_db
def test_a_key_abandoned_by_a_dead_process_is_taken_over(user, scenario, settings):
    settings.IDEMPOTENCY_LOCK_S = 60
    url = attempts_url(scenario)
    record = idempotency_begin(user=user, key="dead", method="POST", path=url, fingerprint="f")
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    response = client_for(user).post(url, {}, format="json", **keyed("dead"))
    assert response.status_code == 201
    assert attempts(scenario) == 1


@pytest.mark.django_db
def test_answers_are_replayed_for_the_retention_period_then_forgotten(user, scenario, settings):
    settings.IDEMPOTENCY_KEY_TTL_H = 24
    client = client_for(user)
    url = attempts_url(scenario)
    client.post(url, {}, format="json", **keyed("day"))
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=23))
    assert client.post(url, {}, format="json", **keyed("day"))[REPLAYED_HEADER] == "true"
    assert attempts(scenario) == 1
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert REPLAYED_HEADER not in client.post(url, {}, format="json", **keyed("day"))
    assert attempts(scenario) == 2


@pytest.mark.django_db
def test_purge_deletes_only_expired_records_and_is_safe_twice(user, settings):
    settings.IDEMPOTENCY_KEY_TTL_H = 24
    for index, age in enumerate((1, 23, 25, 100)):
        IdempotencyRecord.objects.create(
            user=user,
            key=f"k{index}",
            method="POST",
            path="/x",
            fingerprint="f",
            status_code=201,
            created_at=timezone.now() - timedelta(hours=age),
        )
    assert purge_idempotency_keys() == 2
    assert idempotency_purge() == 0
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k0", "k1"]


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_once_never_both_run():
    """The first request is held inside its work; the second, sent meanwhile, is refused (409)
    and does nothing; a retry after the first finished gets the first answer."""
    scenario = ScenarioFactory()
    user = UserFactory()
    url = attempts_url(scenario)
    inside, release = threading.Event(), threading.Event()
    real_attempt = scenario_services.scenario_attempt
    results = {}

    def slow_attempt(**kwargs):
        inside.set()
        assert release.wait(10)
        return real_attempt(**kwargs)

    def first():
        try:
            results["first"] = client_for(user).post(url, {}, format="json", **keyed("race"))
        finally:
            connection.close()

    # The view calls the service its operation declares: hold that one.
    with mock.patch.object(ScenarioAttemptView.post.operation, "service", slow_attempt):
        thread = threading.Thread(target=first)
        thread.start()
        assert inside.wait(10)
        second = client_for(user).post(url, {}, format="json", **keyed("race"))
        release.set()
        thread.join(10)
    assert second.status_code == 409
    assert results["first"].status_code == 201
    retry = client_for(user).post(url, {}, format="json", **keyed("race"))
    assert retry.status_code == 201 and retry[REPLAYED_HEADER] == "true"
    assert retry.json() == results["first"].json()
    assert attempts(scenario) == 1


@pytest.mark.django_db
def test_the_schema_documents_the_header_and_its_answers_on_every_recording_post(api_client):
    schema = api_client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    keyed_operations = {
        ("/api/v1/coach/status", "post"),
        ("/api/v1/curricula/{slug}/enroll/", "post"),
        ("/api/v1/enrollments/programs/", "post"),
        ("/api/v1/enrollments/courses/", "post"),
        ("/api/v1/progress/events/", "post"),
        ("/api/v1/scenarios/", "post"),
        ("/api/v1/scenarios/{id}/attempts/", "post"),
        ("/api/v1/scenarios/{id}/completions/", "post"),
    }
    for path, method in keyed_operations:
        operation = schema["paths"][path][method]
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert HEADER in headers, path
        assert {"409", "422"} <= set(operation["responses"]), path
    # Reads do not take it.
    assert HEADER not in str(schema["paths"]["/api/v1/scenarios/"]["get"])
