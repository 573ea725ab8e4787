"""Recomputing roll-ups from the leaves: zero drift after any event sequence, drift found and
fixed after tampering, and content changes recomputed by the task."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import Locked
from progress.models import BlockType, CourseWod, NodeProgress, NodeType, ProgressVerb
from progress.services import events_ingest, progress_recompute
from tests.factories import UserFactory
from tests.progress.factories import (
    BlockFactory,
    CommunityFactory,
    CourseFactory,
    PageFactory,
    WodFactory,
    build_program,
)
from tests.utils.progress import blocks_of, join


def _tree():
    """A program whose WODs are shared between two courses, with every kind of block."""
    community = CommunityFactory()
    program = build_program(
        community=community,
        courses=2,
        wods_per_course=2,
        pages_per_wod=2,
        blocks_per_page=4,
        block_types=(
            BlockType.VIDEO,
            BlockType.QUIZ,
            BlockType.RICH_TEXT,
            BlockType.DIVIDER,
            BlockType.USER_SUBMISSION,
            BlockType.AGENT,
            BlockType.PROMPT,
        ),
    )
    blocks = blocks_of(program)
    for block in blocks[::5]:
        block.required = False
        block.save()
    shared = program.course_links.order_by("order")[0].course.wods.first()
    CourseWod.objects.create(course=program.course_links.order_by("order")[1].course, wod=shared, order=9)
    return community, program, blocks


event_strategy = st.fixed_dictionaries(
    {
        "block": st.integers(min_value=0, max_value=31),
        "event": st.sampled_from(ProgressVerb.values),
        "time_spent_s": st.decimals(min_value=0, max_value=600, places=3, allow_nan=False),
        "score": st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
        "progress": st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
        "minutes_ago": st.integers(min_value=0, max_value=10_000),
        "replay": st.booleans(),
    }
)


@pytest.fixture
def shared_tree(db):
    return _tree()


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(event_strategy, min_size=1, max_size=12), min_size=1, max_size=5))
def test_any_event_sequence_leaves_zero_drift(shared_tree, batches):
    community, program, blocks = shared_tree
    with transaction.atomic():
        user = get_user_model().objects.create(username="hypothesis-learner")
        join(user, community)
        now = timezone.now()
        counter = 0
        keys = []
        for batch in batches:
            events = []
            for spec in batch:
                if spec["replay"] and keys:
                    key = keys[counter % len(keys)]
                else:
                    key = f"k{counter}"
                    keys.append(key)
                counter += 1
                events.append(
                    {
                        "block": blocks[spec["block"] % len(blocks)].pk,
                        "event": spec["event"],
                        "time_spent_s": spec["time_spent_s"],
                        "score": spec["score"],
                        "progress": spec["progress"],
                        "occurred_at": now - timedelta(minutes=spec["minutes_ago"]),
                        "idempotency_key": key,
                    }
                )
            events_ingest(user=user, events=events)
        result = progress_recompute(user=user, dry_run=True)
        assert result.drift == []
        assert result.rows_checked > 0
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_recompute_finds_and_fixes_tampered_rows(user):
    community, program, blocks = _tree()
    join(user, community)
    events_ingest(
        user=user,
        events=[
            {"block": b.pk, "event": "completed", "occurred_at": timezone.now(), "idempotency_key": f"k{i}"}
            for i, b in enumerate(blocks)
        ],
    )
    NodeProgress.objects.filter(user=user, node_type=NodeType.PROGRAM).update(required_done=0, percent=0)
    NodeProgress.objects.filter(user=user, node_type=NodeType.PAGE).first().delete()
    found = progress_recompute(user=user, dry_run=True)
    assert {(d["node_type"], tuple(d["fields"])) for d in found.drift} >= {
        ("program", ("required_done", "percent")),
        ("page", ("row",)),
    }
    assert len(progress_recompute(user=user).drift) == len(found.drift)
    assert progress_recompute(user=user, dry_run=True).drift == []


@pytest.mark.django_db
def test_recompute_command_reports_drift_and_validates_its_arguments(user):
    community, program, blocks = _tree()
    join(user, community)
    events_ingest(
        user=user,
        events=[
            {"block": blocks[2].pk, "event": "viewed", "occurred_at": timezone.now(), "idempotency_key": "a"}
        ],
    )
    NodeProgress.objects.filter(user=user, node_type=NodeType.WOD).update(time_spent_s=999)
    out = StringIO()
    call_command("recompute_progress", "--dry-run", "--community", community.slug, stdout=out)
    assert "drift: 1 rows found (dry run" in out.getvalue()
    out = StringIO()
    call_command("recompute_progress", "--user", user.username, stdout=out)
    assert "drift: 1 rows fixed" in out.getvalue()
    out = StringIO()
    call_command("recompute_progress", stdout=out)
    assert "drift: 0 rows" in out.getvalue()
    with pytest.raises(CommandError, match="No community"):
        call_command("recompute_progress", "--community", "nowhere")
    with pytest.raises(CommandError, match="No user"):
        call_command("recompute_progress", "--user", "nobody")


@pytest.mark.django_db(transaction=True)
def test_content_changes_are_recomputed_by_the_task_after_commit():
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
    assert NodeProgress.objects.get(user=user, node_type=NodeType.COURSE).percent == 100.0
    with transaction.atomic():
        BlockFactory(page=page, block_type=BlockType.QUIZ)
        BlockFactory(page=page, block_type=BlockType.VIDEO, required=False)
    course_row = NodeProgress.objects.get(user=user, node_type=NodeType.COURSE)
    assert (course_row.required_total, course_row.percent, course_row.state) == (2, 50.0, "in_progress")
    assert course_row.completed_at is None
    # A later prerequisite on the course now locks further events.
    from tests.progress.factories import PrerequisiteFactory

    other = CourseFactory(community=community)
    PrerequisiteFactory(course=course, required_course=other, min_percent=100)
    CourseWod.objects.create(course=other, wod=WodFactory(community=community), order=0)
    BlockFactory(page=PageFactory(wod=other.wods.get()), block_type=BlockType.RICH_TEXT)
    with pytest.raises(Locked):
        events_ingest(
            user=user,
            events=[
                {"block": block.pk, "event": "viewed", "occurred_at": timezone.now(), "idempotency_key": "b"}
            ],
        )


@pytest.mark.django_db
def test_unpublished_blocks_stop_counting_after_recompute(user):
    community = CommunityFactory()
    join(user, community)
    page = PageFactory(wod=WodFactory(community=community))
    kept, hidden = (BlockFactory(page=page, block_type=BlockType.RICH_TEXT) for _ in range(2))
    events_ingest(
        user=user,
        events=[
            {
                "block": b.pk,
                "event": "viewed",
                "occurred_at": timezone.now(),
                "idempotency_key": f"k{b.pk}",
                "time_spent_s": 5,
            }
            for b in (kept, hidden)
        ],
    )
    hidden.is_published = False
    hidden.save()
    progress_recompute(user=user)
    page_row = NodeProgress.objects.get(user=user, node_type=NodeType.PAGE, node_id=page.pk)
    assert (page_row.required_total, page_row.required_done, page_row.time_spent_s) == (1, 1, 5)


class _Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_content_edit_does_not_swallow_the_next_recompute(monkeypatch):
    from progress import tasks

    enqueued = []
    monkeypatch.setattr(
        tasks.recompute_community_progress,
        "apply_async",
        lambda args=(), kwargs=None, **options: enqueued.append(args[0]),
    )
    community = CommunityFactory()
    page = PageFactory(wod=WodFactory(community=community))
    enqueued.clear()
    with pytest.raises(_Rollback), transaction.atomic():
        BlockFactory(page=page, block_type=BlockType.RICH_TEXT)
        raise _Rollback
    assert enqueued == []
    with transaction.atomic():
        BlockFactory(page=page, block_type=BlockType.RICH_TEXT)
        BlockFactory(page=page, block_type=BlockType.QUIZ)
    assert enqueued == [community.pk]


@pytest.mark.django_db
def test_recompute_moves_the_enrollments_current_wod_like_an_ingest(user):
    from progress.models import CourseEnrollment
    from progress.services import course_enroll

    community = CommunityFactory()
    join(user, community)
    course = CourseFactory(community=community)
    first, second = WodFactory(community=community), WodFactory(community=community)
    CourseWod.objects.create(course=course, wod=first, order=0)
    CourseWod.objects.create(course=course, wod=second, order=1)
    done = BlockFactory(page=PageFactory(wod=first), block_type=BlockType.RICH_TEXT)
    BlockFactory(page=PageFactory(wod=second), block_type=BlockType.RICH_TEXT)
    course_enroll(user=user, course=course)
    events_ingest(
        user=user,
        events=[{"block": done.pk, "event": "viewed", "occurred_at": timezone.now(), "idempotency_key": "a"}],
    )
    assert CourseEnrollment.objects.get(user=user).current_wod_id == second.pk
    # Roll-ups and the enrollment drifted (e.g. rows restored from an old backup).
    NodeProgress.objects.filter(user=user, node_type=NodeType.COURSE).update(required_done=0, percent=0)
    NodeProgress.objects.filter(user=user, node_type=NodeType.WOD, node_id=first.pk).delete()
    CourseEnrollment.objects.filter(user=user).update(current_wod=first, completion_percent=0)
    progress_recompute(user=user)
    enrollment = CourseEnrollment.objects.get(user=user)
    assert (enrollment.current_wod_id, enrollment.completion_percent) == (second.pk, 50.0)
