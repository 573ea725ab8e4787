"""Delivery backends, chosen by ``NOTIFICATIONS_BACKEND`` like Django's email backends.

* ``InMemoryBackend``: keeps every message in ``InMemoryBackend.outbox`` (tests, benchmarks);
* ``ConsoleBackend``: logs each message (the embedded default);
* ``FCMBackend``: Firebase Cloud Messaging through ``firebase-admin`` (production; install it and
  set ``FCM_CREDENTIALS_FILE``). Imported only when used, so nothing else needs it.

A backend gets a list of ``Message`` and answers one ``DeliveryResult`` per message, in order.
"""

import json
import logging
import threading
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PAYLOAD_VERSION = 1


@dataclass
class Message:
    notification_id: int
    token: str
    platform: str
    payload: dict

    @property
    def data(self) -> dict[str, str]:
        """FCM ``data``: every value a string (lists and numbers as JSON)."""
        return fcm_data(self.payload)


@dataclass
class DeliveryResult:
    ok: bool
    provider_id: str = ""
    error: str = ""
    retryable: bool = False
    invalid_token: bool = False


def fcm_data(payload: dict) -> dict[str, str]:
    out = {}
    for key, value in payload.items():
        if value is None:
            continue
        out[key] = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return out


class BaseBackend:
    def send_messages(self, messages: list[Message]) -> list[DeliveryResult]:
        raise NotImplementedError


class InMemoryBackend(BaseBackend):
    """Keeps what it sends in the class attribute ``outbox`` (clear it between tests)."""

    outbox: list[Message] = []
    _lock = threading.Lock()

    def send_messages(self, messages):
        with self._lock:
            type(self).outbox.extend(messages)
        return [DeliveryResult(ok=True, provider_id=f"memory-{m.notification_id}") for m in messages]


class ConsoleBackend(BaseBackend):
    """Logs each message at INFO on the ``notifications.delivery`` logger."""

    def send_messages(self, messages):
        for message in messages:
            logger.info(
                "notification %s to %s %s…: %s | %s",
                message.notification_id,
                message.platform,
                message.token[:8],
                message.payload.get("title"),
                message.payload.get("body"),
            )
        return [DeliveryResult(ok=True, provider_id=f"console-{m.notification_id}") for m in messages]


class FCMBackend(BaseBackend):
    """Firebase Cloud Messaging (HTTP v1) through ``firebase-admin``'s ``send_each``."""

    def __init__(self):
        try:
            import firebase_admin
            from firebase_admin import credentials, messaging
        except ImportError as exc:  # pragma: no cover - depends on the deployment
            raise ImproperlyConfigured(
                "FCMBackend needs the firebase-admin package (in requirements.txt)."
            ) from exc
        self.messaging = messaging
        self.app = _firebase_app(firebase_admin, credentials)

    def send_messages(self, messages):
        m = self.messaging
        results = []
        for start in range(0, len(messages), 500):  # send_each takes at most 500
            chunk = messages[start : start + 500]
            batch = [
                m.Message(
                    token=message.token,
                    notification=m.Notification(
                        title=message.payload.get("title"), body=message.payload.get("body")
                    ),
                    data=message.data,
                    android=m.AndroidConfig(
                        notification=m.AndroidNotification(click_action=message.payload["category"])
                    ),
                    apns=m.APNSConfig(payload=m.APNSPayload(aps=m.Aps(category=message.payload["category"]))),
                )
                for message in chunk
            ]
            response = m.send_each(batch, app=self.app)
            for item in response.responses:
                results.append(self._result(item))
        return results

    def _result(self, item) -> DeliveryResult:
        if item.success:
            return DeliveryResult(ok=True, provider_id=item.message_id or "")
        exc = item.exception
        name = type(exc).__name__
        invalid = name in {"UnregisteredError", "SenderIdMismatchError"} or (
            name == "InvalidArgumentError" and "registration token" in str(exc).lower()
        )
        retryable = name in {
            "QuotaExceededError",
            "UnavailableError",
            "InternalError",
            "DeadlineExceededError",
        }
        return DeliveryResult(ok=False, error=f"{name}: {exc}", retryable=retryable, invalid_token=invalid)


@cache
def _firebase_app(firebase_admin, credentials):
    if not settings.FCM_CREDENTIALS_FILE:
        raise ImproperlyConfigured("Set FCM_CREDENTIALS_FILE to a service account JSON file for FCMBackend.")
    # httpTimeout bounds every HTTP call of the app (sends and token refreshes); the SDK's
    # default is 120 s.
    return firebase_admin.initialize_app(
        credentials.Certificate(settings.FCM_CREDENTIALS_FILE),
        options={"httpTimeout": settings.OUTBOUND_TIMEOUT_S},
        name="notifications",
    )


def get_backend(path: str | None = None) -> BaseBackend:
    return import_string(path or settings.NOTIFICATIONS_BACKEND)()
