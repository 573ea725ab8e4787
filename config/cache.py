"""The Redis cache, degraded to a miss when Redis is unreachable.

Nothing the cache holds is the only copy: rendered trees, token lookups, list counts and
throttle windows can all be recomputed. So while Redis is down every read is a miss and every
write is dropped; the request goes on from the database, and the failure is logged (a warning at
most every ``LOG_EVERY_S`` seconds per process, so an outage does not flood the log).

A caller that must not go on without the cache reads through ``strict_get``, which raises
``CacheUnavailable`` instead. (Sign-in no longer needs it: its failures are counted in the
database, ``config/signin.py``.)

It also keeps one Redis client per connection pool instead of one per call: Django's
``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every cache call, and redis-py builds
a table of some 200 response callbacks in each constructor, about as much CPU as the round trip
itself. A ``redis.Redis`` is safe to share between threads (each command borrows a connection
from the pool).
"""

import functools
import logging
import time

from django.core.cache import cache as default_cache
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger("config.cache")

LOG_EVERY_S = 10.0


class ReusedClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """Django's ``RedisCache`` with one client per connection pool."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


class CacheUnavailable(Exception):
    """The cache server could not be reached."""


def _redis_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _miss_on_error(operation, default=None):
    """Wrap a ``RedisCache`` method: a connection failure returns ``default`` (called, if callable)."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except _redis_errors() as exc:
                return self._degraded(operation, exc, default() if callable(default) else default)

        return wrapper

    return decorate


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache`` whose failures are a miss (reads) or a no-op (writes)."""

    _last_logged = 0.0

    def _degraded(self, operation, exc, default):
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY_S:
            ResilientRedisCache._last_logged = now
            logger.warning(
                "cache unavailable (%s on %s): serving without it: %s",
                exc.__class__.__name__,
                operation,
                exc,
            )
        from config import metrics

        metrics.cache_errors.labels(operation=operation).inc()
        return default

    def strict_get(self, key, default=None, version=None):
        """``get`` that raises ``CacheUnavailable`` when Redis cannot be reached."""
        try:
            return super().get(key, default, version)
        except _redis_errors() as exc:
            raise CacheUnavailable(str(exc)) from exc

    def ping(self) -> bool:
        """Whether Redis answers (for /healthz); never raises."""
        try:
            return bool(self._cache.get_client(write=False).ping())
        except Exception:  # any client error means "not reachable"
            return False

    add = _miss_on_error("add", False)(RedisCache.add)
    set = _miss_on_error("set")(RedisCache.set)
    touch = _miss_on_error("touch", False)(RedisCache.touch)
    delete = _miss_on_error("delete", False)(RedisCache.delete)
    get_many = _miss_on_error("get_many", dict)(RedisCache.get_many)
    has_key = _miss_on_error("has_key", False)(RedisCache.has_key)
    set_many = _miss_on_error("set_many", list)(RedisCache.set_many)
    delete_many = _miss_on_error("delete_many")(RedisCache.delete_many)
    clear = _miss_on_error("clear", False)(RedisCache.clear)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _redis_errors() as exc:
            return self._degraded("get", exc, default)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except _redis_errors() as exc:
            # Like a missing key: callers that count start the window again.
            self._degraded("incr", exc, None)
            raise ValueError(f"Key '{key}' not found (cache unavailable).") from exc

    def ttl(self, key, version=None):
        """Seconds ``key`` has left (None: no expiry or unknown)."""
        try:
            client = self._cache.get_client(key, write=False)
            seconds = client.ttl(self.make_and_validate_key(key, version=version))
        except _redis_errors():
            return None
        return seconds if seconds and seconds > 0 else None


def strict_get(key, default=None, cache=None):
    """Read ``key`` and raise ``CacheUnavailable`` if the cache cannot be reached (backends other than
    ``ResilientRedisCache`` raise their own errors, which are not caught)."""
    cache = cache or default_cache
    getter = getattr(cache, "strict_get", None)
    return getter(key, default) if getter else cache.get(key, default)


def cache_state(cache=None) -> dict:
    """``{"ok": bool, "backend": name}`` for /healthz."""
    cache = cache or default_cache
    backend = cache.__class__.__name__
    ping = getattr(cache, "ping", None)
    if ping is not None:
        return {"ok": ping(), "backend": "redis"}
    return {"ok": True, "backend": backend}
