"""Fixtures every suite shares. App suites add their own in tests/<app>/conftest.py."""

import pytest
from celery.contrib.testing.worker import start_worker
from rest_framework.test import APIClient

from config.celery import app as celery_app
from tests.factories import UserFactory


def pytest_configure(config):
    """Draw the schemathesis seed once, here, so xdist workers (which inherit the environment)
    use the seed the header prints (tests/api/seed.py)."""
    import os
    import secrets

    os.environ.setdefault("SCHEMATHESIS_SEED", str(secrets.randbits(32)))


def pytest_report_header(config):
    from tests.api.seed import replay_hint

    return replay_hint()


def pytest_terminal_summary(terminalreporter):
    """The seed again at the end (``-q`` hides the header) when the schemathesis suite ran."""
    from tests.api.seed import replay_hint

    reports = (r for group in terminalreporter.stats.values() for r in group if hasattr(r, "nodeid"))
    if any("test_schemathesis" in report.nodeid for report in reports):
        terminalreporter.write_line(replay_hint())


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_tasks_in_process():
    """Tasks run in the test process when their transaction commits (a real worker test
    switches this off for itself)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def redis_worker():
    """A real Celery worker thread consuming from the Redis broker the test command started."""
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _token_lookups_hit_the_database(settings):
    """Pinned query counts include the token lookup; the cached path has its own tests
    (tests/config/test_auth.py), which turn the cache on."""
    settings.API_TOKEN_CACHE_S = 0


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def api_client():
    return APIClient()


def client_for(user):
    """An APIClient authenticated with ``user``'s API token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def api_token_for(user) -> str:
    """A new API token of ``user`` (only its digest is stored, so each call issues one)."""
    from config.services import api_token_issue

    return api_token_issue(user=user)[1]


@pytest.fixture
def auth_client(user):
    return client_for(user)


@pytest.fixture
def other_client(other_user):
    return client_for(other_user)
