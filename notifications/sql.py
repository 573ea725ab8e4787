"""Every raw SQL statement of notifications, in one place; the rest of the app uses the ORM.

* The sweep's record (:func:`record_rows`): every finished row of a batch in one ``UPDATE`` from
  one JSON record set, only where the sweep's claim still holds.
* The analyzer's samples (:func:`local_time_annotations`): the wall-clock minute and weekday of
  an instant come straight from the database (``AT TIME ZONE`` applies the zone's rules of that
  day), so no datetime object is built.
* The analyzer's profiles (:func:`profiles_upsert`): ``INSERT ... SELECT ... FROM
  jsonb_to_recordset(...) ON CONFLICT (user, plan) DO UPDATE``, one statement with one parameter,
  much cheaper than quoting every value.

Every column list is declared from the models' fields (``config.sql_columns``) and checked
against them by ``tests/config/test_sql_columns.py``.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models.expressions import RawSQL

from config.sql_columns import columns, json_record

from .models import BehaviorProfile, Notification, Status

# --- The sweep's record -----------------------------------------------------------------

# What the sweep writes back on a finished row, besides clearing its claim and its update time.
RECORD_COLUMNS = columns(
    Notification,
    (
        "status",
        "send_at",
        "local_date",
        "attempts",
        "payload",
        "tone",
        "channel",
        "decision",
        "provider_id",
        "sent_at",
        "error",
        "render_error",
        "outcome",
    ),
)
RECORD_SQL = f"""
UPDATE {Notification._meta.db_table} AS n SET
    {", ".join(f"{name} = v.{name}" for name in RECORD_COLUMNS)}, claimed_until = NULL, updated_at = %s
FROM jsonb_to_recordset(%s::jsonb) AS v({json_record(Notification, ["id", *RECORD_COLUMNS])})
WHERE n.id = v.id AND n.status = '{Status.CLAIMED.value}' AND n.claimed_until = %s
"""


def record_rows(rows: list[Notification], *, lease, now) -> int:
    """Write ``RECORD_COLUMNS`` of every row, clear its claim and stamp it ``now``, only where the
    claim under ``lease`` still holds; returns how many rows were written."""
    values = [{"id": row.pk, **{name: getattr(row, name) for name in RECORD_COLUMNS}} for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(RECORD_SQL, [now, json.dumps(values, cls=DjangoJSONEncoder), lease])
        return cursor.rowcount


# --- The analyzer -----------------------------------------------------------------------

LOCAL_SQL = {
    "epoch": "EXTRACT(EPOCH FROM {col})::bigint",
    "minute": "(EXTRACT(HOUR FROM ({col} AT TIME ZONE {tz})) * 60 "
    "+ EXTRACT(MINUTE FROM ({col} AT TIME ZONE {tz})))::int",
    "weekday": "(EXTRACT(ISODOW FROM ({col} AT TIME ZONE {tz})) - 1)::int",
}


def local_time_annotations(model, column: str) -> dict[str, RawSQL]:
    """``at_epoch``, ``local_minute`` and ``local_weekday`` of ``model``'s instant ``column`` in
    the row's own ``time_zone``, as annotations."""
    table = model._meta.db_table
    col, tz = f'"{table}"."{column}"', f'"{table}"."time_zone"'
    return {
        "at_epoch": RawSQL(LOCAL_SQL["epoch"].format(col=col), ()),
        "local_minute": RawSQL(LOCAL_SQL["minute"].format(col=col, tz=tz), ()),
        "local_weekday": RawSQL(LOCAL_SQL["weekday"].format(col=col, tz=tz), ()),
    }


# What a recomputation writes on a profile; the user and plan are its key.
PROFILE_FIELDS = [
    "window_start_min",
    "window_end_min",
    "circular_mean_min",
    "resultant_length",
    "confidence",
    "sample_count",
    "habits",
    "weekday_patterns",
    "deviation_flags",
    "used_fallback",
    "fallback",
    "recomputed_at",
]
PROFILE_COLUMNS = columns(BehaviorProfile, ("user_id", "plan_id", *PROFILE_FIELDS), insert=True)
_PROFILE_UPDATES = ", ".join(f"{name} = EXCLUDED.{name}" for name in PROFILE_FIELDS)
UPSERT_SQL = f"""
INSERT INTO {BehaviorProfile._meta.db_table} ({", ".join(PROFILE_COLUMNS)})
SELECT {", ".join(PROFILE_COLUMNS)} FROM jsonb_to_recordset(%s::jsonb) AS v(
    {json_record(BehaviorProfile, PROFILE_COLUMNS)}
)
ON CONFLICT (user_id, plan_id) DO UPDATE SET {_PROFILE_UPDATES}
"""


def profiles_upsert(profiles: list[BehaviorProfile]) -> None:
    """Insert or update ``profiles`` by (user, plan), in one statement."""
    rows = [{name: getattr(profile, name) for name in PROFILE_COLUMNS} for profile in profiles]
    with connection.cursor() as cursor:
        cursor.execute(UPSERT_SQL, [json.dumps(rows, cls=DjangoJSONEncoder)])
