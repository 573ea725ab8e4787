"""Writes for scenarios: keyword-only, atomic functions named <entity>_<verb>.

Every progress operation runs in one transaction that

1. locks the user's progress row (``INSERT ... ON CONFLICT DO NOTHING`` then ``SELECT ... FOR
   UPDATE``), so two requests of the same user for the same scenario run one after the other;
2. changes the progress row with one conditional UPDATE (``WHERE is_saved = false`` ...);
3. moves the scenario's metadata counters by the same deltas with one ``F()`` UPDATE.

Save and unsave do the three in one statement (``scenarios/sql.py``): the
progress row is inserted or changed under the same conditions, which locks it, and only then
is the metadata counter moved.

Lock order is always progress, then metadata, so operations never deadlock. Repeating an
operation that already took effect (saving a saved scenario, rating with the same stars,
unrating an unrated one) changes nothing. Every attempt and completion counts: a retried
request is recognised by its ``Idempotency-Key`` header (``config/idempotency.py``), never by
guessing from the time since the last one.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.metrics import record_drift
from config.outbox import run_on_commit
from config.revisions import content_revision

from . import reconcile, sql
from .models import Scenario, ScenarioMetadata, UserScenarioProgress, Visibility, scenario_filter_copies
from .reconcile import ReconcileResult
from .scoring import bayesian_score_after, trending_after_event
from .selectors import scenario_list_count_invalidate

# The rules of the progress operations (the API documents them, config/api/schema_fields.py).
MAX_TIME_SPENT_S = 24 * 3600
MAX_NOTES_LENGTH = 10_000
MAX_VARIANT_ID_LENGTH = 64
MIN_RATING, MAX_RATING = 1, 5


# --- scenarios ----------------------------------------------------------------------------

SCENARIO_CONTENT_FIELDS = (
    "title",
    "description",
    "role",
    "difficulty",
    "instructions",
    "context",
    "expected_outcome",
    "learning_goal",
    "learning_objectives",
    "persona",
    "comfort_indicators",
    "difficulty_rating",
    "cefr_level",
    "cefr_recommendation",
)


@transaction.atomic
def scenario_create(*, user, visibility: str = Visibility.PRIVATE, **content) -> Scenario:
    """A user-created scenario (private unless asked otherwise) and its metadata row."""
    unknown = set(content) - set(SCENARIO_CONTENT_FIELDS)
    if unknown:
        raise ValidationError({field: ["Unknown field."] for field in sorted(unknown)})
    scenario = Scenario(created_by=user, visibility=visibility, **content)
    scenario.full_clean()
    with content_revision(user=user, comment="Created through the API"):
        scenario.save()
    scenario_metadata_ensure(scenario=scenario)
    run_on_commit(scenario_list_count_invalidate)
    return scenario


def scenario_metadata_ensure(*, scenario: Scenario) -> ScenarioMetadata:
    """The scenario's metadata row, created empty when missing (admin, demo, imports), with its
    copies of the scenario's filter columns as ``scenario`` has them. Call it whenever a scenario
    is created or changed, in the same transaction, with the instance just saved (an older one
    would write its older columns; the operations create a missing row with
    ``reconcile.create_missing``, which reads them from the database)."""
    copies = scenario_filter_copies(scenario)
    metadata, created = ScenarioMetadata.objects.get_or_create(scenario=scenario, defaults=copies)
    if not created and any(getattr(metadata, name) != value for name, value in copies.items()):
        ScenarioMetadata.objects.filter(pk=metadata.pk).update(**copies)
        for name, value in copies.items():
            setattr(metadata, name, value)
    return metadata


def scenario_schedule_apply(*, now) -> dict:
    """Activate the scenarios whose ``publish_at`` has come and deactivate those whose
    ``unpublish_at`` has (with their metadata copies and the list counts); each applied time is
    cleared, so a second run finds nothing."""
    done = {"published": 0, "unpublished": 0}
    for field, active, key in (("publish_at", True, "published"), ("unpublish_at", False, "unpublished")):
        for pk in Scenario.objects.filter(**{f"{field}__lte": now}).values_list("pk", flat=True):
            with transaction.atomic():
                scenario = (
                    Scenario.objects.select_for_update(of=("self",))
                    .filter(pk=pk, **{f"{field}__lte": now})
                    .first()
                )
                if scenario is None:
                    continue
                with content_revision(comment=f"{key.capitalize()} on schedule"):
                    scenario.is_active = active
                    setattr(scenario, field, None)
                    scenario.save(update_fields=["is_active", field, "updated_at"])
                    scenario_metadata_ensure(scenario=scenario)
                run_on_commit(scenario_list_count_invalidate)
                done[key] += 1
    return done


# --- progress -----------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _lock_progress(*, user, scenario: Scenario, create: bool = True) -> UserScenarioProgress:
    """The user's progress row on the scenario, locked; created (race-free) when missing.

    With ``create=False`` a missing row is returned unsaved (``pk`` None): undoing something
    never done stores nothing.
    """
    rows = UserScenarioProgress.objects.select_for_update(of=("self",)).filter(user=user, scenario=scenario)
    progress = rows.first()
    if progress is None and not create:
        return UserScenarioProgress(user=user, scenario=scenario)
    if progress is None:
        # ON CONFLICT DO NOTHING: of two first requests racing, one inserts, the other waits
        # for it and then locks the same row.
        UserScenarioProgress.objects.bulk_create(
            [UserScenarioProgress(user=user, scenario=scenario)], ignore_conflicts=True
        )
        progress = rows.get()
    return progress


def _update_progress(progress: UserScenarioProgress, *, where: dict | None = None, **values) -> bool:
    """One conditional UPDATE of the locked row; True when it matched. Plain values (not
    expressions) are set on ``progress`` too, so a caller that set only those need not reload it."""
    values["updated_at"] = timezone.now()
    matched = bool(UserScenarioProgress.objects.filter(pk=progress.pk, **(where or {})).update(**values))
    if matched:
        for name, value in values.items():
            if not hasattr(value, "resolve_expression"):
                setattr(progress, name, value)
    return matched


def _update_metadata(scenario: Scenario, **values) -> None:
    """One UPDATE of the scenario's metadata; creates the row first if it is missing.

    ``updated_at`` is the wall clock, not ``at``: it tells the hourly recount which scenarios
    had activity, even when an event is recorded with an earlier time.
    """
    values["updated_at"] = timezone.now()
    if not ScenarioMetadata.objects.filter(scenario=scenario).update(**values):
        reconcile.create_missing([scenario.pk])
        ScenarioMetadata.objects.filter(scenario=scenario).update(**values)


def _refreshed(progress: UserScenarioProgress) -> UserScenarioProgress:
    progress.refresh_from_db()
    return progress


@transaction.atomic
def scenario_attempt(
    *, user, scenario: Scenario, variant_id: str = "", at: datetime | None = None
) -> UserScenarioProgress:
    """The user starts the scenario: one more attempt for them and for the scenario."""
    at = _now(at)
    if len(variant_id) > MAX_VARIANT_ID_LENGTH:
        raise ValidationError({"variant_id": [f"At most {MAX_VARIANT_ID_LENGTH} characters."]})
    progress = _lock_progress(user=user, scenario=scenario)
    values = {"times_attempted": F("times_attempted") + 1, "last_attempt_at": at}
    if variant_id:
        values["variant_id"] = variant_id
    _update_progress(progress, **values)
    _update_metadata(scenario, attempts=F("attempts") + 1, trending_score=trending_after_event(at))
    return _refreshed(progress)


@transaction.atomic
def scenario_complete(
    *, user, scenario: Scenario, time_spent_s: int, at: datetime | None = None
) -> UserScenarioProgress:
    """The user finishes the scenario after ``time_spent_s`` seconds.

    A completion closes the user's open attempt; with none open it counts as an attempt too, so
    completions never exceed attempts.
    """
    at = _now(at)
    if isinstance(time_spent_s, bool) or not isinstance(time_spent_s, int):
        raise ValidationError({"time_spent_s": ["A whole number of seconds is required."]})
    if not 0 <= time_spent_s <= MAX_TIME_SPENT_S:
        raise ValidationError({"time_spent_s": [f"Must be between 0 and {MAX_TIME_SPENT_S} seconds."]})
    progress = _lock_progress(user=user, scenario=scenario)
    is_open = progress.times_attempted > progress.times_completed
    attempt_delta = 0 if is_open else 1
    values = {
        "times_completed": F("times_completed") + 1,
        "last_completed_at": at,
        "total_time_spent_s": F("total_time_spent_s") + time_spent_s,
    }
    if attempt_delta:
        values["times_attempted"] = F("times_attempted") + 1
        values["last_attempt_at"] = at
    _update_progress(progress, **values)
    _update_metadata(
        scenario,
        times_used=F("times_used") + 1,
        attempts=F("attempts") + attempt_delta,
        time_spent_total_s=F("time_spent_total_s") + time_spent_s,
        trending_score=trending_after_event(at),
    )
    return _refreshed(progress)


def scenario_save(*, user, scenario: Scenario, at: datetime | None = None) -> UserScenarioProgress:
    """Save the scenario for the user; saving a saved scenario changes nothing.

    One statement changes both rows (``sql.progress_save``: atomic on its own, so no
    transaction of its own either), and the metadata as it left it is cached on ``scenario``
    (``scenario.metadata``): an answer needs no second read.
    """
    changed = sql.progress_save(user_id=user.pk, scenario_id=scenario.pk, at=_now(at), now=timezone.now())
    return _answer(user=user, scenario=scenario, changed=changed)


def scenario_unsave(*, user, scenario: Scenario) -> UserScenarioProgress:
    """Remove the scenario from the user's saved ones; unsaving twice changes nothing.

    One statement, as for ``scenario_save`` (``sql.progress_unsave``).
    """
    changed = sql.progress_unsave(user_id=user.pk, scenario_id=scenario.pk, now=timezone.now())
    return _answer(user=user, scenario=scenario, changed=changed)


def _answer(*, user, scenario: Scenario, changed) -> UserScenarioProgress:
    """The progress a save or unsave answers with, its metadata cached on
    ``scenario``: the rows the statement returned, or (nothing changed) the rows as stored."""
    progress, metadata = changed or (None, None)
    if progress is None:
        progress = UserScenarioProgress.objects.filter(user=user, scenario=scenario).first()
        progress = progress or UserScenarioProgress(user=user, scenario=scenario)
    if metadata is None:
        metadata = ScenarioMetadata.objects.filter(scenario=scenario).first()
    if metadata is None:
        reconcile.create_missing([scenario.pk])
        metadata = ScenarioMetadata.objects.get(scenario=scenario)
    scenario.metadata = metadata
    return progress


def _validate_rating(rating) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not MIN_RATING <= rating <= MAX_RATING:
        raise ValidationError({"rating": [f"A rating is a whole number from {MIN_RATING} to {MAX_RATING}."]})
    return rating


@transaction.atomic
def scenario_rate(*, user, scenario: Scenario, rating: int) -> UserScenarioProgress:
    """Rate (or re-rate) the scenario 1-5; a new rating moves the sum by the difference."""
    rating = _validate_rating(rating)
    progress = _lock_progress(user=user, scenario=scenario)
    old = progress.rating
    if old == rating:
        return progress
    sum_delta = rating - (old or 0)
    count_delta = 0 if old is not None else 1
    _update_progress(progress, where={"rating": old} if old else {"rating__isnull": True}, rating=rating)
    _update_metadata(
        scenario,
        ratings_sum=F("ratings_sum") + sum_delta,
        ratings_count=F("ratings_count") + count_delta,
        bayesian_score=bayesian_score_after(sum_delta, count_delta),
    )
    return _refreshed(progress)


@transaction.atomic
def scenario_unrate(*, user, scenario: Scenario) -> UserScenarioProgress:
    """Withdraw the user's rating; withdrawing a missing rating changes nothing."""
    progress = _lock_progress(user=user, scenario=scenario, create=False)
    old = progress.rating
    if old is None:
        return progress
    _update_progress(progress, where={"rating": old}, rating=None)
    _update_metadata(
        scenario,
        ratings_sum=F("ratings_sum") - old,
        ratings_count=F("ratings_count") - 1,
        bayesian_score=bayesian_score_after(-old, -1),
    )
    return _refreshed(progress)


