"""The set-based writes and their ORM fallback (used on the embedded SQLite default) agree."""

import pytest
from django.utils import timezone

from progress.models import BlockProgress, BlockType, NodeProgress, ProgressEvent
from progress.services import bulk, events_ingest, progress_recompute
from tests.progress.factories import build_program
from tests.utils.progress import blocks_of, join


def run_events(user, blocks, prefix):
    now = timezone.now()
    events_ingest(
        user=user,
        events=[
            {
                "block": b.pk,
                "event": "answered" if b.block_type == BlockType.QUIZ else "completed",
                "score": 0.9,
                "time_spent_s": 1.25,
                "occurred_at": now,
                "idempotency_key": f"{prefix}{b.pk}",
                "interaction_data": {"n": b.pk},
            }
            for b in blocks
        ],
    )
    events_ingest(
        user=user,
        events=[
            {
                "block": b.pk,
                "event": "viewed",
                "time_spent_s": 2,
                "occurred_at": now,
                "idempotency_key": f"{prefix}v{b.pk}",
            }
            for b in blocks[::2]
        ],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("postgres", [True, False])
def test_both_write_paths_store_the_same_state(user, monkeypatch, postgres):
    monkeypatch.setattr(bulk, "_postgres", lambda: postgres)
    program = build_program(courses=1, wods_per_course=2, pages_per_wod=1, blocks_per_page=3)
    join(user, program.community)
    blocks = blocks_of(program)
    run_events(user, blocks, "a")
    run_events(user, blocks, "a")  # replays
    assert ProgressEvent.objects.filter(user=user).count() == len(blocks) + len(blocks[::2])
    assert BlockProgress.objects.get(user=user, block=blocks[0]).interaction_data == {"n": blocks[0].pk}
    program_row = NodeProgress.objects.get(user=user, node_type="program")
    assert (program_row.percent, program_row.state) == (100.0, "mastered")
    assert program_row.time_spent_s == len(blocks) * 1.25 + len(blocks[::2]) * 2
    assert progress_recompute(user=user, dry_run=True).drift == []
