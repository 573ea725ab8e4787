"""Every raw SQL statement of progress, in one place; the rest of the app uses the ORM.

Set-based reads and writes for the ingest hot path: block states, roll-ups, the event log.

A batch of events touches up to 500 block rows and appends as many log rows; building model
instances and going through the ORM's per-field preparation would cost more than the database
work. These functions read block states and roll-ups as light rows and write a batch back in one
statement: each kind of row travels as one JSON array (``INSERT ... SELECT ... FROM
jsonb_array_elements(...)``, ``ON CONFLICT DO UPDATE`` for the states), chained as data-modifying
CTEs with the learner's counters (``write_progress``).
They run inside the ingest transaction, under the learner's lock.

Two reads on every tree request live here too (a learner's roll-ups in a community, and the
visibility of a node with the versions that key its cache). Every column list below is declared
from the models' fields (``config.sql_columns``) and checked against them by
``tests/config/test_sql_columns.py``, so a migration cannot silently break a statement.
"""

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import attrgetter

from django.db import connection
from django.utils import timezone

from config.sql_columns import cast_types, columns

from .models import (
    Achievement,
    Block,
    BlockProgress,
    BlockState,
    Community,
    CourseEnrollment,
    CourseMilestone,
    LearnerState,
    Membership,
    MilestoneType,
    NodeProgress,
    Page,
    ProgramEnrollment,
    ProgressEvent,
    PublishStatus,
    Wod,
)
from .models.learning import ROLLUP_VALUE_FIELDS
from .rollup import BlockRow

BLOCK_COLUMNS = columns(
    BlockProgress,
    (
        "user_id",
        "block_id",
        "community_id",
        "state",
        "progress",
        "time_spent_s",
        "interaction_count",
        "retry_count",
        "mastery_score",
        "last_score",
        "interaction_data",
        "difficulty_rating",
        "confidence_level",
        "first_interaction_at",
        "last_interaction_at",
        "completed_at",
        "mastered_at",
    ),
    insert=True,
    others=("created_at", "updated_at"),
)
BLOCK_TYPES = cast_types(BlockProgress, BLOCK_COLUMNS)
_block_values = attrgetter(*BLOCK_COLUMNS)


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def lock_learner_row(user_id: int) -> bool:
    """Lock the learner's ``LearnerState`` row for the rest of the transaction (``SELECT ... FOR
    UPDATE OF`` the row only, like ``services.lock_learner``); False when there is none yet."""
    table = LearnerState._meta.db_table
    return bool(_fetch(f"SELECT 1 FROM {table} s WHERE s.user_id = %s FOR UPDATE OF s", [user_id]))


def _select_list(columns, types) -> str:
    """``columns`` for a SELECT, the timestamps as text: ``datetime.fromisoformat`` (C) reads
    them several times faster than the loader Django installs for timestamptz (Python), to the
    same aware UTC datetimes (see ``community_view_rows``)."""
    return ", ".join(f"{c}::text" if t == "timestamptz" else c for c, t in zip(columns, types, strict=True))


def _parse_timestamps(rows, types) -> list[list]:
    at = [i for i, t in enumerate(types) if t == "timestamptz"]
    parse = datetime.fromisoformat
    parsed = []
    for row in rows:
        row = list(row)
        for i in at:
            if row[i] is not None:
                row[i] = parse(row[i])
        parsed.append(row)
    return parsed


def stored_keys(user_id: int, keys) -> dict[str, tuple[int | None, str]]:
    """(block id, state after) of the learner's already recorded events among ``keys``."""
    rows = _fetch(
        f"SELECT idempotency_key, block_id, state_after FROM {ProgressEvent._meta.db_table} "
        "WHERE user_id = %s AND idempotency_key = ANY(%s)",
        [user_id, list(keys)],
    )
    return {key: (block_id, state) for key, block_id, state in rows}


FACTS_WIDTH = 12  # the columns of a block's facts, before its state in ``load_block_facts_and_rows``


