"""``GET /healthz``: is this process able to serve?

200 when the database answers, 503 when it does not. The broker's state is reported too
(Redis ping, or the filesystem transport's folder) and so is the last worker heartbeat, but
they do not fail the check: the web can serve while the queue catches up.
"""

import os

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .tasks import HEARTBEAT_CACHE_KEY


def database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not serving"
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
        "broker": broker_state(),
        "worker": worker_state(),
    }
    return JsonResponse(body, status=200 if database["ok"] else 503)
