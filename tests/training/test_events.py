"""Training's events: each names the tasks other apps subscribed to it, enqueued after commit."""

from unittest import mock

import pytest

from config import outbox
from config.outbox import registered_task
from notifications.receivers import TRAINING_EVENTS
from training import events


def test_every_subscribed_task_is_registered_and_takes_its_events_arguments():
    for event in events.EVENTS:
        for name in events.subscribers(event):
            assert registered_task(name).name == name
    assert events.subscribers("plan_deactivated") == ["notifications.tasks.plan_deactivated"]
    assert events.subscribers("plan_realigned") == ["notifications.tasks.reschedule_plan"]
    assert {event: events.subscribers(event) for event in TRAINING_EVENTS} == TRAINING_EVENTS


def test_an_event_with_the_wrong_arguments_or_an_unknown_event_is_refused():
    with pytest.raises(TypeError, match="plan_id, new_status"):
        events.emit("plan_deactivated", 1)
    with pytest.raises(KeyError):
        events.emit("plan_exploded", 1)
    with pytest.raises(LookupError, match="plan_exploded"):
        events.subscribe({"plan_exploded": ["notifications.tasks.sweep"]})


@pytest.mark.django_db
def test_an_event_enqueues_its_tasks_after_commit_once_per_transaction(django_capture_on_commit_callbacks):
    sent = []
    with mock.patch.object(outbox, "_send", side_effect=lambda task, a, k: sent.append((task.name, a))):
        with django_capture_on_commit_callbacks(execute=True):
            events.emit("session_skipped", 7)
            events.emit("session_skipped", 7)
            events.emit("session_skipped", 8)
            assert sent == []
    skipped = "notifications.tasks.session_skipped"
    assert sent == [(skipped, [7]), (skipped, [8])]
