import pytest

from notifications.delivery import InMemoryBackend


@pytest.fixture(autouse=True)
def _in_memory_backend(settings):
    settings.NOTIFICATIONS_BACKEND = "notifications.delivery.InMemoryBackend"
    InMemoryBackend.outbox = []
    yield
    InMemoryBackend.outbox = []


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def outbox():
    return InMemoryBackend.outbox
