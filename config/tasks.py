from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "platform:worker-heartbeat"


@shared_task(name="config.tasks.heartbeat")
def heartbeat():
    """Leave a timestamp a worker wrote; /healthz shows how old it is."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now
