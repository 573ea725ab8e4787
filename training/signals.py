"""What training tells other apps. Sent by the services after the transaction commits, so a
receiver always sees the data; receivers connect in their own ``AppConfig.ready()``.

===============================  ===========================================================
signal                           keyword arguments (besides ``sender``)
===============================  ===========================================================
``plan_activated``               ``plan``
``plan_deactivated``             ``plan``, ``new_status`` (paused, abandoned or completed)
``plan_realigned``               ``plan``
``session_completed``            ``session``
``session_missed``               ``session``
``session_skipped``              ``session``
``session_moved``                ``session``, ``old_date``, ``old_start_time_local``
===============================  ===========================================================
"""

from django.db import transaction
from django.dispatch import Signal

plan_activated = Signal()
plan_deactivated = Signal()
plan_realigned = Signal()
session_completed = Signal()
session_missed = Signal()
session_skipped = Signal()
session_moved = Signal()


def send_on_commit(signal: Signal, sender, **kwargs):
    """Send ``signal`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
