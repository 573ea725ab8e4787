"""Raw SQL of progress: the set-based writes store what ingest computed, the reads answer the
stored rows, and every column a statement names is a column of the model."""

import pytest
from django.utils import timezone

from progress import sql
from progress.models import (
    BlockProgress,
    BlockType,
    CourseEnrollment,
    LearnerState,
    NodeProgress,
    ProgramEnrollment,
    ProgressEvent,
)
from progress.services import events_ingest, progress_recompute
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
def test_the_set_based_writes_store_the_state(user):
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
    state = LearnerState.objects.get(user=user)
    logged = ProgressEvent.objects.filter(user=user)
    assert state.events_count == logged.count() and state.rollup_version == 2
    assert state.last_event_at == max(logged.values_list("occurred_at", flat=True))


def _columns(model) -> dict[str, str]:
    """Column name -> the PostgreSQL type the statements cast to, for every concrete field."""
    from django.db import connection

    types = {}
    for f in model._meta.concrete_fields:
        db_type = (f.db_type(connection) or "").split("(")[0].strip()
        types[f.column] = {"timestamp with time zone": "timestamptz", "serial": "integer"}.get(
            db_type, db_type
        )
    return types


@pytest.mark.parametrize(
    ("model", "columns", "types"),
    [
        (BlockProgress, sql.BLOCK_COLUMNS, sql.BLOCK_TYPES),
        (NodeProgress, sql.NODE_COLUMNS, sql.NODE_TYPES),
        (NodeProgress, sql.VIEW_FIELDS, None),
        (ProgressEvent, sql.EVENT_COLUMNS, sql.EVENT_TYPES),
        (ProgramEnrollment, [*sql.ENROLLMENT_COLUMNS, *sql.ENROLLMENT_NODES["program"]], None),
        (CourseEnrollment, [*sql.ENROLLMENT_COLUMNS, *sql.ENROLLMENT_NODES["course"]], None),
    ],
    ids=["block rows", "node rows", "node views", "event log", "program enrollments", "course enrollments"],
)
def test_every_raw_column_list_matches_the_model(model, columns, types):
    """A migration that renames, drops or retypes a column fails here, not in production."""
    actual = _columns(model)
    assert set(columns) <= set(actual), set(columns) - set(actual)
    if types is not None:
        assert len(types) == len(columns)
        assert {c: t for c, t in zip(columns, types, strict=True)} == {c: actual[c] for c in columns}


def test_the_light_rows_read_exactly_the_raw_columns():
    from dataclasses import fields

    from progress.rollup import BlockRow

    assert [f.name for f in fields(BlockRow)] == list(sql.BLOCK_COLUMNS)
    assert [f.name for f in fields(sql.NodeRow)][: len(sql.NODE_COLUMNS)] == list(sql.NODE_COLUMNS)


def test_the_columns_named_inside_the_joins_exist():
    from progress.models import Block, Community, Course, LearnerState, Membership, Page, Program, Wod

    named = {
        Block: {
            "id",
            "block_type",
            "required",
            "page_id",
            "is_published",
            "completion_threshold",
            "mastery_threshold",
        },
        Page: {"id", "wod_id", "is_published"},
        Wod: {"id", "community_id", "status"},
        Course: {"id", "community_id", "status"},
        Program: {"id", "community_id", "status"},
        Community: {"id", "content_version"},
        Membership: {"community_id", "user_id"},
        LearnerState: {"user_id", "rollup_version"},
        ProgressEvent: {"user_id", "idempotency_key", "block_id", "state_after"},
        NodeProgress: {"user_id", "community_id"},
    }
    for model, columns in named.items():
        assert columns <= set(_columns(model)), (model.__name__, columns - set(_columns(model)))


