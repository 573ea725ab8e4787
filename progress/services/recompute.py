"""Recompute roll-ups from the leaves (block states) and report drift.

Used by ``manage.py recompute_progress`` and by the task that runs after content changes. Each
learner is recomputed under their lock, so it never races an ingest.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.metrics import record_drift

from ..models import (
    BlockProgress,
    EnrollmentStatus,
    LearnerState,
    NodeProgress,
)
from ..rollup import DONE_STATES, BlockFacts, contribution, later, node_state, percent_of
from ..selectors.structure import community_structure
from .enrollment_sync import update_enrollments
from .ingest import NODE_PROGRESS_FIELDS, lock_learner

COMPARED = [
    "required_total",
    "required_done",
    "masterable_total",
    "mastered",
    "optional_done",
    "time_spent_s",
    "percent",
    "state",
    "last_activity_at",
]


@dataclass
class RecomputeResult:
    users: int = 0
    rows_checked: int = 0
    drift: list[dict] = field(default_factory=list)

    @property
    def drift_rows(self) -> int:
        return len(self.drift)


def learners_in_scope(*, community=None, user=None):
    User = get_user_model()
    scope = Q(block_progress__isnull=False) | Q(node_progress__isnull=False)
    if community is not None:
        scope = Q(block_progress__community=community) | Q(node_progress__community=community)
    users = User.objects.filter(scope)
    if user is not None:
        users = users.filter(pk=user.pk)
    return users.distinct().order_by("pk")


def progress_recompute(
    *, community=None, user=None, dry_run=False, on_user: Callable[[], None] | None = None, users=None
) -> RecomputeResult:
    """Recompute every roll-up in scope from block states; fix drift unless ``dry_run``."""
    result = RecomputeResult()
    users = list(users if users is not None else learners_in_scope(community=community, user=user))
    for learner in users:
        with transaction.atomic():
            lock_learner(learner)
            checked, drift = _recompute_user(learner, community=community, dry_run=dry_run)
        result.users += 1
        result.rows_checked += checked
        result.drift.extend(drift)
        if on_user:
            on_user()
    record_drift("progress_recompute", len(result.drift))
    return result


def _recompute_user(user, *, community, dry_run) -> tuple[int, list[dict]]:
    """One learner's roll-ups recounted from their block states: what they should be, the rows
    that drifted from it, and (unless ``dry_run``) the fix. Returns (rows checked, drift)."""
    rows = NodeProgress.objects.filter(user=user)
    if community is not None:
        rows = rows.filter(community=community)
    existing = {(r.node_type, r.node_id): r for r in rows}
    structures: dict[int, object] = {}
    expected = _expected_rollups(user, community, structures)
    drift, deletes = _stale_rows(user, existing, expected, structures)
    now = timezone.now()
    upserts = _drifted_rows(user, existing, expected, structures, drift, now)
    if not dry_run:
        _write_fixes(user, structures, upserts, deletes, now)
    return len(expected), drift


def _structure(structures: dict, community_id: int):
    found = structures.get(community_id)
    return found or structures.setdefault(community_id, community_structure(community_id))


def _empty_rollup(community_id: int) -> dict:
    return {
        "community_id": community_id,
        "required_done": 0,
        "mastered": 0,
        "optional_done": 0,
        "time_spent_s": Decimal(0),
        "last_activity_at": None,
        "done_at": None,
    }


def _expected_rollups(user, community, structures) -> dict[tuple[str, int], dict]:
    """What each ancestor's roll-up should hold, summed from the learner's published blocks."""
    blocks = BlockProgress.objects.filter(user=user)
    if community is not None:
        blocks = blocks.filter(community=community)
    expected: dict[tuple[str, int], dict] = {}
    leaves = blocks.values_list(
        "block_id",
        "community_id",
        "state",
        "time_spent_s",
        "last_interaction_at",
        "completed_at",
        "block__block_type",
        "block__required",
        "block__page_id",
        "block__page__wod_id",
        "block__is_published",
    )
    for (
        block_id,
        cid,
        state,
        spent,
        last_at,
        completed_at,
        block_type,
        required,
        page_id,
        wod_id,
        shown,
    ) in leaves:
        structure = _structure(structures, cid)
        if not shown or page_id not in structure.pages:
            continue  # unpublished content does not count
        facts = BlockFacts(block_id, block_type, required, page_id, wod_id, cid)
        part = contribution(facts, state, spent, last_at)
        for key in structure.ancestors_of_page(page_id):
            acc = expected.get(key)
            if acc is None:
                acc = expected[key] = _empty_rollup(cid)
            acc["required_done"] += part.required_done
            acc["mastered"] += part.mastered
            acc["optional_done"] += part.optional_done
            acc["time_spent_s"] += part.time_spent_s
            acc["last_activity_at"] = later(acc["last_activity_at"], part.last_activity_at)
            if part.required_done:
                acc["done_at"] = later(acc["done_at"], completed_at)
    return expected


def _stale_rows(user, existing, expected, structures) -> tuple[list[dict], list[int]]:
    """Rows no block counts toward: a node that no longer exists is stale (drift, deleted); one
    that does is expected empty. Returns the drift and the rows to delete."""
    drift, deletes = [], []
    for key, row in existing.items():
        if key in expected:
            continue
        if _structure(structures, row.community_id).node(*key) is None:
            stale = {"row": "stale"}
            drift.append({"user": user.pk, "node_type": key[0], "node_id": key[1], "fields": stale})
            deletes.append(row.pk)
            continue
        expected[key] = _empty_rollup(row.community_id)
    return drift, deletes


def _drifted_rows(user, existing, expected, structures, drift, now) -> list[NodeProgress]:
    """The rows that differ from what they should hold (or are missing), set right; each
    difference is added to ``drift``."""
    upserts = []
    for key, acc in expected.items():
        node = structures[acc["community_id"]].node(*key)
        values = {
            "required_total": node.required_total,
            "required_done": acc["required_done"],
            "masterable_total": node.masterable_total,
            "mastered": acc["mastered"],
            "optional_done": acc["optional_done"],
            "time_spent_s": acc["time_spent_s"],
            "percent": percent_of(acc["required_done"], node.required_total),
            "state": node_state(
                node.required_total,
                acc["required_done"],
                node.masterable_total,
                acc["mastered"],
                acc["last_activity_at"],
            ),
            "last_activity_at": acc["last_activity_at"],
        }
        row = existing.get(key)
        if row is None:
            diff = {"row": "missing"}
            row = NodeProgress(user=user, community_id=acc["community_id"], node_type=key[0], node_id=key[1])
        else:
            diff = {
                name: [_plain(getattr(row, name)), _plain(values[name])]
                for name in COMPARED
                if _plain(getattr(row, name)) != _plain(values[name])
            }
        if not diff:
            continue
        drift.append({"user": user.pk, "node_type": key[0], "node_id": key[1], "fields": diff})
        was_done = row.state in DONE_STATES if row.pk else False
        for name, value in values.items():
            setattr(row, name, value)
        if row.state in DONE_STATES:
            row.completed_at = row.completed_at if was_done and row.completed_at else (acc["done_at"] or now)
        else:
            row.completed_at = None
        upserts.append(row)
    return upserts


def _write_fixes(user, structures, upserts, deletes, now) -> None:
    """Delete the stale rows, upsert the drifted ones (and their enrollments), move the
    learner's roll-up version so cached trees follow."""
    if deletes:
        NodeProgress.objects.filter(pk__in=deletes).delete()
    if upserts:
        NodeProgress.objects.bulk_create(
            upserts,
            update_conflicts=True,
            unique_fields=["user", "node_type", "node_id"],
            update_fields=NODE_PROGRESS_FIELDS,
        )
        changed = {(r.node_type, r.node_id): r for r in upserts}
        update_enrollments(user, structures, changed, list(changed), now)
    if upserts or deletes:
        LearnerState.objects.filter(pk=user.pk).update(rollup_version=F("rollup_version") + 1, updated_at=now)


def _plain(value):
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.001")))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


__all__ = ["EnrollmentStatus", "RecomputeResult", "learners_in_scope", "progress_recompute"]
