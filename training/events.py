"""What training tells other apps, as tasks enqueued after its transaction commits.

A service calls :func:`emit` with an event and its arguments (ids, JSON-serializable); every
task an app subscribed to that event is enqueued through the task outbox
(``config.outbox.enqueue_on_commit``): after commit, once per transaction, kept if the broker is
down. Training names no other app: an app that reacts declares, in one table, the registered
task names each event enqueues (``notifications/receivers.py``) and hands the table to
:func:`subscribe` in its ``AppConfig.ready()``. Each task takes the event's arguments, in order:

======================  ==========================================================
event                   arguments
======================  ==========================================================
``plan_activated``      ``plan_id``
``plan_deactivated``    ``plan_id``, ``new_status`` (paused, abandoned or completed)
``plan_realigned``      ``plan_id``
``session_completed``   ``session_id``
``session_missed``      ``session_id``
``session_skipped``     ``session_id``
``session_moved``       ``session_id``
======================  ==========================================================
"""

from config.outbox import enqueue_on_commit

EVENTS = {
    "plan_activated": ("plan_id",),
    "plan_deactivated": ("plan_id", "new_status"),
    "plan_realigned": ("plan_id",),
    "session_completed": ("session_id",),
    "session_missed": ("session_id",),
    "session_skipped": ("session_id",),
    "session_moved": ("session_id",),
}

_subscribed: dict[str, list[str]] = {event: [] for event in EVENTS}


def subscribe(table: dict[str, list[str]]) -> None:
    """Enqueue the named tasks on each event of ``table`` (``{event: [task name, ...]}``);
    subscribing a task twice keeps one."""
    for event, task_names in table.items():
        if event not in EVENTS:
            raise LookupError(f"Training sends no event {event!r}.")
        for name in task_names:
            if name not in _subscribed[event]:
                _subscribed[event].append(name)


def subscribers(event: str) -> list[str]:
    """The task names enqueued on ``event``."""
    return list(_subscribed[event])


def emit(event: str, *args) -> None:
    """Enqueue every task subscribed to ``event`` with ``args`` after the transaction commits."""
    expected = EVENTS[event]
    if len(args) != len(expected):
        raise TypeError(f"{event} takes {', '.join(expected)}; got {len(args)} argument(s).")
    for name in _subscribed[event]:
        enqueue_on_commit(name, *args)