@transaction.atomic
def scenario_notes_update(*, user, scenario: Scenario, notes: str) -> UserScenarioProgress:
    """Replace the user's private notes on the scenario."""
    if not isinstance(notes, str):
        raise ValidationError({"notes": ["Notes are text."]})
    if len(notes) > MAX_NOTES_LENGTH:
        raise ValidationError({"notes": [f"At most {MAX_NOTES_LENGTH} characters."]})
    progress = _lock_progress(user=user, scenario=scenario)
    _update_progress(progress, notes=notes)
    return _refreshed(progress)


# --- reconciliation -----------------------------------------------------------------------


def scenario_metadata_reconcile(
    *, scenario_ids=None, dry_run: bool = False, batch_size: int = 1000, progress_bar=None
) -> ReconcileResult:
    """Recount metadata from user progress and correct the rows that drifted.

    ``scenario_ids`` None means every scenario. Each batch locks its metadata rows first, then
    counts the committed progress rows: an operation still in flight holds its progress lock
    and waits for the metadata lock, so it adds its delta after the recount is written.
    """
    result = reconcile.run(
        scenario_ids=scenario_ids, dry_run=dry_run, batch_size=batch_size, progress_bar=progress_bar
    )
    record_drift("scenario_metadata_reconcile", result.corrected)
    return result


@transaction.atomic
def scenario_trending_rebuild(*, scenario_ids=None, dry_run: bool = False) -> int:
    """Rebuild the trending scores from progress (after a change of
    ``SCENARIO_TRENDING_HALF_LIFE_HOURS``), in one transaction; returns the scores written.

    The metadata rows are locked first, as the recount does, so an attempt in flight adds its
    score after the rebuilt one is written instead of being overwritten by it.
    """
    return reconcile.rebuild_trending(scenario_ids=scenario_ids, dry_run=dry_run)


def scenario_metadata_reconcile_recent(*, dry_run: bool = False) -> ReconcileResult:
    """Recount the scenarios with activity in the last ``SCENARIO_RECONCILE_RECENT_HOURS``."""
    since = timezone.now() - timedelta(hours=settings.SCENARIO_RECONCILE_RECENT_HOURS)
    ids = list(ScenarioMetadata.objects.filter(updated_at__gte=since).values_list("scenario_id", flat=True))
    return scenario_metadata_reconcile(scenario_ids=ids, dry_run=dry_run)