def _block_facts_query(user_id: int, block_ids, *, with_rows: bool = False) -> tuple[str, list]:
    # The blocks first, by primary key (MATERIALIZED): joined freely, the planner scans every
    # block of every page when the small content tables have no statistics yet.
    milestone = CourseMilestone._meta.db_table
    rows_columns = rows_join = ""
    rows_params = []
    if with_rows:
        rows_columns = ", " + _select_list([f"bp.{c}" for c in BLOCK_COLUMNS], BLOCK_TYPES)
        rows_join = f"LEFT JOIN {BlockProgress._meta.db_table} bp ON bp.user_id = %s AND bp.block_id = b.id "
        rows_params = [user_id]
    sql = (
        f"WITH b AS MATERIALIZED (SELECT * FROM {Block._meta.db_table} WHERE id = ANY(%s)) "
        "SELECT b.id, b.block_type, b.required, b.page_id, p.wod_id, w.community_id, c.content_version, "
        "b.completion_threshold, b.mastery_threshold, "
        f"EXISTS (SELECT 1 FROM {milestone} cm WHERE cm.block_id = b.id AND cm.milestone_type = ANY(%s)), "
        f"EXISTS (SELECT 1 FROM {milestone} cm WHERE cm.wod_id = p.wod_id AND cm.milestone_type = %s), "
        f"EXISTS (SELECT 1 FROM {Achievement._meta.db_table} a "
        f"WHERE a.community_id = w.community_id AND a.is_active){rows_columns} "
        f"FROM b JOIN {Page._meta.db_table} p ON p.id = b.page_id "
        f"JOIN {Wod._meta.db_table} w ON w.id = p.wod_id "
        f"JOIN {Community._meta.db_table} c ON c.id = w.community_id "
        f"{rows_join}"
        "WHERE b.is_published AND p.is_published AND w.status = %s "
        f"AND EXISTS (SELECT 1 FROM {Membership._meta.db_table} m "
        "WHERE m.community_id = w.community_id AND m.user_id = %s)"
    )
    params = [
        list(block_ids),
        [MilestoneType.ASSESSMENT.value, MilestoneType.PROJECT.value],
        MilestoneType.WOD_COMPLETION.value,
        *rows_params,
        PublishStatus.PUBLISHED.value,
        user_id,
    ]
    return sql, params


def load_block_facts_and_rows(user_id: int, block_ids) -> tuple[list[tuple], dict[int, BlockRow]]:
    """The facts of the published blocks among ``block_ids`` in the user's communities (id, type,
    required, page, WOD, community, content version, completion threshold, mastery threshold, has
    a block milestone, its WOD has a WOD-completion milestone, its community has an active
    achievement: the three flags let an ingest skip award rules that cannot apply) and the
    learner's block states of those blocks, in one query."""
    rows = _fetch(*_block_facts_query(user_id, block_ids, with_rows=True))
    facts, states = [], {}
    for row in _parse_timestamps(rows, [None] * FACTS_WIDTH + BLOCK_TYPES):
        facts.append(tuple(row[:FACTS_WIDTH]))
        if row[FACTS_WIDTH] is not None:  # the learner has a state on this block
            state = states[row[0]] = BlockRow(*row[FACTS_WIDTH:])
            if isinstance(state.interaction_data, str):  # Django leaves jsonb undecoded in raw queries
                state.interaction_data = json.loads(state.interaction_data)
    return facts, states


ENROLLMENT_COLUMNS = ["id", "registration", "status", "completion_percent", "completed_at", "community_id"]
# The node and the current child of each kind of enrollment, after ENROLLMENT_COLUMNS.
ENROLLMENT_NODES = {"program": ("program_id", "current_course_id"), "course": ("course_id", "current_wod_id")}
ENROLLMENT_MODELS = {"program": ProgramEnrollment, "course": CourseEnrollment}
# Every column each kind of enrollment reads.
ENROLLMENT_READS = {
    kind: columns(model, [*ENROLLMENT_COLUMNS, *ENROLLMENT_NODES[kind]])
    for kind, model in ENROLLMENT_MODELS.items()
}


def load_enrollments(user_id: int, program_ids, course_ids) -> tuple[list, list]:
    """The learner's program and course enrollments among the ids, as instances holding only
    what ingest mirrors onto them (``ENROLLMENT_COLUMNS`` and their node), in one query."""
    models, names = ENROLLMENT_MODELS, ENROLLMENT_READS
    wanted = {"program": list(program_ids), "course": list(course_ids)}
    found = {"program": [], "course": []}
    parts, params = [], []
    for kind, model in models.items():
        if wanted[kind]:
            node = ENROLLMENT_NODES[kind][0]
            parts.append(
                f"SELECT %s, {', '.join(names[kind])} FROM {model._meta.db_table} "
                f"WHERE user_id = %s AND {node} = ANY(%s)"
            )
            params += [kind, user_id, wanted[kind]]
    if not parts:
        return [], []
    db = connection.alias
    for kind, *row in _fetch(" UNION ALL ".join(parts), params):
        found[kind].append(models[kind].from_db(db, names[kind], row))
    return found["program"], found["course"]


