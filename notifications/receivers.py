"""Receivers of training's signals. Training sends them after its transaction commits; each
receiver only enqueues a task with ids (the work runs in the task); ``delay_on_commit`` keeps
that true even if a signal is ever sent inside a transaction."""

from . import tasks


def on_plan_activated(sender, plan, **kwargs):
    tasks.plan_activated.delay_on_commit(plan.pk)


def on_plan_deactivated(sender, plan, new_status, **kwargs):
    tasks.plan_deactivated.delay_on_commit(plan.pk, str(new_status))


def on_plan_realigned(sender, plan, **kwargs):
    tasks.reschedule_plan.delay_on_commit(plan.pk)


def on_session_completed(sender, session, **kwargs):
    tasks.session_completed.delay_on_commit(session.pk)


def on_session_missed(sender, session, **kwargs):
    tasks.session_missed.delay_on_commit(session.pk)


def on_session_skipped(sender, session, **kwargs):
    tasks.session_skipped.delay_on_commit(session.pk)


def on_session_moved(sender, session, **kwargs):
    tasks.session_moved.delay_on_commit(session.pk)


RECEIVERS = {
    "plan_activated": on_plan_activated,
    "plan_deactivated": on_plan_deactivated,
    "plan_realigned": on_plan_realigned,
    "session_completed": on_session_completed,
    "session_missed": on_session_missed,
    "session_skipped": on_session_skipped,
    "session_moved": on_session_moved,
}
