from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .idempotency import idempotency_purge
from .outbox import pending_tasks_republish
from .scheduling import publishing_schedule_apply
from .services import api_tokens_purge_expired

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


@shared_task(name="config.tasks.republish_pending_tasks")
def republish_pending_tasks():
    """Send again the tasks the broker refused when they were enqueued; safe to run twice."""
    return pending_tasks_republish()


@shared_task(name="config.tasks.apply_publishing_schedule")
def apply_publishing_schedule():
    """Publish and withdraw the content whose scheduled time has come; safe to run twice."""
    return publishing_schedule_apply()


@shared_task(name="config.tasks.purge_expired_api_tokens")
def purge_expired_api_tokens():
    """Delete API tokens past their expiry (they no longer authenticate); safe to run twice."""
    return api_tokens_purge_expired()
