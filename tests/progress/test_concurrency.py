"""Concurrent ingest for the same learners on PostgreSQL with real threads."""

import pytest
from django.utils import timezone

from progress.models import BlockProgress, NodeProgress, NodeType, ProgressEvent
from progress.services import events_ingest, progress_recompute
from tests.factories import UserFactory
from tests.progress.factories import build_program
from tests.utils.progress import blocks_of, join
from tests.utils.threads import run_threads


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_for_the_same_learners_leave_exact_roll_ups():
    program = build_program(courses=2, wods_per_course=2, pages_per_wod=2, blocks_per_page=3)
    blocks = blocks_of(program)
    users = [UserFactory(), UserFactory()]
    for user in users:
        join(user, program.community)

    def client(index):
        user = users[index % 2]
        now = timezone.now()
        for round_ in range(3):
            events_ingest(
                user=user,
                events=[
                    {
                        "block": block.pk,
                        "event": "answered" if i % 3 == 2 else "completed",
                        "score": 0.9,
                        "time_spent_s": 1,
                        "occurred_at": now,
                        # half of the keys are shared by every thread of the same user
                        "idempotency_key": f"t{index}-r{round_}-b{block.pk}"
                        if i % 2
                        else f"shared-r{round_}-b{block.pk}",
                    }
                    for i, block in enumerate(blocks)
                ],
            )

    run_threads(client, 8)
    for user in users:
        events = ProgressEvent.objects.filter(user=user).count()
        # per user 4 threads x 3 rounds x 12 own keys + 3 rounds x 12 shared keys
        assert events == 4 * 3 * 12 + 3 * 12
        total = NodeProgress.objects.get(user=user, node_type=NodeType.PROGRAM, node_id=program.pk)
        assert total.time_spent_s == events
        assert total.state == "mastered"
        assert sum(bp.interaction_count for bp in BlockProgress.objects.filter(user=user)) == events
    assert progress_recompute(dry_run=True).drift == []


@pytest.mark.django_db(transaction=True)
def test_the_same_idempotency_key_sent_at_once_is_recorded_once():
    program = build_program(courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=1)
    block = blocks_of(program)[0]
    user = UserFactory()
    join(user, program.community)

    def client(index):
        events_ingest(
            user=user,
            events=[
                {
                    "block": block.pk,
                    "event": "viewed",
                    "time_spent_s": 5,
                    "occurred_at": timezone.now(),
                    "idempotency_key": "same",
                }
            ],
        )

    run_threads(client, 6)
    assert ProgressEvent.objects.filter(user=user).count() == 1
    assert BlockProgress.objects.get(user=user).time_spent_s == 5


@pytest.mark.django_db(transaction=True)
def test_recompute_running_during_ingest_never_loses_a_delta():
    program = build_program(courses=1, wods_per_course=2, pages_per_wod=2, blocks_per_page=3)
    blocks = blocks_of(program)
    user = UserFactory()
    join(user, program.community)

    def worker(index):
        if index == 0:
            for _ in range(5):
                progress_recompute(user=user)
            return
        for round_ in range(4):
            events_ingest(
                user=user,
                events=[
                    {
                        "block": b.pk,
                        "event": "progressed",
                        "progress": 0.3 * round_,
                        "time_spent_s": 2,
                        "occurred_at": timezone.now(),
                        "idempotency_key": f"c{index}-{round_}-{b.pk}",
                    }
                    for b in blocks
                ],
            )

    run_threads(worker, 5)
    assert progress_recompute(user=user, dry_run=True).drift == []
    program_row = NodeProgress.objects.get(user=user, node_type=NodeType.PROGRAM, node_id=program.pk)
    assert program_row.time_spent_s == 4 * 4 * len(blocks) * 2
