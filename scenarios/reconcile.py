"""Recount scenario metadata from user progress (used by the service, task and command)."""

import logging
import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum

from .models import (
    SCENARIO_FILTER_FIELDS,
    Scenario,
    ScenarioMetadata,
    UserScenarioProgress,
    scenario_filter_copies,
)
from .scoring import TRENDING_EMPTY, bayesian_score, trending_exponent, trending_log_add

logger = logging.getLogger("scenarios.reconcile")

COUNTERS = ("saved_count", "attempts", "times_used", "ratings_sum", "ratings_count", "time_spent_total_s")
MAX_LOGGED = 50


@dataclass
class ReconcileResult:
    checked: int = 0
    corrected: int = 0
    created: int = 0
    rescored: int = 0
    recopied: int = 0  # rows whose copies of the scenario's filter columns differed
    drift: list = None

    def __post_init__(self):
        if self.drift is None:
            self.drift = []


def recount(scenario_ids) -> dict[int, dict]:
    """Fresh counters per scenario id from the progress rows (zeros for none)."""
    rows = (
        UserScenarioProgress.objects.filter(scenario_id__in=scenario_ids)
        .values("scenario_id")
        .annotate(
            saved_count=Count("id", filter=Q(is_saved=True)),
            attempts=Sum("times_attempted"),
            times_used=Sum("times_completed"),
            ratings_sum=Sum("rating", default=0),
            ratings_count=Count("rating"),
            time_spent_total_s=Sum("total_time_spent_s"),
        )
        .order_by()
    )
    counts = {sid: dict.fromkeys(COUNTERS, 0) for sid in scenario_ids}
    for row in rows:
        counts[row.pop("scenario_id")] = {key: int(row[key] or 0) for key in COUNTERS}
    return counts


def _same_score(a, b) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def create_missing(scenario_ids, *, dry_run=False) -> list[int]:
    """Create the missing metadata rows of these scenarios (empty counters, the scenarios' filter
    columns copied); returns the scenario ids that had none."""
    existing = set(ScenarioMetadata.objects.filter(scenario_id__in=scenario_ids).values_list("pk", flat=True))
    missing = [sid for sid in scenario_ids if sid not in existing]
    if missing and not dry_run:
        scenarios = Scenario.objects.filter(pk__in=missing).values("pk", *SCENARIO_FILTER_FIELDS)
        ScenarioMetadata.objects.bulk_create(
            [ScenarioMetadata(scenario_id=row["pk"], **scenario_filter_copies(row)) for row in scenarios],
            ignore_conflicts=True,
        )
    return missing


def _reconcile_batch(ids, result, *, dry_run, log_drift):
    with transaction.atomic():
        missing = create_missing(ids, dry_run=dry_run)
        result.created += len(missing)
        # Lock first, count second (see services.scenario_metadata_reconcile).
        rows = list(
            ScenarioMetadata.objects.filter(scenario_id__in=ids)
            .select_for_update(of=("self",))
            .order_by("pk")
            .only("pk", "bayesian_score", *COUNTERS, *SCENARIO_FILTER_FIELDS)
        )
        fresh = recount(ids)
        copies = {
            row["pk"]: scenario_filter_copies(row)
            for row in Scenario.objects.filter(pk__in=ids).values("pk", *SCENARIO_FILTER_FIELDS)
        }
        for sid in missing if dry_run else ():
            rows.append(ScenarioMetadata(scenario_id=sid, **copies.get(sid, {})))
        for row in rows:
            result.checked += 1
            recopy = {
                name: value for name, value in copies.get(row.pk, {}).items() if getattr(row, name) != value
            }
            if recopy:
                result.recopied += 1
            want = fresh[row.pk]
            diff = {key: (getattr(row, key), want[key]) for key in COUNTERS if getattr(row, key) != want[key]}
            score = bayesian_score(want["ratings_sum"], want["ratings_count"])
            values = {key: new for key, (_, new) in diff.items()} | recopy
            if diff:
                result.corrected += 1
                result.drift.append(
                    {"scenario_id": row.pk, **{k: {"was": o, "now": n} for k, (o, n) in diff.items()}}
                )
                if log_drift and len(result.drift) <= MAX_LOGGED:
                    logger.warning(
                        "scenario %s metadata drifted: %s",
                        row.pk,
                        ", ".join(f"{key} {old} -> {new}" for key, (old, new) in diff.items()),
                    )
            if not _same_score(row.bayesian_score, score):
                values["bayesian_score"] = score
                if not diff:
                    result.rescored += 1
            if values and not dry_run:
                ScenarioMetadata.objects.filter(pk=row.pk).update(**values)


def run(*, scenario_ids=None, dry_run=False, batch_size=1000, progress_bar=None, log_drift=True):
    result = ReconcileResult()
    if scenario_ids is None:
        ids = list(Scenario.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(scenario_ids))
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        _reconcile_batch(batch, result, dry_run=dry_run, log_drift=log_drift)
        if progress_bar is not None:
            progress_bar.update(len(batch))
    if result.corrected and log_drift:
        logger.warning(
            "scenario metadata drift: %d of %d rows %s",
            result.corrected,
            result.checked,
            "would be corrected (dry run)" if dry_run else "corrected",
        )
    return result


def rebuild_trending(*, scenario_ids=None, dry_run=False) -> int:
    """Rebuild every trending score from progress (each user's last attempt and completion).

    Event history is not kept, so this is an approximation of the incremental scores, for
    after a change of ``SCENARIO_TRENDING_HALF_LIFE_HOURS`` (old scores are in the old
    half-life's units). Returns the number of scores written. Call it through
    ``services.scenario_trending_rebuild``, which holds the transaction the row locks need.
    """
    targets = ScenarioMetadata.objects.select_for_update(of=("self",)).order_by("pk")
    if scenario_ids is not None:
        targets = targets.filter(scenario_id__in=list(scenario_ids))
    target_ids = list(targets.values_list("scenario_id", flat=True))
    scores: dict[int, float] = {}
    rows = UserScenarioProgress.objects.filter(last_attempt_at__isnull=False)
    if scenario_ids is not None:
        rows = rows.filter(scenario_id__in=list(scenario_ids))
    for scenario_id, attempted, completed in rows.values_list(
        "scenario_id", "last_attempt_at", "last_completed_at"
    ).iterator(chunk_size=10_000):
        for at in (attempted, completed):
            if at is not None:
                scores[scenario_id] = trending_log_add(scores.get(scenario_id), trending_exponent(at))
    updates = [
        ScenarioMetadata(scenario_id=sid, trending_score=scores.get(sid, TRENDING_EMPTY))
        for sid in target_ids
    ]
    if not dry_run:
        ScenarioMetadata.objects.bulk_update(updates, ["trending_score"], batch_size=1000)
    return len(updates)
