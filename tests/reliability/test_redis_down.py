"""Redis stops while the API serves: reads and writes still answer from the database, the cache
degrades to a miss and says so in the log, throttles fail open, sign-in keeps its lockout policy
(its failures are counted in the database), and /healthz reports the cache down. All of it comes
back with Redis."""

import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from scenarios.models import ScenarioMetadata
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.reliability.conftest import redis_cache_settings
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def cache_on_own_redis(settings, redis_server):
    settings.CACHES = redis_cache_settings(redis_server.url)
    settings.API_TOKEN_CACHE_S = 300  # token lookups go through the cache too
    yield redis_server


def test_the_api_serves_without_redis_and_sign_in_keeps_its_lockout(cache_on_own_redis, caplog):
    redis = cache_on_own_redis
    user = UserFactory(username="ann")
    scenario = ScenarioFactory()
    client = client_for(user)
    list_url = reverse("api:scenario-list")

    assert client.get(list_url).status_code == 200
    assert client.post(TOKEN_URL, {"username": "ann", "password": "pass-word-123"}).status_code == 200
    assert cache.get_many([]) == {} and cache.set("probe", 1) is None and cache.get("probe") == 1

    redis.stop()
    caplog.set_level(logging.WARNING, logger="config.cache")
    # Reads: answered from the database (token lookup and list count are cache misses).
    listed = client.get(list_url)
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert client.get(reverse("api:scenario-detail", args=[scenario.pk])).status_code == 200
    # Writes: done, and the list cache they clear is skipped.
    saved = client.put(reverse("api:scenario-save", args=[scenario.pk]))
    assert saved.status_code == 200, saved.content
    assert ScenarioMetadata.objects.get(scenario=scenario).saved_count == 1
    assert cache.get("probe") is None and cache.add("k", 1) is False and cache.delete("k") is False
    assert any("cache unavailable" in record.getMessage() for record in caplog.records)
    # Sign-in counts failed passwords in the database: it works, and still locks out.
    assert client.post(TOKEN_URL, {"username": "ann", "password": "pass-word-123"}).status_code == 200
    for _ in range(settings.SIGNIN_FAILURE_LIMIT):
        client.post(TOKEN_URL, {"username": "ann", "password": "wrong"})
    refused = client.post(TOKEN_URL, {"username": "ann", "password": "pass-word-123"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "locked_out"
    # The rate throttle on the same view fails open: signing out still works.
    assert client.delete(TOKEN_URL).status_code == 204
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["cache"] == {"ok": False, "backend": "redis"}

    redis.start()
    client.credentials()  # its token was revoked above
    assert (
        client.post(TOKEN_URL, {"username": "bob", "password": "x"}, REMOTE_ADDR="192.0.2.1").status_code
        == 400
    )
    assert client.get("/healthz").json()["cache"] == {"ok": True, "backend": "redis"}
    cache.set("probe", 2)
    assert cache.get("probe") == 2


def test_a_cache_outage_is_logged_once_per_interval_not_per_call(cache_on_own_redis, caplog, monkeypatch):
    from config import cache as cache_module

    monkeypatch.setattr(cache_module.ResilientRedisCache, "_last_logged", 0.0)
    cache_on_own_redis.stop()
    caplog.set_level(logging.WARNING, logger="config.cache")
    for _ in range(20):
        cache.get("anything")
    assert len([r for r in caplog.records if r.name == "config.cache"]) == 1
