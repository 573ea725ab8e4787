"""Work after commit: the one way code schedules tasks and local side effects.

``enqueue_on_commit(task_name, *args, **kwargs)`` sends a registered Celery task, named by its
registered name (``"notifications.tasks.sweep"``), once the surrounding transaction commits (at
once outside one); if the broker cannot be reached then, the task is written to the
``PendingTask`` table instead of being lost, and ``pending_tasks_republish`` (the periodic job
"platform: re-publish pending tasks", every minute, and ``manage.py republish_pending_tasks``)
sends it again when the broker is back. ``publish`` sends at once (code already after commit).

``run_on_commit(func, *args, **kwargs)`` is its sibling for local side effects that are not tasks
(clearing a cache, deleting a stored file).

Both make a call once per transaction: a repeat of the same task (or function) with the same
arguments before the commit replaces the earlier one. The dedupe record is the callback itself, kept in
the transaction's on-commit queue, which Django empties on rollback and trims on a savepoint
rollback, so nothing outlives the transaction (never a set on the connection or the process).
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


def registered_task(name: str):
    """The Celery task registered as ``name``; ``LookupError`` naming it when there is none."""
    from celery import current_app

    if not isinstance(name, str):
        raise TypeError(f"Tasks are enqueued by their registered name, not {name!r}.")
    task = current_app.tasks.get(name)
    if task is None:
        current_app.loader.import_default_modules()  # every app's tasks.py, also outside a worker
        task = current_app.tasks.get(name)
    if task is None:
        raise LookupError(f"No Celery task is registered as {name!r}.")
    return task


def _send(task, args, kwargs):
    task.apply_async(args=args, kwargs=kwargs)


def publish(task_name: str, *args, **kwargs) -> bool:
    """Send the task now; if the broker refuses it, keep it in the outbox. True if sent."""
    from .models import PendingTask

    task = registered_task(task_name)
    try:
        _send(task, list(args), kwargs)
    except _broker_errors() as exc:
        logger.warning("broker unavailable, %s kept for re-publishing: %s", task_name, exc)
        PendingTask.objects.create(task=task_name, args=list(args), kwargs=kwargs, last_error=str(exc)[:2000])
        return False
    return True


class _AfterCommit:
    """One call to make after commit, equal to another of the same function and arguments.

    It is its own dedupe record in the transaction's on-commit queue. ``pending`` is false once
    it has run or a repeat took it over: Django takes a committed call out of the queue before
    running it, but a test's ``captureOnCommitCallbacks`` runs the calls and leaves them there.
    """

    __slots__ = ("key", "pending")

    def __init__(self, func, args, kwargs):
        self.key = (func, args, kwargs)
        self.pending = True

    def __eq__(self, other):
        return isinstance(other, _AfterCommit) and self.key == other.key

    __hash__ = None

    def __call__(self):
        if self.pending:
            self.pending = False
            func, args, kwargs = self.key
            func(*args, **kwargs)


def _once_on_commit(call: _AfterCommit) -> None:
    """Register ``call`` after commit unless the transaction already holds it. A repeat takes the
    earlier entry's place at the end of the queue (the earlier one will do nothing), keeping only
    the savepoints both were made in: a savepoint rolled back drops the call only when every
    registration of it was inside that savepoint."""
    connection = transaction.get_connection()
    earlier = None
    if connection.in_atomic_block:
        earlier = next(
            ((sids, func) for sids, func, *_ in connection.run_on_commit if func == call and func.pending),
            None,
        )
    transaction.on_commit(call)
    if earlier is not None:
        sids, func = earlier
        func.pending = False
        connection.run_on_commit[-1][0].intersection_update(sids)


def enqueue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Send the task registered as ``task_name`` with these arguments after the current
    transaction commits (at once outside one), once per transaction; never lost to a broker
    outage. Arguments must be JSON-serializable (ids, not objects). An unknown name is a
    ``LookupError`` here, not after the commit."""
    registered_task(task_name)
    _once_on_commit(_AfterCommit(publish, (task_name, *args), kwargs))


def run_on_commit(func, *args, **kwargs) -> None:
    """Call ``func(*args, **kwargs)`` after the current transaction commits (at once outside one),
    once per transaction: for local side effects that are not tasks (clearing a cache, deleting a
    file). A rollback drops the call."""
    _once_on_commit(_AfterCommit(func, args, kwargs))


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
