"""Import the old per-attempt tables (``scenario_attempts``, ``scenario_outcomes``) from CSV.

The migration path of the three-table model: aggregate the old rows into user progress, one
row per (user, scenario), then recount the scenarios' metadata from progress. Both files are
read and checked completely before anything is written; the first malformed row stops the
import with its file, line and reason, and nothing is imported. Each old row is recorded by
its id (``LegacyImportedRow``), so running the import again adds only rows it has not seen.

Expected columns (a header row is required; other columns are ignored):

ATTEMPTS.csv (``scenario_attempts``), one row per attempt:
    id            the old attempt id (unique in the file)
    user_id       the platform user's numeric id
    scenario_id   the scenario's slug (the old text id)
    started_at    ISO 8601 timestamp; without an offset it is UTC
    variant_id    optional experiment variant

OUTCOMES.csv (``scenario_outcomes``), one row per outcome:
    id            the old outcome id (unique in the file)
    user_id, scenario_id   as above
    created_at    ISO 8601 timestamp
    completed     true/false (also 1/0, yes/no, t/f; empty is false)
    saved         true/false: whether the user had it saved after this outcome
    rating        1-5, or empty
    time_spent_s  whole seconds >= 0, or empty (counted for completed outcomes)
    notes         optional text

How rows become progress: attempts and completions add up; time spent adds up over completed
outcomes; the latest outcome decides ``saved`` (and ``saved_at``), the latest rating and the
latest notes win; a progress row already changed after those outcomes keeps its own values.
Completions never exceed attempts (an outcome without an attempt row counts as one).
"""

import csv
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.dateparse import parse_datetime

from . import reconcile
from .models import LegacyImportedRow, Scenario, ScenarioMetadata, UserScenarioProgress
from .scoring import trending_after_log_add, trending_exponent, trending_log_add

ATTEMPT_COLUMNS = ("id", "user_id", "scenario_id", "started_at")
OUTCOME_COLUMNS = ("id", "user_id", "scenario_id", "created_at", "completed", "saved")
TRUE = {"true", "t", "1", "yes", "y"}
FALSE = {"false", "f", "0", "no", "n", ""}
CHUNK = 5000


class ImportRowError(Exception):
    """A file that cannot be imported, with the line (when there is one) and the reason."""

    def __init__(self, path, line, reason):
        super().__init__(f"{path}, line {line}: {reason}" if line else f"{path}: {reason}")


@dataclass
class ImportSummary:
    attempts_read: int = 0
    outcomes_read: int = 0
    attempts_new: int = 0
    outcomes_new: int = 0
    progress_created: int = 0
    progress_updated: int = 0
    scenarios_touched: int = 0
    metadata_corrected: int = 0


@dataclass
class _Pair:
    attempts: int = 0
    completions: int = 0
    time_spent_s: int = 0
    last_attempt_at: datetime | None = None
    last_completed_at: datetime | None = None
    variant_id: str = ""
    state_at: datetime | None = None  # latest outcome: decides saved
    saved: bool | None = None
    saved_at: datetime | None = None
    rating_at: datetime | None = None
    rating: int | None = None
    notes_at: datetime | None = None
    notes: str | None = None
    events: list = field(default_factory=list)


def _timestamp(value, *, column):
    parsed = parse_datetime(value.strip()) if value else None
    if parsed is None:
        raise ValueError(f"{column} {value!r} is not an ISO 8601 timestamp")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _boolean(value, *, column):
    lowered = (value or "").strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError(f"{column} {value!r} is not true or false")


