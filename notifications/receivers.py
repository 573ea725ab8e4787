"""Receivers of training's signals. Training sends them after its transaction commits; each
receiver only enqueues a task with ids (the work runs in the task) through the platform's task
outbox, which sends it after commit (at once outside a transaction, as here) and keeps it for
re-publishing if the broker is down."""

from config.outbox import enqueue_on_commit

from . import tasks


def on_plan_activated(sender, plan, **kwargs):
    enqueue_on_commit(tasks.plan_activated, plan.pk)


def on_plan_deactivated(sender, plan, new_status, **kwargs):
    enqueue_on_commit(tasks.plan_deactivated, plan.pk, str(new_status))


def on_plan_realigned(sender, plan, **kwargs):
    enqueue_on_commit(tasks.reschedule_plan, plan.pk)


def on_session_completed(sender, session, **kwargs):
    enqueue_on_commit(tasks.session_completed, session.pk)


def on_session_missed(sender, session, **kwargs):
    enqueue_on_commit(tasks.session_missed, session.pk)


def on_session_skipped(sender, session, **kwargs):
    enqueue_on_commit(tasks.session_skipped, session.pk)


def on_session_moved(sender, session, **kwargs):
    enqueue_on_commit(tasks.session_moved, session.pk)


RECEIVERS = {
    "plan_activated": on_plan_activated,
    "plan_deactivated": on_plan_deactivated,
    "plan_realigned": on_plan_realigned,
    "session_completed": on_session_completed,
    "session_missed": on_session_missed,
    "session_skipped": on_session_skipped,
    "session_moved": on_session_moved,
}
