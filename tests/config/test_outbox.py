"""The one after-commit path: tasks by name through the outbox, local side effects beside them,
each once per transaction."""

from unittest import mock

import kombu.exceptions
import pytest
from django.db import connection, transaction

from config import outbox
from config.models import PendingTask

TASK = "progress.tasks.recompute_community_progress"
OTHER = "progress.tasks.reevaluate_achievements"


@pytest.fixture
def sent():
    """The (task name, args, kwargs) the outbox hands to the broker."""
    calls = []
    with mock.patch.object(outbox, "_send", side_effect=lambda task, a, k: calls.append((task.name, a, k))):
        yield calls


@pytest.mark.django_db
def test_repeats_within_a_transaction_are_sent_once(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_on_commit(TASK, 1)
        outbox.enqueue_on_commit(TASK, 1)
        outbox.enqueue_on_commit(TASK, 2)
        outbox.enqueue_on_commit(OTHER, 1)
        outbox.enqueue_on_commit(TASK, 1, mode="full")
        outbox.enqueue_on_commit(TASK, 1, mode="full")
        assert sent == []  # nothing before the commit
    assert sent == [(TASK, [1], {}), (TASK, [2], {}), (OTHER, [1], {}), (TASK, [1], {"mode": "full"})]


@pytest.mark.django_db(transaction=True)
def test_each_transaction_sends_its_own(sent):
    for _ in range(2):
        with transaction.atomic():
            outbox.enqueue_on_commit(TASK, 1)
            outbox.enqueue_on_commit(TASK, 1)
    outbox.enqueue_on_commit(TASK, 1)  # outside a transaction: at once, every time
    outbox.enqueue_on_commit(TASK, 1)
    assert sent == [(TASK, [1], {})] * 4


@pytest.mark.django_db
def test_a_rolled_back_savepoint_drops_its_entry(sent, django_capture_on_commit_callbacks):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Abort), transaction.atomic():
            outbox.enqueue_on_commit(TASK, 1)
            outbox.enqueue_on_commit(TASK, 2)
            raise Abort
        assert connection.run_on_commit == []
        outbox.enqueue_on_commit(TASK, 1)  # not a repeat: the first went with its savepoint
    assert sent == [(TASK, [1], {})]


@pytest.mark.django_db
def test_a_repeat_in_a_rolled_back_savepoint_keeps_the_call_made_outside_it(
    sent, django_capture_on_commit_callbacks
):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_on_commit(TASK, 1)
        with pytest.raises(Abort), transaction.atomic():
            outbox.enqueue_on_commit(TASK, 1)
            raise Abort
    assert sent == [(TASK, [1], {})]


@pytest.mark.django_db
def test_a_call_registered_before_a_captured_block_runs_when_repeated_in_it(
    sent, django_capture_on_commit_callbacks
):
    outbox.enqueue_on_commit(TASK, 1)  # the test's transaction never commits this one
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_on_commit(OTHER, 2)
        outbox.enqueue_on_commit(TASK, 1)
    assert sent == [(OTHER, [2], {}), (TASK, [1], {})]


@pytest.mark.django_db
def test_a_refused_task_is_kept_by_name_as_a_pending_task(django_capture_on_commit_callbacks):
    refused = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(outbox, "_send", side_effect=refused):
        with django_capture_on_commit_callbacks(execute=True):
            outbox.enqueue_on_commit(OTHER, [3, 4])
            outbox.enqueue_on_commit(OTHER, [3, 4])
    pending = PendingTask.objects.get()
    assert (pending.task, pending.args, pending.kwargs) == (OTHER, [[3, 4]], {})
    assert "Connection refused" in pending.last_error


@pytest.mark.django_db
def test_an_unknown_task_name_is_refused_when_enqueued(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(LookupError, match="progress.tasks.no_such_task"):
            outbox.enqueue_on_commit("progress.tasks.no_such_task", 1)
        with pytest.raises(TypeError, match="registered name"):
            outbox.enqueue_on_commit(outbox.publish, 1)
    assert callbacks == [] and sent == []


@pytest.mark.django_db
def test_local_side_effects_run_once_after_commit(django_capture_on_commit_callbacks):
    done = []

    def forget(*keys, why=""):
        done.append((keys, why))

    with django_capture_on_commit_callbacks(execute=True):
        outbox.run_on_commit(forget, "a", "b", why="saved")
        outbox.run_on_commit(forget, "a", "b", why="saved")
        outbox.run_on_commit(forget, "a")
        assert done == []
    assert done == [(("a", "b"), "saved"), (("a",), "")]
    with django_capture_on_commit_callbacks(execute=True):
        outbox.run_on_commit(forget, "a")  # the last one ran: this is a new call, not a repeat
    assert done[-1] == (("a",), "")
    assert len(done) == 3
