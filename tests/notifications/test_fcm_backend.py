"""The FCM backend builds real firebase-admin messages and reads send_each's answers (no network:
the Firebase app and the HTTP call are replaced)."""

import threading
from types import SimpleNamespace
from unittest import mock

import pytest
from firebase_admin import exceptions, messaging

from notifications import delivery
from notifications.delivery import FCMBackend, Message


def _message(index, token):
    payload = {
        "version": "1",
        "title": "Tomorrow: easy 8 km",
        "body": "Lay out your shoes tonight.",
        "category": "evening_brief",
        "deep_link": f"app://plans/7/sessions/{index}",
        "session_id": index,
        "actions": ["snooze", "move"],
    }
    return Message(notification_id=index, token=token, platform="fcm", payload=payload)


@pytest.fixture
def backend():
    with mock.patch.object(delivery, "_firebase_app", return_value=object()):
        yield FCMBackend()


def test_messages_carry_the_token_copy_category_and_string_data(backend):
    sent = []

    def send_each(batch, app=None):
        sent.extend(batch)
        return SimpleNamespace(
            responses=[
                SimpleNamespace(success=True, message_id=f"projects/p/messages/{i}")
                for i in range(len(batch))
            ]
        )

    with mock.patch.object(messaging, "send_each", side_effect=send_each):
        results = backend.send_messages([_message(1, "tok-1"), _message(2, "tok-2")])
    assert [r.ok for r in results] == [True, True]
    assert results[0].provider_id == "projects/p/messages/0"
    first = sent[0]
    assert isinstance(first, messaging.Message)
    assert first.token == "tok-1"
    assert first.notification.title == "Tomorrow: easy 8 km"
    assert first.android.notification.click_action == "evening_brief"
    assert first.apns.payload.aps.category == "evening_brief"
    assert all(isinstance(value, str) for value in first.data.values())
    assert first.data["deep_link"] == "app://plans/7/sessions/1"


def test_failures_are_sorted_into_retryable_and_dead_tokens(backend):
    responses = [
        SimpleNamespace(success=False, exception=messaging.UnregisteredError("gone")),
        SimpleNamespace(success=False, exception=exceptions.UnavailableError("down")),
        SimpleNamespace(success=False, exception=exceptions.InvalidArgumentError("bad payload")),
    ]
    with mock.patch.object(messaging, "send_each", return_value=SimpleNamespace(responses=responses)):
        results = backend.send_messages([_message(i, f"t{i}") for i in range(3)])
    dead, retry, bad = results
    assert dead.invalid_token and not dead.retryable
    assert retry.retryable and not retry.invalid_token
    assert not bad.retryable and not bad.invalid_token and "bad payload" in bad.error


def test_batches_of_more_than_500_are_split(backend):
    calls = []

    def send_each(batch, app=None):
        calls.append(len(batch))
        return SimpleNamespace(responses=[SimpleNamespace(success=True, message_id="m") for _ in batch])

    with mock.patch.object(messaging, "send_each", side_effect=send_each):
        results = backend.send_messages([_message(i, f"t{i}") for i in range(501)])
    assert calls == [500, 1] and len(results) == 501


def test_the_firebase_app_bounds_every_http_call_to_ten_seconds(settings):
    settings.FCM_CREDENTIALS_FILE = "/run/secrets/fcm.json"
    firebase_admin, credentials = mock.Mock(), mock.Mock()
    delivery._firebase_app.__wrapped__(firebase_admin, credentials)
    options = firebase_admin.initialize_app.call_args.kwargs["options"]
    assert 0 < options["httpTimeout"] <= 10
    credentials.Certificate.assert_called_once_with("/run/secrets/fcm.json")


def test_messaging_uses_the_apps_timeout_for_its_http_client():
    import firebase_admin
    from google.auth.credentials import AnonymousCredentials

    class Credential(firebase_admin.credentials.Base):
        def get_credential(self):
            return AnonymousCredentials()

    app = firebase_admin.initialize_app(
        Credential(), options={"httpTimeout": 5.0, "projectId": "p"}, name="timeout-test"
    )
    try:
        service = messaging._get_messaging_service(app)
        assert service._client.timeout == 5.0
    finally:
        # delete_app closes the async client with asyncio.run(), which needs a thread without a
        # running event loop (Playwright's may be running in this one).
        cleanup = threading.Thread(target=firebase_admin.delete_app, args=(app,))
        cleanup.start()
        cleanup.join()