def _plain(value):
    """A datetime, Decimal or UUID as the JSON document carries it (``json.dumps``' ``default``)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_select(types) -> str:
    """The columns of one JSON array row ``r``, cast to ``types``."""
    return ", ".join(f"(r->{i})" if t == "jsonb" else f"(r->>{i})::{t}" for i, t in enumerate(types))


def _upsert_statement(table, columns, types, values, *, conflict, now, created=True) -> tuple[str, str]:
    """``INSERT ... ON CONFLICT DO UPDATE`` of many rows in one statement, and its one parameter:
    the rows travel as one JSON array (unpacked by ``jsonb_array_elements``), far cheaper to send
    and prepare than one parameter per value or one array per column."""
    stamp = now.isoformat()
    extra = ["created_at", "updated_at"] if created else ["updated_at"]
    columns = [*columns, *extra]
    types = [*types, *(["timestamptz"] * len(extra))]
    stamps = (stamp,) * len(extra)
    document = json.dumps([(*row, *stamps) for row in values], default=_plain)
    select = _json_select(types)
    keep = {*conflict, "created_at"}
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in keep)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {select} FROM jsonb_array_elements(%s::jsonb) AS r "
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {updates}"
    )
    return sql, document


EVENT_COLUMNS = columns(
    ProgressEvent,
    (
        "statement_id",
        "user_id",
        "community_id",
        "block_id",
        "verb",
        "idempotency_key",
        "time_spent_s",
        "progress",
        "score",
        "success",
        "completion",
        "state_after",
        "registration",
        "context",
        "occurred_at",
        "stored_at",
    ),
    insert=True,
)
EVENT_TYPES = cast_types(ProgressEvent, EVENT_COLUMNS)


NODE_COLUMNS = columns(
    NodeProgress,
    ("user_id", "community_id", "node_type", "node_id", *ROLLUP_VALUE_FIELDS),
    insert=True,
    others=("updated_at",),
)
_node_values = attrgetter(*NODE_COLUMNS)
NODE_TYPES = cast_types(NodeProgress, NODE_COLUMNS)


@dataclass(slots=True)
class NodeRow:
    """A learner's roll-up on one node, as ingest moves it (see ``NodeProgress``)."""

    user_id: int
    community_id: int
    node_type: str
    node_id: int
    required_total: int = 0
    required_done: int = 0
    masterable_total: int = 0
    mastered: int = 0
    optional_done: int = 0
    time_spent_s: Decimal = field(default_factory=lambda: Decimal(0))
    percent: float = 0.0
    state: str = BlockState.NOT_STARTED
    completed_at: datetime | None = None
    last_activity_at: datetime | None = None


def load_node_rows(user_id: int, keys) -> dict[tuple[str, int], NodeRow]:
    """The learner's roll-up rows for ``keys`` ((node_type, node_id) pairs), one query."""
    by_type: dict[str, list[int]] = {}
    for node_type, node_id in keys:
        by_type.setdefault(node_type, []).append(node_id)
    if not by_type:
        return {}
    clauses, params = [], [user_id]
    for node_type, ids in sorted(by_type.items()):
        clauses.append("(node_type = %s AND node_id = ANY(%s))")
        params += [str(node_type), ids]
    rows = _fetch(
        f"SELECT {_select_list(NODE_COLUMNS, NODE_TYPES)} FROM {NodeProgress._meta.db_table} "
        f"WHERE user_id = %s AND ({' OR '.join(clauses)})",
        params,
    )
    return {(row[2], row[3]): NodeRow(*row) for row in _parse_timestamps(rows, NODE_TYPES)}


_EVENTS_INSERT = (
    f"INSERT INTO {ProgressEvent._meta.db_table} ({', '.join(EVENT_COLUMNS)}) "
    f"SELECT {_json_select(EVENT_TYPES)} FROM jsonb_array_elements(%s::jsonb) AS r"
)
_COUNTERS_UPDATE = (
    f"UPDATE {LearnerState._meta.db_table} SET events_count = events_count + %s, "
    "rollup_version = rollup_version + 1, "
    "last_event_at = GREATEST(COALESCE(last_event_at, %s), %s), updated_at = %s WHERE user_id = %s"
)


def _stamp(events: list[dict], now: datetime) -> None:
    """Give each log row its statement id (a random UUID) and stored time."""
    statement_ids = os.urandom(16 * len(events))
    for i, event in enumerate(events):
        event["statement_id"] = uuid.UUID(bytes=statement_ids[16 * i : 16 * i + 16], version=4)
        event["stored_at"] = now


