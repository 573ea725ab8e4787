"""Every raw SQL statement of scenarios, in one place; the rest of the app uses the ORM.

Saving and unsaving a scenario change one row in each of two tables. Through the ORM a save
took five statements in a transaction (lock, insert, lock again, conditional update, counter
update) and its answer a sixth (the metadata, read again). Here each is one statement that
changes both rows and returns them, so it is atomic without a transaction of its own:

* ``progress_save``: ``INSERT ... ON CONFLICT DO UPDATE ... WHERE NOT is_saved RETURNING`` inserts
  the progress row saved, or flips an unsaved row to saved; the conflicting row is locked either
  way, so two requests of the same user for the same scenario run one after the other. Only when
  that returned a row, the metadata's ``saved_count`` moves by one (an upsert: a missing metadata
  row is created with the scenario's filter columns and the count of one).
* ``progress_unsave``: ``UPDATE ... WHERE is_saved RETURNING``, then ``saved_count - 1``.

The progress row is locked before the metadata row (the metadata statement waits for the
progress one's result), the services' lock order. Each returns (progress, metadata) as model
instances, or None when nothing changed (saved already, not saved).

A list page (``list_page``) runs the list query the ORM compiled (``selectors``) with its sort,
filters, page size and offset written into the text and the user's id its one parameter: planning
the three-table join took more of PostgreSQL's time than running it, and with only the user's id
unknown, a connection that prepares statements (``DATABASE_PREPARE_THRESHOLD``, psycopg's
server-side prepared statements) plans it once and keeps a plan as good as a fresh one (with the
limit a parameter, PostgreSQL kept planning it per call).

Every column list below is declared from the models' fields (``config.sql_columns``) and
checked against them by ``tests/config/test_sql_columns.py`` and ``tests/scenarios/test_sql.py``.
"""

import re
import threading
from collections import OrderedDict
from datetime import datetime

from django.db import connection
from psycopg import sql as pg_sql

from config.sql_columns import columns

from .models import SCENARIO_FILTER_FIELDS, Scenario, ScenarioMetadata, UserScenarioProgress

PROGRESS_TABLE = UserScenarioProgress._meta.db_table
METADATA_TABLE = ScenarioMetadata._meta.db_table
SCENARIO_TABLE = Scenario._meta.db_table
# Every column of a row, in the models' field order (``Model.from_db`` takes them so).
PROGRESS_COLUMNS = columns(UserScenarioProgress, [f.name for f in UserScenarioProgress._meta.concrete_fields])
METADATA_COLUMNS = columns(ScenarioMetadata, [f.name for f in ScenarioMetadata._meta.concrete_fields])
# What a first save inserts besides the key, the saved state and the times: the model's defaults.
PROGRESS_DEFAULTS = ("times_attempted", "times_completed", "total_time_spent_s", "notes", "variant_id")
# What a metadata row created by a save holds besides its key, count, times and filter columns.
METADATA_DEFAULTS = (
    "times_used",
    "attempts",
    "ratings_sum",
    "ratings_count",
    "time_spent_total_s",
    "bayesian_score",
    "trending_score",
)


def _defaults(model, names) -> dict:
    return {f"default_{name}": model._meta.get_field(name).get_default() for name in names}


_PROGRESS_DEFAULT_PARAMS = _defaults(UserScenarioProgress, PROGRESS_DEFAULTS)
_METADATA_DEFAULT_PARAMS = _defaults(ScenarioMetadata, METADATA_DEFAULTS)
# What a save inserts: the new progress row (its last attempt, completion and rating left empty)
# and the metadata row a save creates (its generated columns computed by the database).
PROGRESS_INSERT = columns(
    UserScenarioProgress,
    ("user_id", "scenario_id", "is_saved", "saved_at", "created_at", "updated_at", *PROGRESS_DEFAULTS),
    insert=True,
    others=("last_attempt_at", "last_completed_at", "rating"),
)
METADATA_INSERT = columns(
    ScenarioMetadata,
    ("scenario_id", "saved_count", "created_at", "updated_at", *METADATA_DEFAULTS, *SCENARIO_FILTER_FIELDS),
    insert=True,
)
SCENARIO_FILTER_COLUMNS = columns(Scenario, SCENARIO_FILTER_FIELDS)


def _returning(alias: str, columns) -> str:
    return ", ".join(f"{alias}.{column}" for column in columns)


def _params(names) -> str:
    return ", ".join(f"%(default_{name})s" for name in names)


_ONE_ROW_OF_EACH = f"""
SELECT {_returning("progress", PROGRESS_COLUMNS)}, {_returning("metadata", METADATA_COLUMNS)}
FROM progress LEFT JOIN metadata ON true
"""

