"""``GET /healthz``: is this process able to serve? ``GET /metrics``: Prometheus scrape.

``/healthz`` is 200 when the database answers, 503 when it does not. The cache (Redis ping), the
broker (Redis ping, or the filesystem transport's folder) and the last worker heartbeat are
reported too, but do not fail the check: the web serves without the cache, and the queue catches up
(tasks the broker refused wait in the pending task outbox).
"""

import hmac
import os
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cache import cache_state
from .middleware import DATABASE_ERRORS, log_unavailable, unavailable_response
from .tasks import HEARTBEAT_CACHE_KEY


def database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not serving"
        if not connection.in_atomic_block:
            connection.close()  # the next check reconnects: recovery needs no restart
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def broker_state():
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        except Exception as exc:
            return {"ok": False, "transport": "redis", "error": exc.__class__.__name__}
        return {"ok": True, "transport": "redis"}
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        ok = os.path.isdir(folder) and os.access(folder, os.W_OK)
        return {"ok": ok, "transport": "filesystem"}
    return {"ok": None, "transport": url.split("://", 1)[0]}


def worker_state():
    try:
        return {"last_heartbeat": cache.get(HEARTBEAT_CACHE_KEY)}
    except Exception as exc:
        return {"last_heartbeat": None, "error": exc.__class__.__name__}


@never_cache
@require_GET
def healthz(request):
    database = database_state()
    body = {
        "status": "ok" if database["ok"] else "unavailable",
        "database": database,
        "cache": cache_state(),
        "broker": broker_state(),
        "worker": worker_state(),
    }
    return JsonResponse(body, status=200 if database["ok"] else 503)


def metrics_allowed(request) -> bool:
    """A scraper from ``METRICS_ALLOWED_IPS``, or one bearing ``METRICS_TOKEN``."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
            return True
    return request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_IPS


@never_cache
@require_GET
def metrics(request):
    """Prometheus text format; a 404 to everyone not allowed (nothing says it is there)."""
    if not metrics_allowed(request):
        raise Http404
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from .metrics import scrape_registry

    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)


def server_error(request):
    """``handler500``: a database outage outside any view (e.g. in middleware) is a JSON 503 too;
    anything else under ``/api/`` is a JSON 500 in the error shape."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        log_unavailable(exc, request)
        return unavailable_response(exc)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)
