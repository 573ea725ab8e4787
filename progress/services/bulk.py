"""Set-based writes for the ingest hot path: block states and the event log.

A batch of events touches up to 500 block rows and appends as many log rows; building model
instances and going through the ORM's per-field preparation would cost more than the database
work. These helpers read block states as light rows, write them back with one
``INSERT ... SELECT ... FROM jsonb_array_elements(...) ON CONFLICT DO UPDATE`` and append the
log with ``COPY``.
They run inside the ingest transaction, under the learner's lock.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection
from psycopg.types.json import Jsonb

from ..models import BlockProgress, BlockState, ProgressEvent

BLOCK_COLUMNS = [
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
]
BLOCK_TYPES = [
    "integer",
    "bigint",
    "bigint",
    "varchar",
    "double precision",
    "numeric",
    "integer",
    "integer",
    "double precision",
    "double precision",
    "jsonb",
    "smallint",
    "smallint",
    "timestamptz",
    "timestamptz",
    "timestamptz",
    "timestamptz",
]


@dataclass(slots=True)
class BlockRow:
    """A learner's state on one block, as ``_apply`` moves it (see ``BlockProgress``)."""

    user_id: int
    block_id: int
    community_id: int
    state: str = BlockState.NOT_STARTED
    progress: float = 0.0
    time_spent_s: Decimal = field(default_factory=lambda: Decimal(0))
    interaction_count: int = 0
    retry_count: int = 0
    mastery_score: float | None = None
    last_score: float | None = None
    interaction_data: dict = field(default_factory=dict)
    difficulty_rating: int | None = None
    confidence_level: int | None = None
    first_interaction_at: datetime | None = None
    last_interaction_at: datetime | None = None
    completed_at: datetime | None = None
    mastered_at: datetime | None = None


def load_block_rows(user_id: int, block_ids) -> dict[int, BlockRow]:
    rows = BlockProgress.objects.filter(user_id=user_id, block_id__in=list(block_ids)).values_list(*BLOCK_COLUMNS)
    return {row[1]: BlockRow(*row) for row in rows}


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def upsert_block_rows(rows: list[BlockRow], now: datetime) -> None:
    """Write block states back in one statement: the rows travel as one JSON document
    (an array of rows, unpacked by ``jsonb_array_elements``), far cheaper to send than one array
    per column."""
    if not rows:
        return
    table = BlockProgress._meta.db_table
    columns = [*BLOCK_COLUMNS, "created_at", "updated_at"]
    stamp = now.isoformat()
    document = json.dumps(
        [[*(_plain(getattr(r, name)) for name in BLOCK_COLUMNS), stamp, stamp] for r in rows]
    )
    select = ", ".join(f"(r->>{i})::{t}" if t != "jsonb" else f"(r->{i})" for i, t in enumerate(
        [*BLOCK_TYPES, "timestamptz", "timestamptz"]))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in ("user_id", "block_id", "created_at"))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {select} FROM jsonb_array_elements(%s::jsonb) AS r "
        f"ON CONFLICT (user_id, block_id) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])


EVENT_COLUMNS = [
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
]


def append_events(events: list[dict], now: datetime) -> None:
    """Append log rows (dicts with ``EVENT_COLUMNS`` but the id and times) with COPY."""
    if not events:
        return
    table = ProgressEvent._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for event in events:
                event.setdefault("statement_id", uuid.uuid4())
                event["stored_at"] = now
                copy.write_row([Jsonb(event[c]) if c == "context" else event[c] for c in EVENT_COLUMNS])