PROGRESS_SAVE = f"""
WITH progress AS (
    INSERT INTO {PROGRESS_TABLE} AS p ({", ".join(PROGRESS_INSERT)})
    VALUES (%(user)s, %(scenario)s, true, %(at)s, %(now)s, %(now)s, {_params(PROGRESS_DEFAULTS)})
    ON CONFLICT (user_id, scenario_id) DO UPDATE
        SET is_saved = true, saved_at = EXCLUDED.saved_at, updated_at = EXCLUDED.updated_at
        WHERE NOT p.is_saved
    RETURNING p.*
), metadata AS (
    INSERT INTO {METADATA_TABLE} AS m ({", ".join(METADATA_INSERT)})
    SELECT s.id, 1, %(now)s, %(now)s, {_params(METADATA_DEFAULTS)}, {_returning("s", SCENARIO_FILTER_COLUMNS)}
    FROM {SCENARIO_TABLE} s
    WHERE s.id = %(scenario)s AND EXISTS (SELECT FROM progress)
    ON CONFLICT (scenario_id) DO UPDATE
        SET saved_count = m.saved_count + 1, updated_at = EXCLUDED.updated_at
    RETURNING m.*
)
{_ONE_ROW_OF_EACH}
"""
PROGRESS_UNSAVE = f"""
WITH progress AS (
    UPDATE {PROGRESS_TABLE} AS p
    SET is_saved = false, saved_at = NULL, updated_at = %(now)s
    WHERE p.user_id = %(user)s AND p.scenario_id = %(scenario)s AND p.is_saved
    RETURNING p.*
), metadata AS (
    UPDATE {METADATA_TABLE} AS m
    SET saved_count = m.saved_count - 1, updated_at = %(now)s
    WHERE m.scenario_id = %(scenario)s AND EXISTS (SELECT FROM progress)
    RETURNING m.*
)
{_ONE_ROW_OF_EACH}
"""


def _both(sql: str, params: dict) -> tuple[UserScenarioProgress, ScenarioMetadata | None] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(PROGRESS_COLUMNS)
    progress = UserScenarioProgress.from_db(connection.alias, PROGRESS_COLUMNS, row[:split])
    if row[split] is None:  # no metadata row to move
        return progress, None
    return progress, ScenarioMetadata.from_db(connection.alias, METADATA_COLUMNS, row[split:])


def progress_save(*, user_id: int, scenario_id: int, at: datetime, now: datetime):
    """Save the scenario for the user at ``at`` and count it: the (progress, metadata) rows as
    this left them, or None when it was saved already (nothing changed)."""
    params = {
        "user": user_id,
        "scenario": scenario_id,
        "at": at,
        "now": now,
        **_PROGRESS_DEFAULT_PARAMS,
        **_METADATA_DEFAULT_PARAMS,
    }
    return _both(PROGRESS_SAVE, params)


def progress_unsave(*, user_id: int, scenario_id: int, now: datetime):
    """Unsave the scenario for the user and uncount it: the (progress, metadata) rows as this left
    them (metadata None without a metadata row), or None when it was not saved."""
    return _both(PROGRESS_UNSAVE, {"user": user_id, "scenario": scenario_id, "now": now})


# --- list pages ---------------------------------------------------------------------------

# List statement texts kept by this process (a few sorts and filters, a few page sizes and pages).
LIST_STATEMENTS = 256
_list_statements: "OrderedDict[tuple, tuple[str, int]]" = OrderedDict()
_list_lock = threading.Lock()
_PLACEHOLDER = re.compile(r"%%|%s")


def _statement(raw, sql: str, params, user_param) -> str:
    """``sql`` with each ``user_param`` placeholder kept as ``%s`` and every other one written in as
    its value, quoted (the sorts and filters are a few fixed choices)."""
    values = iter(params)

    def substitute(match):
        if match.group() == "%%":
            return "%%"
        value = next(values)
        return "%s" if value == user_param else pg_sql.Literal(value).as_string(raw).replace("%", "%%")

    return _PLACEHOLDER.sub(substitute, sql)


def list_statement(sql: str, params, *, user_param, limit: int, offset: int) -> tuple[str, int]:
    """The list query ``sql`` (``%s`` placeholders, ``params``) as the text a page runs: every
    value but the user's written in, with its ``LIMIT`` and ``OFFSET``; and how many of its
    parameters are the user's id (its only parameters). The same page for another user is the
    same text, so a connection that prepares statements (``DATABASE_PREPARE_THRESHOLD``) plans it
    once and keeps the plan."""
    key = (sql, tuple(params), int(limit), int(offset))
    with _list_lock:
        found = _list_statements.get(key)
        if found is not None:
            _list_statements.move_to_end(key)
            return found
    connection.ensure_connection()
    text = f"{_statement(connection.connection, sql, params, user_param)} LIMIT {key[2]} OFFSET {key[3]}"
    with_user = sum(1 for value in params if value == user_param)
    if not with_user:  # no parameters: nothing is interpolated, so no %% either
        text = text.replace("%%", "%")
    found = (text, with_user)
    with _list_lock:
        _list_statements[key] = found
        while len(_list_statements) > LIST_STATEMENTS:
            _list_statements.popitem(last=False)
    return found


def list_page(sql: str, params, *, user_param, user_id, limit: int, offset: int) -> list[tuple]:
    """The rows ``offset`` to ``offset + limit`` of the list query ``sql`` (``%s`` placeholders,
    ``params``; those equal to ``user_param`` stand for ``user_id``), in one statement."""
    text, with_user = list_statement(sql, params, user_param=user_param, limit=limit, offset=offset)
    with connection.cursor() as cursor:
        cursor.execute(text, (user_id,) * with_user if with_user else None)
        return cursor.fetchall()
