"""The broker is unreachable when a transaction commits: the write succeeds, the task waits in the
pending task outbox, and the re-publish job sends it once the broker is back, where a worker runs it."""

import time
from unittest import mock

import kombu.exceptions
import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from config.celery import app
from config.models import PendingTask
from config.outbox import enqueue_on_commit, pending_tasks_republish
from config.schedules import PERIODIC_TASKS
from progress.models import BlockType, CourseWod, NodeProgress, NodeType
from progress.services import events_ingest
from tests.factories import UserFactory
from tests.progress.factories import BlockFactory, CommunityFactory, CourseFactory, PageFactory, WodFactory
from tests.reliability.conftest import wait_for
from tests.utils.progress import join

TASK = "progress.tasks.recompute_community_progress"


def learner_with_a_completed_course():
    """A learner who completed the only block of a course (100%), and the course's page."""
    user = UserFactory()
    community = CommunityFactory()
    join(user, community)
    course = CourseFactory(community=community)
    wod = WodFactory(community=community)
    CourseWod.objects.create(course=course, wod=wod, order=0)
    page = PageFactory(wod=wod)
    block = BlockFactory(page=page, block_type=BlockType.RICH_TEXT)
    events_ingest(
        user=user,
        events=[
            {"block": block.pk, "event": "viewed", "occurred_at": timezone.now(), "idempotency_key": "a"}
        ],
    )
    return user, community, page


def course_percent(user):
    return NodeProgress.objects.get(user=user, node_type=NodeType.COURSE).percent


@pytest.fixture
def broker_on(redis_server):
    """The Celery app publishing to (and a worker consuming from) a Redis of the test's own."""
    saved = app.conf.broker_url, app.conf.task_always_eager

    def reset_pools():
        # Connections and producers are pooled per broker URL, by the app and by kombu.
        app.pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        kombu.pools.reset()

    app.conf.broker_url = redis_server.url
    app.conf.task_always_eager = False
    reset_pools()
    yield redis_server
    app.conf.broker_url, app.conf.task_always_eager = saved
    reset_pools()


@pytest.mark.django_db(transaction=True)
def test_a_content_change_committed_while_the_broker_is_down_is_recomputed_once_it_is_back(broker_on):
    user, community, page = learner_with_a_completed_course()
    assert course_percent(user) == 100.0

    broker_on.stop()
    started = time.monotonic()
    with transaction.atomic():  # a designer adds a required block, as the admin saves it
        BlockFactory(page=page, block_type=BlockType.QUIZ)
    assert time.monotonic() - started < 10, "the write waited too long for the broker"
    pending = PendingTask.objects.get()
    assert (pending.task, pending.args, pending.kwargs) == (TASK, [community.pk], {})
    assert course_percent(user) == 100.0  # not recomputed yet

    # The job runs every minute; while the broker is down it leaves the row, counting the attempt.
    with pytest.raises(CommandError, match="still unreachable"):
        call_command("republish_pending_tasks")
    assert PendingTask.objects.get().attempts == 1

    broker_on.start()
    call_command("republish_pending_tasks")
    assert not PendingTask.objects.exists()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert wait_for(lambda: course_percent(user) == 50.0, timeout=30)


@pytest.mark.django_db
def test_enqueue_on_commit_keeps_a_refused_task_and_the_job_sends_it(django_capture_on_commit_callbacks):
    user, community, _ = learner_with_a_completed_course()
    NodeProgress.objects.filter(user=user, node_type=NodeType.COURSE).update(percent=10)  # drift to fix
    refused = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch("config.outbox._send", side_effect=refused):
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(TASK, community.pk)
    assert PendingTask.objects.filter(task=TASK, args=[community.pk]).count() == 1
    assert course_percent(user) == 10

    assert pending_tasks_republish() == {"sent": 1, "failed": 0, "unknown": 0, "left": 0}
    assert course_percent(user) == 100.0  # run (eagerly in tests) by the re-published task


@pytest.mark.django_db
def test_a_task_enqueued_in_a_rolled_back_transaction_is_neither_sent_nor_kept():
    class Abort(Exception):
        pass

    with mock.patch("config.outbox._send") as send, pytest.raises(Abort), transaction.atomic():
        enqueue_on_commit(TASK, 1)
        raise Abort
    send.assert_not_called()
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_a_pending_task_no_longer_registered_stays_with_its_error():
    PendingTask.objects.create(task="gone.tasks.renamed", args=[1])
    assert pending_tasks_republish()["unknown"] == 1
    row = PendingTask.objects.get()
    assert row.attempts == 1 and "no task registered" in row.last_error


def test_the_re_publish_job_is_declared_and_registered():
    specs = [
        spec for spec in PERIODIC_TASKS.values() if spec["task"] == "config.tasks.republish_pending_tasks"
    ]
    assert len(specs) == 1 and specs[0]["schedule"] == 60
    assert "config.tasks.republish_pending_tasks" in app.tasks
