from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .idempotency import idempotency_purge

HEARTBEAT_CACHE_KEY = "platform:worker-heartbeat"


@shared_task(name="config.tasks.heartbeat")
def heartbeat():
    """Leave a timestamp a worker wrote; /healthz shows how old it is."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now


@shared_task(name="config.tasks.purge_idempotency_keys")
def purge_idempotency_keys():
    """Forget Idempotency-Key answers past their retention; safe to run twice."""
    return idempotency_purge()
