"""Every raw SQL statement of curriculum, in one place; the rest of the app uses the ORM.

Two hot paths read and write here, with one statement where the ORM needs several:

* the ranked alternatives of a learner at a step (:func:`step_alternatives_row`): the learner's
  enrollment, curriculum and state on the step, the step's offered alternatives with their
  statistics for all learners and for the learner's segment, and the learner's failed attempts;
* a coach status (:func:`status_context_row`, :func:`outcome_write`): once the enrollment is
  locked, one query reads the step, its alternatives, the learner's locked state and an earlier
  event under the same client key; then one statement writes the event, the state and both
  statistics rows (all learners and the segment, created or incremented by
  ``INSERT ... ON CONFLICT DO UPDATE``).

Every column named below is declared from the models' fields (``config.sql_columns``) and
checked against them by ``tests/config/test_sql_columns.py`` and ``tests/curriculum/test_sql.py``.
"""

import json

from django.db import DEFAULT_DB_ALIAS, connection

from config.sql_columns import cast_types, columns

from .models import (
    ALL_LEARNERS,
    Alternative,
    AlternativeStat,
    Curriculum,
    Enrollment,
    EnrollmentStep,
    Outcome,
    OutcomeEvent,
    Step,
)

# What an outcome event holds besides its id (all written by ``outcome_write``).
_EVENT_FIELDS = (
    "enrollment_id",
    "step_id",
    "alternative_id",
    "outcome",
    "next_alternative_id",
    "reason",
    "legacy_status",
    "segment",
    "counted",
    "client_key",
    "created_at",
)
# The columns each statement names, per model.
_NAMED = {
    Enrollment: ("id", "user_id", "curriculum_id", "traits"),
    Curriculum: ("id", "trait_schema", "learner_noun", "selection_policy"),
    Step: ("id", "curriculum_id", "order", "title"),
    EnrollmentStep: (
        "id",
        "enrollment_id",
        "step_id",
        "current_alternative_id",
        "state",
        "metadata",
        "started_at",
        "updated_at",
        "completed_at",
    ),
    Alternative: (
        "id",
        "step_id",
        "order",
        "code",
        "title",
        "summary",
        "content",
        "match_rules",
        "prior_success_rate",
        "prior_strength",
        "is_active",
    ),
    AlternativeStat: ("alternative_id", "segment", "attempts", "successes", "updated_at"),
    OutcomeEvent: ("id", *_EVENT_FIELDS),
}
NAMED_COLUMNS = {model: set(columns(model, names)) for model, names in _NAMED.items()}
# The keys of each alternative in ``step_alternatives_row``'s JSON array.
ALTERNATIVE_KEYS = (
    "id",
    "order",
    "code",
    "title",
    "summary",
    "content",
    "match_rules",
    "prior_success_rate",
    "prior_strength",
    "successes",
    "attempts",
    "segment_successes",
    "segment_attempts",
    "failed",
)
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1


def loaded(model, values: dict):
    """A ``model`` instance as the database would load it with only the columns in ``values``
    (a row of a statement below turned back into a model; other keys are ignored)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def lock_outcome_history() -> None:
    """Hold writes to the outcome history until the transaction ends (``SHARE`` mode: reads go
    on), so a rebuild of the statistics misses no outcome recorded meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {OutcomeEvent._meta.db_table} IN SHARE MODE")


# The learner's segment as Curriculum.segment_for computes it for the usual traits (strings,
# integers, booleans): "name=value" of every segmenting trait given, by name, joined with "&".
# The caller compares it with Curriculum.segment_for and reads the statistics again when they
# differ (an unusual schema or value), so it only has to be right in the usual case.
_SEGMENT = """
    COALESCE((
        SELECT string_agg(p.key || '=' || (e.traits ->> p.key), '&' ORDER BY p.key COLLATE "C")
        FROM jsonb_each(
            CASE WHEN jsonb_typeof(c.trait_schema -> 'properties') = 'object'
                 THEN c.trait_schema -> 'properties' ELSE '{{}}'::jsonb END
        ) AS p
        WHERE p.value -> 'x-segment' = 'true'::jsonb
          AND jsonb_typeof(e.traits) = 'object'
          AND COALESCE(jsonb_typeof(e.traits -> p.key), 'null') <> 'null'
    ), '')
"""

