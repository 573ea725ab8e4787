"""A transaction stuck holding a row lock (a hung worker, a long operator command) must not tie up
every web worker: a request that needs the row waits at most DB_LOCK_TIMEOUT_MS, answers 503 in
the error shape with Retry-After and changes nothing; once the lock is gone the same request works."""

import threading

import pytest
from django.db import connection, transaction

from scenarios.models import ScenarioMetadata, UserScenarioProgress
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

UNAVAILABLE = {
    "detail": "A service this request needs is unavailable; try again shortly.",
    "code": "service_unavailable",
}


def test_settings_give_postgresql_sessions_lock_and_idle_transaction_timeouts(settings):
    options = settings.DATABASES["default"].get("OPTIONS", {}).get("options", "")
    assert "-c lock_timeout=10000" in options
    assert "-c idle_in_transaction_session_timeout=120000" in options


@pytest.mark.django_db(transaction=True)
def test_a_request_waiting_on_a_stuck_lock_answers_503_and_changes_nothing():
    user = UserFactory()
    scenario = ScenarioFactory()
    client = client_for(user)
    url = f"/api/v1/scenarios/{scenario.pk}/save/"
    options = connection.settings_dict.setdefault("OPTIONS", {})
    original = options.get("options")
    options["options"] = "-c lock_timeout=300"
    connection.close()
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                list(ScenarioMetadata.objects.select_for_update(of=("self",)).filter(scenario=scenario))
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        response = client.put(url)
        assert response.status_code == 503
        assert response.json() == UNAVAILABLE
        assert response["Retry-After"]
        assert ScenarioMetadata.objects.get(scenario=scenario).saved_count == 0
        assert not UserScenarioProgress.objects.filter(user=user, scenario=scenario, is_saved=True).exists()
    finally:
        release.set()
        holder.join(30)
        if original is None:
            options.pop("options", None)
        else:
            options["options"] = original
        connection.close()

    response = client.put(url)
    assert response.status_code == 200
    assert ScenarioMetadata.objects.get(scenario=scenario).saved_count == 1
