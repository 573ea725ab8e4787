"""Enqueueing tasks so that the work survives a broker outage.

Every app enqueues through ``enqueue_on_commit(task, *args, **kwargs)`` (or ``publish`` when it is
already running after commit). The task is sent once the surrounding transaction commits; if the
broker cannot be reached then, the task is written to the ``PendingTask`` table instead of being
lost, and ``pending_tasks_republish`` (the periodic job "platform: re-publish pending tasks", every
minute, and ``manage.py republish_pending_tasks``) sends it again when the broker is back.
"""

import logging

from django.db import transaction

logger = logging.getLogger("config.outbox")


def _broker_errors():
    import kombu.exceptions

    errors = [kombu.exceptions.OperationalError, ConnectionError, TimeoutError, OSError]
    try:
        import redis

        errors.append(redis.exceptions.ConnectionError)
        errors.append(redis.exceptions.TimeoutError)
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    return tuple(errors)


def _send(task, args, kwargs):
    task.apply_async(args=args, kwargs=kwargs)


def publish(task, *args, **kwargs) -> bool:
    """Send ``task`` now; if the broker refuses it, keep it in the outbox. True if sent."""
    from .models import PendingTask

    try:
        _send(task, list(args), kwargs)
    except _broker_errors() as exc:
        logger.warning("broker unavailable, %s kept for re-publishing: %s", task.name, exc)
        PendingTask.objects.create(task=task.name, args=list(args), kwargs=kwargs, last_error=str(exc)[:2000])
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task(*args, **kwargs)`` after the current transaction commits (at once outside
    one); never lost to a broker outage. Arguments must be JSON-serializable (ids, not objects)."""
    transaction.on_commit(lambda: publish(task, *args, **kwargs))


def pending_tasks_republish(*, limit: int = 1000) -> dict:
    """Send the outbox's tasks again, oldest first; stop at the first broker failure.

    Returns ``{"sent": n, "failed": n, "unknown": n, "left": n}``. Rows are locked while sent
    (``SKIP LOCKED``), so two runs at once never send a row twice; a row whose task is not
    registered (renamed in a deploy) stays, its error recorded, for an operator to look at.
    """
    from celery import current_app

    from .models import PendingTask

    current_app.loader.import_default_modules()  # every app's tasks.py, also outside a worker
    sent = failed = unknown = 0
    with transaction.atomic():
        queryset = PendingTask.objects.select_for_update(skip_locked=True, of=("self",))
        rows = list(queryset.order_by("created_at", "pk")[:limit])
        done = []
        for row in rows:
            task = current_app.tasks.get(row.task)
            if task is None:
                unknown += 1
                PendingTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error=f"no task registered as {row.task!r}"
                )
                continue
            try:
                _send(task, row.args, row.kwargs)
            except _broker_errors() as exc:
                failed += 1
                PendingTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error=str(exc)[:2000]
                )
                break
            done.append(row.pk)
            sent += 1
        PendingTask.objects.filter(pk__in=done).delete()
    left = PendingTask.objects.count()
    if sent or failed or unknown:
        log = logger.warning if failed or unknown else logger.info
        log("pending tasks: %s re-published, %s failed, %s unknown, %s left", sent, failed, unknown, left)
    return {"sent": sent, "failed": failed, "unknown": unknown, "left": left}