_STEP_ALTERNATIVES = """
WITH head AS (
    SELECT e.id, e.user_id, e.curriculum_id, e.traits, c.trait_schema, c.learner_noun,
           c.selection_policy, s.id AS step_id, s."order" AS step_order, s.title AS step_title,
           {segment} AS segment
    FROM {enrollment} e
    JOIN {curriculum} c ON c.id = e.curriculum_id
    LEFT JOIN {step} s ON s.curriculum_id = e.curriculum_id AND s."order" = %(order)s
    WHERE e.id = %(enrollment_id)s AND e.user_id = %(user_id)s
)
SELECT h.id, h.user_id, h.curriculum_id, h.traits::text, h.trait_schema::text, h.learner_noun,
       h.selection_policy, h.step_id, h.step_order, h.step_title, h.segment,
       es.id, es.current_alternative_id, es.state, ca.code,
       (SELECT COALESCE(json_agg(json_build_object(
                    'id', a.id, 'order', a."order", 'code', a.code, 'title', a.title,
                    'summary', a.summary, 'content', a.content, 'match_rules', a.match_rules,
                    'prior_success_rate', a.prior_success_rate, 'prior_strength', a.prior_strength,
                    'successes', sa.successes, 'attempts', sa.attempts,
                    'segment_successes', ss.successes, 'segment_attempts', ss.attempts,
                    'failed', f.failed
                ) ORDER BY a."order", a.id), '[]')::text
        FROM {alternative} a
        LEFT JOIN {stat} sa ON sa.alternative_id = a.id AND sa.segment = %(all)s
        LEFT JOIN {stat} ss
            ON h.segment <> '' AND ss.alternative_id = a.id AND ss.segment = h.segment
        LEFT JOIN (
            SELECT o.alternative_id, GREATEST(count(*) FILTER (WHERE o.counted), 1) AS failed
            FROM {event} o
            WHERE o.enrollment_id = h.id AND o.step_id = h.step_id AND o.outcome <> %(success)s
            GROUP BY o.alternative_id
        ) f ON f.alternative_id = a.id
        WHERE a.step_id = h.step_id AND a.is_active)
FROM head h
LEFT JOIN {enrollment_step} es ON es.enrollment_id = h.id AND es.step_id = h.step_id
LEFT JOIN {alternative} ca ON ca.id = es.current_alternative_id
"""


def _statement(template: str, **parts) -> str:
    return template.format(
        **parts,
        segment=_SEGMENT.format(),
        enrollment=Enrollment._meta.db_table,
        curriculum=Curriculum._meta.db_table,
        step=Step._meta.db_table,
        enrollment_step=EnrollmentStep._meta.db_table,
        alternative=Alternative._meta.db_table,
        stat=AlternativeStat._meta.db_table,
        event=OutcomeEvent._meta.db_table,
    )


STEP_ALTERNATIVES_SQL = _statement(_STEP_ALTERNATIVES)