@pytest.mark.django_db
def test_block_facts_carry_their_award_flags(user):
    from progress.models import Achievement, CourseMilestone, MilestoneType

    program = build_program(courses=1, wods_per_course=2, pages_per_wod=1, blocks_per_page=2)
    other = build_program(courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=2)
    join(user, program.community)
    join(user, other.community)
    blocks, theirs = blocks_of(program), blocks_of(other)
    course = program.courses.get()
    CourseMilestone.objects.create(
        course=course, title="Project", milestone_type=MilestoneType.PROJECT, block=blocks[1]
    )
    CourseMilestone.objects.create(
        course=course, title="WOD", milestone_type=MilestoneType.WOD_COMPLETION, wod=blocks[2].page.wod
    )
    Achievement.objects.create(community=program.community, name="A", criteria={"all": []})
    Achievement.objects.create(community=other.community, name="B", criteria={"all": []}, is_active=False)
    ids = [b.pk for b in blocks + theirs] + [10**9]
    found = sorted(sql.load_block_facts_and_rows(user.pk, ids)[0])
    flags = {row[0]: row[9:] for row in found}
    assert flags[blocks[0].pk] == (False, False, True)
    assert flags[blocks[1].pk] == (True, False, True)
    assert flags[blocks[2].pk] == (False, True, True)
    assert flags[theirs[0].pk] == (False, False, False)
    assert len(found) == len(blocks + theirs)


@pytest.mark.django_db
def test_enrollments_read_as_stored_and_ingest_mirrors_them(user):
    from progress.services import course_enroll, program_enroll

    program = build_program(courses=2, wods_per_course=1, pages_per_wod=1, blocks_per_page=2)
    join(user, program.community)
    program_enroll(user=user, program=program)
    courses = list(program.courses.order_by("program_links__order"))
    course_enroll(user=user, course=courses[0])
    wanted = ([program.pk, 10**9], [c.pk for c in courses])

    def read():
        programs, found = sql.load_enrollments(user.pk, *wanted)
        columns = [*sql.ENROLLMENT_COLUMNS, "program_id", "current_course_id"]
        course_columns = [*sql.ENROLLMENT_COLUMNS, "course_id", "current_wod_id"]
        return (
            sorted(tuple(getattr(e, c) for c in columns) for e in programs),
            sorted(tuple(getattr(e, c) for c in course_columns) for e in found),
        )

    found = read()
    assert sql.load_enrollments(user.pk, [], []) == ([], [])
    expected = ProgramEnrollment.objects.get(user=user)
    assert found[0] == [
        (
            expected.pk,
            expected.registration,
            "active",
            0.0,
            None,
            program.community_id,
            program.pk,
            expected.current_course_id,
        )
    ]
    assert [row[6] for row in found[1]] == [courses[0].pk]

    run_events(user, blocks_of(program)[:2], "e")
    enrollment = CourseEnrollment.objects.get(user=user, course=courses[0])
    assert (enrollment.completion_percent, enrollment.status) == (100.0, "completed")
    assert ProgramEnrollment.objects.get(user=user).completion_percent == 50.0


@pytest.mark.django_db
def test_block_and_node_rows_read_the_learners_states(user):
    program = build_program(courses=1, wods_per_course=2, pages_per_wod=1, blocks_per_page=3)
    join(user, program.community)
    blocks = blocks_of(program)
    run_events(user, blocks[:4], "r")
    keys = list(NodeProgress.objects.filter(user=user).values_list("node_type", "node_id"))
    ids = [b.pk for b in blocks]
    found = (sql.load_block_facts_and_rows(user.pk, ids)[1], sql.load_node_rows(user.pk, keys))
    stored = BlockProgress.objects.filter(user=user)
    assert {b: (r.state, r.completed_at) for b, r in found[0].items()} == {
        p.block_id: (p.state, p.completed_at) for p in stored
    }
    assert set(found[1]) == set(keys)
    assert len(found[0]) == 4 and found[0][blocks[0].pk].completed_at is not None
    assert all(row.last_activity_at is not None for row in found[1].values())
