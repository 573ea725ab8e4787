import pytest

from tests.scenarios.factories import ScenarioFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These suites create many users; their passwords need not be hashed expensively."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def scenario(db):
    return ScenarioFactory()