def step_alternatives_row(*, user_id: int, enrollment_id: int, order: int) -> dict | None:
    """Everything the ranking of one learner at one step reads, in one query: ``None`` when the
    enrollment is not the user's, else a dict with the enrollment and curriculum columns,
    ``step_id`` (``None``: no such step), the learner's state on the step (``state_*``) and
    ``alternatives``, the step's offered alternatives in designer order (``ALTERNATIVE_KEYS``;
    statistics and failed attempts ``None`` when there are none) with the statistics of the
    ``segment`` the statement computed (see ``_SEGMENT``)."""
    if not 0 < enrollment_id <= BIGINT_MAX:
        return None
    params = {
        "enrollment_id": enrollment_id,
        "user_id": user_id,
        "order": order if -INT_MAX <= order <= INT_MAX else None,
        "all": ALL_LEARNERS,
        "success": Outcome.SUCCESS.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(STEP_ALTERNATIVES_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    (
        pk,
        owner_id,
        curriculum_id,
        traits,
        trait_schema,
        learner_noun,
        selection_policy,
        step_id,
        step_order,
        step_title,
        segment,
        state_id,
        state_alternative_id,
        state,
        state_plan_code,
        alternatives,
    ) = row
    return {
        "id": pk,
        "user_id": owner_id,
        "curriculum_id": curriculum_id,
        "traits": json.loads(traits),
        "trait_schema": json.loads(trait_schema),
        "learner_noun": learner_noun,
        "selection_policy": selection_policy,
        "step_id": step_id,
        "step_order": step_order,
        "step_title": step_title,
        "segment": segment,
        "state_id": state_id,
        "state_alternative_id": state_alternative_id,
        "state": state,
        "state_plan_code": state_plan_code,
        "alternatives": json.loads(alternatives) if alternatives is not None else [],
    }


_STATUS_CONTEXT = """
SELECT s.id, s."order",
       (SELECT COALESCE(json_agg(json_build_object(
                    'id', a.id, 'order', a."order", 'code', a.code, 'is_active', a.is_active
                ) ORDER BY a."order", a.id), '[]')::text
        FROM {alternative} a WHERE a.step_id = s.id),
       es.id, es.current_alternative_id, es.state, es.metadata::text, es.started_at, es.updated_at,
       es.completed_at,
       (SELECT o.id FROM {event} o
        WHERE %(client_key)s <> '' AND o.enrollment_id = %(enrollment_id)s AND o.client_key = %(client_key)s
        LIMIT 1)
FROM (SELECT 1) AS one
LEFT JOIN {step} s ON s.curriculum_id = %(curriculum_id)s AND s."order" = %(order)s
LEFT JOIN LATERAL (
    SELECT x.id, x.current_alternative_id, x.state, x.metadata, x.started_at, x.updated_at, x.completed_at
    FROM {enrollment_step} x
    WHERE x.enrollment_id = %(enrollment_id)s AND x.step_id = s.id
    FOR UPDATE
) es ON true
"""
STATUS_CONTEXT_SQL = _statement(_STATUS_CONTEXT)
# The learner's state as the status context reads it (``state_<column>``).
STATUS_STATE_COLUMNS = columns(
    EnrollmentStep,
    ("current_alternative_id", "state", "metadata", "started_at", "updated_at", "completed_at"),
)
STATUS_CONTEXT_KEYS = (
    "step_id",
    "step_order",
    "alternatives",
    "state_id",
    *(f"state_{name}" for name in STATUS_STATE_COLUMNS),
    "earlier_event_id",
)


def status_context_row(*, enrollment_id: int, curriculum_id: int, step_order: int, client_key: str) -> dict:
    """What recording a status reads once the enrollment is locked, in one query: the step
    ``step_order`` (``step_id`` ``None``: no such step) and all its alternatives in designer
    order (``id``, ``order``, ``code``, ``is_active``), the learner's state on it, locked
    (``state_*``; ``state_id`` ``None``: not started), and the event already recorded under
    ``client_key`` (``earlier_event_id``). Run it after locking the enrollment: its snapshot then
    holds every outcome recorded before."""
    params = {
        "enrollment_id": enrollment_id,
        "curriculum_id": curriculum_id,
        "order": step_order if -INT_MAX <= step_order <= INT_MAX else None,
        "client_key": client_key,
    }
    with connection.cursor() as cursor:
        cursor.execute(STATUS_CONTEXT_SQL, params)
        row = dict(zip(STATUS_CONTEXT_KEYS, cursor.fetchone(), strict=True))
    row["alternatives"] = json.loads(row["alternatives"]) if row["alternatives"] is not None else []
    if row["state_metadata"] is not None:
        row["state_metadata"] = json.loads(row["state_metadata"])
    return row


# The columns the write names, per model: the event it appends, the state it updates and the
# statistics rows it creates (alternative, segment, one attempt, successes, time).
OUTCOME_EVENT_COLUMNS = tuple(columns(OutcomeEvent, _EVENT_FIELDS, insert=True))
ENROLLMENT_STEP_COLUMNS = tuple(
    columns(EnrollmentStep, ("current_alternative_id", "state", "metadata", "updated_at", "completed_at"))
)
STAT_COLUMNS = columns(
    AlternativeStat, ("alternative_id", "segment", "attempts", "successes", "updated_at"), insert=True
)
_STATE_SET = ", ".join(
    f"{name} = %(state_{name})s" + ("::jsonb" if type_ == "jsonb" else "")
    for name, type_ in zip(
        ENROLLMENT_STEP_COLUMNS, cast_types(EnrollmentStep, ENROLLMENT_STEP_COLUMNS), strict=True
    )
)

_OUTCOME_WRITE = """
WITH event AS (
    INSERT INTO {event} ({event_columns})
    VALUES ({event_values})
    RETURNING id
), state AS (
    UPDATE {enrollment_step}
    SET {state_set}
    WHERE id = %(state_id)s
), stats AS (
    INSERT INTO {stat} AS t ({stat_columns})
    SELECT %(alternative_id)s, s.segment, 1, %(successes)s, %(created_at)s
    FROM unnest(%(stat_segments)s::varchar[]) AS s(segment)
    ORDER BY s.segment
    ON CONFLICT (alternative_id, segment) DO UPDATE
    SET attempts = t.attempts + 1, successes = t.successes + EXCLUDED.successes,
        updated_at = EXCLUDED.updated_at
)
SELECT id FROM event
"""
OUTCOME_WRITE_SQL = _statement(
    _OUTCOME_WRITE,
    event_columns=", ".join(OUTCOME_EVENT_COLUMNS),
    event_values=", ".join(f"%({name})s" for name in OUTCOME_EVENT_COLUMNS),
    state_set=_STATE_SET,
    stat_columns=", ".join(STAT_COLUMNS),
)


def outcome_write(*, event: dict, state: dict, state_id: int, stat_segments: list[str], success: bool) -> int:
    """Append the outcome ``event`` (``OUTCOME_EVENT_COLUMNS``), write the learner's ``state``
    (``ENROLLMENT_STEP_COLUMNS``) and count one attempt of the event's alternative in each of
    ``stat_segments`` (none: an uncounted outcome), in one statement; returns the event's id.
    The statistics rows stay locked until the transaction ends, so the caller runs it last."""
    params = {
        **event,
        **{f"state_{name}": value for name, value in state.items()},
        "state_metadata": json.dumps(state["metadata"]),
        "state_id": state_id,
        "stat_segments": sorted(stat_segments),
        "successes": 1 if success else 0,
    }
    with connection.cursor() as cursor:
        cursor.execute(OUTCOME_WRITE_SQL, params)
        return cursor.fetchone()[0]
