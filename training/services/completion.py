"""Completing a planned session: shared by recording an activity (which matches it to its
session) and by completing a session by hand."""

from django.utils import timezone

from config.outbox import enqueue_on_commit

from .. import compliance, events
from ..models import Activity, PlannedSession, SessionStatus


def mark_completed(session: PlannedSession, activity: Activity | None, *, at=None):
    """Set ``session`` completed by ``activity`` (the caller holds its row lock), with its
    compliance (``training/compliance.py``). A key session run to less than half of it counts
    toward the missed-key-session rule, which is checked after commit."""
    session.status = SessionStatus.COMPLETED
    session.completed_at = at or timezone.now()
    session.activity = activity
    session.compliance = compliance.compute(session, activity)
    session.save(update_fields=["status", "completed_at", "activity", "compliance", "updated_at"])
    events.emit("session_completed", session.pk)
    if session.is_key_session and (session.compliance or {}).get("verdict") == "partial":
        check_missed_keys_on_commit(session)


def check_missed_keys_on_commit(session: PlannedSession):
    """Check the missed-key-session rule for the session's plan once the transaction commits."""
    enqueue_on_commit("training.tasks.check_missed_key_sessions", session.plan_id)
