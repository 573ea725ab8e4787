import pytest
from django.core.cache import cache


@pytest.fixture
def redis_cache(settings):
    assert settings.REDIS_URL, "the test command provides Redis"
    return cache


def test_cache_reuses_one_redis_client_per_pool(redis_cache):
    redis_cache.set("cache-test", 1)
    client = redis_cache._cache.get_client("cache-test")
    assert redis_cache._cache.get_client("other") is client
    assert redis_cache._cache.get_client("x", write=True) is client  # one server: one pool


def test_cache_still_reads_writes_and_deletes(redis_cache):
    redis_cache.set("cache-test", {"a": 1}, timeout=30)
    assert redis_cache.get("cache-test") == {"a": 1}
    assert redis_cache.get_many(["cache-test", "missing"]) == {"cache-test": {"a": 1}}
    assert redis_cache.incr("cache-counter", 1) if redis_cache.add("cache-counter", 0) else True
    redis_cache.delete("cache-test")
    assert redis_cache.get("cache-test") is None