def write_progress(
    *,
    user_id: int,
    node_rows: list[NodeRow],
    block_rows: list[BlockRow],
    events: list[dict],
    now: datetime,
    latest,
) -> None:
    """A batch's writes: its roll-ups and block states (upserts), its log rows (dicts with
    ``EVENT_COLUMNS`` but the statement id and stored time, which are set here) and, when it
    logged any, the learner's counters (``LearnerState``, ``latest``: the latest event's time).
    One statement (data-modifying CTEs), one round trip."""
    statements, params = [], []
    if node_rows:
        sql, document = _upsert_statement(
            NodeProgress._meta.db_table,
            NODE_COLUMNS,
            NODE_TYPES,
            [_node_values(r) for r in node_rows],
            conflict=("user_id", "node_type", "node_id"),
            now=now,
            created=False,
        )
        statements.append(sql)
        params.append(document)
    if block_rows:
        sql, document = _upsert_statement(
            BlockProgress._meta.db_table,
            BLOCK_COLUMNS,
            BLOCK_TYPES,
            [_block_values(r) for r in block_rows],
            conflict=("user_id", "block_id"),
            now=now,
        )
        statements.append(sql)
        params.append(document)
    if events:
        _stamp(events, now)
        statements += [_EVENTS_INSERT, _COUNTERS_UPDATE]
        params.append(json.dumps([[event[c] for c in EVENT_COLUMNS] for event in events], default=_plain))
        params += [len(events), latest, latest, now, user_id]
    if not statements:
        return
    *first, last = statements
    sql = last
    if first:
        sql = "WITH " + ", ".join(f"w{i} AS ({s})" for i, s in enumerate(first)) + " " + last
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


VIEW_FIELDS = tuple(columns(NodeProgress, ("node_type", "node_id", *ROLLUP_VALUE_FIELDS)))
VIEW_TIMESTAMPS = ("completed_at", "last_activity_at")
assert VIEW_FIELDS[-2:] == VIEW_TIMESTAMPS, "community_view_rows parses the last two columns"


# ``datetime.isoformat()`` of a UTC timestamptz, written by PostgreSQL: the fraction only when
# there is one, always six digits, then the offset.
ISO_UTC_SQL = (
    "to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
    "date_part('microseconds', {col})::bigint %% 1000000 = 0 THEN '' "
    "ELSE to_char({col} AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)


_VIEW_SELECT = ", ".join(
    ISO_UTC_SQL.format(col=name) if name in VIEW_TIMESTAMPS else name for name in VIEW_FIELDS
)


def community_view_rows(user_id: int, community_id: int) -> list[tuple]:
    """Every roll-up of ``user_id`` in one community as ``VIEW_FIELDS`` tuples (one query), the two
    timestamps as the ISO 8601 text the tree answers with (``datetime.isoformat()`` in UTC).

    The database writes that text: reading timestamptz values into datetimes (the loader Django
    installs runs in Python) and formatting them again was a fifth of a whole tree rebuild.
    """
    return _fetch(
        f"SELECT {_VIEW_SELECT} FROM {NodeProgress._meta.db_table} WHERE user_id = %s AND community_id = %s",
        [user_id, community_id],
    )


def visible_node_versions(user_id: int, model, node_id: int) -> tuple[int, int, int] | None:
    """(community id, content version, the learner's roll-up version) of a published program,
    course or WOD (``model``) in one of the user's communities, in one query; None if none."""
    sql = (
        "SELECT n.community_id, c.content_version, "
        f"(SELECT s.rollup_version FROM {LearnerState._meta.db_table} s WHERE s.user_id = %s) "
        f"FROM {model._meta.db_table} n JOIN {Community._meta.db_table} c ON c.id = n.community_id "
        "WHERE n.id = %s AND n.status = %s "
        # inside its publishing window (config/scheduling.py)
        "AND (n.publish_at IS NULL OR n.publish_at <= %s) "
        "AND (n.unpublish_at IS NULL OR n.unpublish_at > %s) "
        f"AND EXISTS (SELECT 1 FROM {Membership._meta.db_table} m WHERE m.community_id = n.community_id "
        "AND m.user_id = %s)"
    )
    now = timezone.now()
    found = _fetch(sql, [user_id, node_id, PublishStatus.PUBLISHED.value, now, now, user_id])
    return found[0] if found else None