def _optional_int(value, *, column, low, high=None):
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a whole number") from None
    if number < low or (high is not None and number > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{column} {number} must be {bound}")
    return number


def _read(path, required, parse_row, progress):
    """Yield (line, parsed row) for every data row; raise ImportRowError on the first bad one."""
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ImportRowError(path, None, f"cannot be read ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            raise ImportRowError(path, 1, f"header lacks column(s) {', '.join(missing)}")
        seen = set()
        try:
            for row in reader:
                line = reader.line_num
                if None in row or any(value is None for value in row.values()):
                    raise ImportRowError(path, line, f"expected {len(header)} fields")
                legacy_id = (row["id"] or "").strip()
                if not legacy_id or len(legacy_id) > 64:
                    raise ImportRowError(path, line, "id is empty or longer than 64 characters")
                if legacy_id in seen:
                    raise ImportRowError(path, line, f"id {legacy_id!r} appears twice")
                seen.add(legacy_id)
                try:
                    user_id = int(row["user_id"])
                except (TypeError, ValueError):
                    raise ImportRowError(path, line, f"user_id {row['user_id']!r} is not a number") from None
                slug = (row["scenario_id"] or "").strip()
                if not slug:
                    raise ImportRowError(path, line, "scenario_id is empty")
                try:
                    parsed = parse_row(row)
                except ValueError as exc:
                    raise ImportRowError(path, line, str(exc)) from None
                if progress is not None:
                    progress.update(1)
                yield line, legacy_id, user_id, slug, parsed
        except csv.Error as exc:
            raise ImportRowError(path, reader.line_num, f"CSV error: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ImportRowError(path, reader.line_num + 1, f"not UTF-8 ({exc.reason})") from None


def _parse_attempt(row):
    variant = (row.get("variant_id") or "").strip()
    if len(variant) > 64:
        raise ValueError("variant_id is longer than 64 characters")
    return {"at": _timestamp(row["started_at"], column="started_at"), "variant_id": variant}


def _parse_outcome(row):
    return {
        "at": _timestamp(row["created_at"], column="created_at"),
        "completed": _boolean(row["completed"], column="completed"),
        "saved": _boolean(row["saved"], column="saved"),
        "rating": _optional_int(row.get("rating"), column="rating", low=1, high=5),
        "time_spent_s": _optional_int(row.get("time_spent_s"), column="time_spent_s", low=0, high=24 * 3600)
        or 0,
        "notes": (row.get("notes") or "").strip(),
    }


def _check_references(path, rows, users, scenarios):
    for line, _, user_id, slug, _ in rows:
        if user_id not in users:
            raise ImportRowError(path, line, f"no user with id {user_id}")
        if slug not in scenarios:
            raise ImportRowError(path, line, f"no scenario with slug {slug!r}")


def _already_imported(source, ids):
    done = set()
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        done.update(
            LegacyImportedRow.objects.filter(
                source=source, legacy_id__in=ids[start : start + CHUNK]
            ).values_list("legacy_id", flat=True)
        )
    return done


def _aggregate(attempts, outcomes, scenarios):
    pairs: dict[tuple[int, int], _Pair] = defaultdict(_Pair)
    for _, _, user_id, slug, row in attempts:
        pair = pairs[(user_id, scenarios[slug])]
        pair.attempts += 1
        pair.events.append(row["at"])
        if pair.last_attempt_at is None or row["at"] >= pair.last_attempt_at:
            pair.last_attempt_at = row["at"]
            pair.variant_id = row["variant_id"] or pair.variant_id
    for _, _, user_id, slug, row in outcomes:
        pair = pairs[(user_id, scenarios[slug])]
        at = row["at"]
        if row["completed"]:
            pair.completions += 1
            pair.time_spent_s += row["time_spent_s"]
            pair.events.append(at)
            if pair.last_completed_at is None or at >= pair.last_completed_at:
                pair.last_completed_at = at
        if pair.state_at is None or at >= pair.state_at:
            pair.state_at, pair.saved = at, row["saved"]
        if row["saved"] and (pair.saved_at is None or at >= pair.saved_at):
            pair.saved_at = at
        if row["rating"] is not None and (pair.rating_at is None or at >= pair.rating_at):
            pair.rating_at, pair.rating = at, row["rating"]
        if row["notes"] and (pair.notes_at is None or at >= pair.notes_at):
            pair.notes_at, pair.notes = at, row["notes"]
    return pairs


def _later(a, b):
    return b if a is None or (b is not None and b > a) else a


def _merge(progress: UserScenarioProgress, pair: _Pair, *, is_new: bool):
    newer = lambda at: at is not None and (is_new or at > progress.updated_at)  # noqa: E731
    progress.times_completed += pair.completions
    progress.times_attempted = max(progress.times_attempted + pair.attempts, progress.times_completed)
    progress.total_time_spent_s += pair.time_spent_s
    progress.last_attempt_at = _later(
        _later(progress.last_attempt_at, pair.last_attempt_at), pair.last_completed_at
    )
    progress.last_completed_at = _later(progress.last_completed_at, pair.last_completed_at)
    if pair.variant_id and not progress.variant_id:
        progress.variant_id = pair.variant_id
    if newer(pair.state_at) and pair.saved is not None:
        progress.is_saved = pair.saved
        progress.saved_at = (pair.saved_at or pair.state_at) if pair.saved else None
    if newer(pair.rating_at):
        progress.rating = pair.rating
    if newer(pair.notes_at):
        progress.notes = pair.notes
    latest = max(
        at
        for at in (pair.last_attempt_at, pair.last_completed_at, pair.state_at, pair.rating_at, pair.notes_at)
        if at
    )
    progress.updated_at = latest if is_new else max(progress.updated_at, latest)


MERGED_FIELDS = [
    "times_attempted",
    "times_completed",
    "total_time_spent_s",
    "last_attempt_at",
    "last_completed_at",
    "variant_id",
    "is_saved",
    "saved_at",
    "rating",
    "notes",
]


def _apply(pairs, summary):
    keys = list(pairs)
    existing = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        users = {user_id for user_id, _ in chunk}
        scenario_ids = {scenario_id for _, scenario_id in chunk}
        for row in UserScenarioProgress.objects.select_for_update(of=("self",)).filter(
            user_id__in=users, scenario_id__in=scenario_ids
        ):
            if (row.user_id, row.scenario_id) in pairs:
                existing[(row.user_id, row.scenario_id)] = row
    to_create, to_update = [], []
    for key, pair in pairs.items():
        row = existing.get(key)
        if row is None:
            row = UserScenarioProgress(user_id=key[0], scenario_id=key[1])
            _merge(row, pair, is_new=True)
            to_create.append(row)
        else:
            _merge(row, pair, is_new=False)
            to_update.append(row)
    stamps = [row.updated_at for row in to_create]
    UserScenarioProgress.objects.bulk_create(to_create, batch_size=CHUNK)
    for row, stamp in zip(to_create, stamps, strict=True):
        row.updated_at = stamp  # bulk_create set "now"; keep the legacy time
    UserScenarioProgress.objects.bulk_update(
        to_update + to_create, [*MERGED_FIELDS, "updated_at"], batch_size=CHUNK
    )
    summary.progress_created = len(to_create)
    summary.progress_updated = len(to_update)


def _add_trending(pairs):
    """Feed the imported attempts and completions into each scenario's forward-decayed usage."""
    per_scenario: dict[int, float | None] = defaultdict(lambda: None)
    for (_, scenario_id), pair in pairs.items():
        for at in pair.events:
            per_scenario[scenario_id] = trending_log_add(per_scenario[scenario_id], trending_exponent(at))
    for scenario_id in sorted(per_scenario):
        exponent = per_scenario[scenario_id]
        if exponent is not None and math.isfinite(exponent):
            ScenarioMetadata.objects.filter(scenario_id=scenario_id).update(
                trending_score=trending_after_log_add(exponent)
            )


def scenario_outcomes_import(*, attempts_path, outcomes_path, dry_run=False, progress=None) -> ImportSummary:
    """Import both files in one transaction (rolled back with ``dry_run``); see the module doc.

    Raises ``ImportRowError`` naming the file, line and reason of the first malformed row.
    """
    summary = ImportSummary()
    attempts = list(_read(attempts_path, ATTEMPT_COLUMNS, _parse_attempt, progress))
    outcomes = list(_read(outcomes_path, OUTCOME_COLUMNS, _parse_outcome, progress))
    summary.attempts_read, summary.outcomes_read = len(attempts), len(outcomes)

    user_ids = {row[2] for row in attempts} | {row[2] for row in outcomes}
    slugs = {row[3] for row in attempts} | {row[3] for row in outcomes}
    users = set(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    scenarios = dict(Scenario.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    _check_references(attempts_path, attempts, users, scenarios)
    _check_references(outcomes_path, outcomes, users, scenarios)

    with transaction.atomic():
        done_attempts = _already_imported(LegacyImportedRow.Source.ATTEMPT, (row[1] for row in attempts))
        done_outcomes = _already_imported(LegacyImportedRow.Source.OUTCOME, (row[1] for row in outcomes))
        attempts = [row for row in attempts if row[1] not in done_attempts]
        outcomes = [row for row in outcomes if row[1] not in done_outcomes]
        summary.attempts_new, summary.outcomes_new = len(attempts), len(outcomes)
        if not attempts and not outcomes:
            return summary
        pairs = _aggregate(attempts, outcomes, scenarios)
        _apply(pairs, summary)
        LegacyImportedRow.objects.bulk_create(
            [LegacyImportedRow(source=LegacyImportedRow.Source.ATTEMPT, legacy_id=row[1]) for row in attempts]
            + [
                LegacyImportedRow(source=LegacyImportedRow.Source.OUTCOME, legacy_id=row[1])
                for row in outcomes
            ],
            batch_size=CHUNK,
        )
        touched = sorted({scenario_id for _, scenario_id in pairs})
        summary.scenarios_touched = len(touched)
        reconcile.create_missing(touched)
        summary.metadata_corrected = reconcile.run(scenario_ids=touched, log_drift=False).corrected
        _add_trending(pairs)
        if dry_run:
            transaction.set_rollback(True)
    return summary
