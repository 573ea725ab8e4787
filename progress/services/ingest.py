"""Ingest learning events: block states, roll-up deltas and the event log, in one transaction.

``events_ingest`` is the single entry point (API, commands, demo, benchmarks). Per batch it
takes the learner's lock once (``LearnerState`` row, ``SELECT ... FOR UPDATE``), so a learner's
events apply one batch at a time, and then does a fixed number of bulk queries whatever the batch
size: replayed keys, blocks with the learner's states on them, ancestor roll-ups, enrollments, and
one statement writing roll-ups, block states, the log and the learner's counters.
"""

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from config.errors import Locked

from ..models import LearnerState, NodeType, ProgressVerb
from ..models.learning import ROLLUP_VALUE_FIELDS
from ..rollup import (
    DONE_STATES,
    MASTERED,
    NOT_STARTED,
    BlockFacts,
    BlockRow,
    EventInput,
    contribution,
    later,
    node_state,
    percent_of,
)
from ..selectors.progress import node_rows, rule_keys, wod_unmet
from ..selectors.structure import community_structure
from ..sql import (
    NodeRow,
    load_block_facts_and_rows,
    load_node_rows,
    lock_learner_row,
    stored_keys,
    write_progress,
)
from .block_state import apply_event, mastery_threshold
from .enrollment_sync import update_enrollments
from .hooks import run_ingest_hooks

MILLI = Decimal("0.001")
VERBS = frozenset(ProgressVerb.values)

NODE_PROGRESS_FIELDS = [*ROLLUP_VALUE_FIELDS, "updated_at"]


@dataclass
class EventOutcome:
    idempotency_key: str
    block: int | None
    state: str
    replayed: bool


@dataclass
class IngestResult:
    """What a batch changed. ``completed_nodes`` / ``mastered_nodes`` map a node type to the
    ids that became completed / mastered in this batch."""

    user_id: int
    accepted: int = 0
    replayed: int = 0
    outcomes: list[EventOutcome] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)  # the log rows written (column -> value)
    changed_block_ids: list[int] = field(default_factory=list)
    block_states: dict[int, str] = field(default_factory=dict)
    completed_nodes: dict[str, list[int]] = field(default_factory=dict)
    mastered_nodes: dict[str, list[int]] = field(default_factory=dict)
    # the roll-ups this batch changed, with NodeProgress's field names
    node_progress: dict[tuple[str, int], NodeRow] = field(default_factory=dict)
    # Which award rules can apply, read with the blocks (None: not known, evaluate them all):
    # event blocks an assessment or project milestone names, WODs of event blocks a
    # WOD-completion milestone names, communities with an active achievement.
    milestone_blocks: set[int] | None = None
    milestone_wods: set[int] | None = None
    achievement_communities: set[int] | None = None


def lock_learner(user) -> LearnerState:
    """Take the learner's lock for the rest of the transaction."""
    state, _ = LearnerState.objects.select_for_update(of=("self",)).get_or_create(user=user)
    return state


def _coerce(raw, index: int, *, now) -> EventInput:
    event = raw if isinstance(raw, EventInput) else EventInput(**raw)
    where = f"Event {index}: " if index is not None else ""
    if event.event not in VERBS:
        raise ValidationError({"event": [f"{where}unknown event {event.event!r}."]})
    time_spent = Decimal(str(event.time_spent_s or 0)).quantize(MILLI)
    if time_spent < 0:
        raise ValidationError({"time_spent_s": [f"{where}time spent cannot be negative."]})
    event.time_spent_s = time_spent
    for name in ("score", "progress"):
        value = getattr(event, name)
        if value is not None and not 0 <= value <= 1:
            raise ValidationError({name: [f"{where}{name} must be between 0 and 1."]})
    if event.occurred_at > now + timedelta(seconds=settings.PROGRESS_EVENT_MAX_FUTURE_S):
        raise ValidationError({"occurred_at": [f"{where}occurred_at lies in the future."]})
    if not event.idempotency_key:
        raise ValidationError({"idempotency_key": [f"{where}an idempotency key is required."]})
    return event


@dataclass
class _Blocks:
    facts: dict[int, BlockFacts] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)  # community -> content version
    milestone_blocks: set[int] = field(default_factory=set)
    milestone_wods: set[int] = field(default_factory=set)
    achievement_communities: set[int] = field(default_factory=set)
    rows: dict[int, BlockRow] = field(default_factory=dict)  # the learner's states on them


def _load_blocks(user, block_ids) -> _Blocks:
    """Published blocks among ``block_ids`` in the user's communities, each community's content
    version, which award rules can apply to them and the learner's states on them (one query)."""
    found = _Blocks()
    facts, found.rows = load_block_facts_and_rows(user.pk, block_ids)
    for (
        pk,
        block_type,
        required,
        page_id,
        wod_id,
        community_id,
        version,
        completion,
        mastery,
        block_milestone,
        wod_milestone,
        achievements,
    ) in facts:
        found.facts[pk] = BlockFacts(
            pk, block_type, required, page_id, wod_id, community_id, completion, mastery
        )
        found.versions[community_id] = version
        if block_milestone:
            found.milestone_blocks.add(pk)
        if wod_milestone:
            found.milestone_wods.add(wod_id)
        if achievements:
            found.achievement_communities.add(community_id)
    return found


@dataclass
class _Delta:
    community_id: int
    required_done: int = 0
    mastered: int = 0
    optional_done: int = 0
    time_spent_s: Decimal = Decimal(0)
    last_activity_at: datetime | None = None


def events_ingest(*, user, events) -> IngestResult:
    """Apply ``events`` (dicts or ``EventInput``) for ``user``; replays are no-ops.

    Raises ``ValidationError`` for bad input (nothing is written) and ``config.errors.Locked`` when an
    event touches a WOD or course whose prerequisites the learner has not met.

    Outside a transaction the batch is its own. Inside a caller's it runs without a savepoint (no
    extra round trip): every refusal comes before the first write (the learner's empty lock row
    aside, which a later batch would create anyway), so the caller may catch it and go on.
    """
    if not events:
        raise ValidationError({"events": ["Send at least one event."]})
    limit = settings.PROGRESS_EVENTS_MAX_BATCH
    if len(events) > limit:
        raise ValidationError({"events": [f"Send at most {limit} events per request."]})
    now = timezone.now()
    single = len(events) == 1
    inputs = [_coerce(raw, None if single else i, now=now) for i, raw in enumerate(events)]
    in_caller_transaction = transaction.get_connection().in_atomic_block
    with nullcontext() if in_caller_transaction else transaction.atomic():
        if not lock_learner_row(user.pk):  # a learner's first batch creates the row
            lock_learner(user)
        return _ingest_locked(user, inputs, now)


def _ingest_locked(user, inputs: list[EventInput], now) -> IngestResult:
    """The batch under the learner's lock: new events, checked, applied to block states, rolled
    up the ancestors by deltas, written in one statement, then answered in request order."""
    result = IngestResult(user_id=user.pk)
    stored = stored_keys(user.pk, {e.idempotency_key for e in inputs})
    fresh = _fresh_events(inputs, stored)
    blocks = _load_blocks(user, {e.block for e in fresh}) if fresh else _Blocks()
    result.milestone_blocks = blocks.milestone_blocks
    result.milestone_wods = blocks.milestone_wods
    result.achievement_communities = blocks.achievement_communities
    structures = {cid: community_structure(cid, version) for cid, version in blocks.versions.items()}
    _check_blocks(fresh, blocks.facts, structures)
    _check_prerequisites(user, fresh, blocks.facts, structures)
    before, states_after_event = _apply_events(user, fresh, blocks)
    deltas, ancestors_of = _ancestor_deltas(result, blocks, before, structures)
    enrollment_keys = [k for k in deltas if k[0] in (NodeType.PROGRAM, NodeType.COURSE)]
    rows = _roll_up(user, result, deltas, structures, now)
    registrations = update_enrollments(user, structures, rows, enrollment_keys, now)
    log = _log_rows(user, fresh, states_after_event, blocks.facts, ancestors_of, registrations)
    # Roll-ups, block states, the log and the learner's counters: one statement.
    write_progress(
        user_id=user.pk,
        node_rows=[rows[key] for key in deltas],
        block_rows=list(blocks.rows.values()),
        events=log,
        now=now,
        latest=max((e.occurred_at for e in fresh), default=None),
    )
    result.events = log
    result.outcomes = _outcomes(inputs, fresh, states_after_event, stored, blocks.rows)
    result.accepted = len(log)
    result.replayed = len(inputs) - len(log)
    run_ingest_hooks(user=user, result=result)
    return result


def _fresh_events(inputs: list[EventInput], stored) -> list[EventInput]:
    """The events whose key is neither stored nor earlier in the batch."""
    fresh: list[EventInput] = []
    seen = set(stored)
    for event in inputs:
        if event.idempotency_key in seen:
            continue
        seen.add(event.idempotency_key)
        fresh.append(event)
    return fresh


def _check_blocks(fresh, facts, structures) -> None:
    """Every event names a published block of the learner's communities (and its WOD, if given)."""
    for event in fresh:
        block = facts.get(event.block)
        if block is None or block.page_id not in structures[block.community_id].pages:
            raise ValidationError({"block": [f"Unknown block {event.block}."]})
        if event.wod is not None and event.wod != block.wod_id:
            raise ValidationError({"wod_id": [f"Block {event.block} is not in WOD {event.wod}."]})


def _check_prerequisites(user, fresh, facts, structures) -> None:
    """Every WOD touched must be open to the learner: ``Locked`` naming the first that is not."""
    wod_keys = {(facts[e.block].community_id, facts[e.block].wod_id) for e in fresh}
    needed = set()
    for community_id, wod_id in wod_keys:
        needed |= rule_keys(structures[community_id], [(NodeType.WOD, wod_id)])
    rule_rows = node_rows(user.pk, needed) if needed else {}
    for community_id, wod_id in sorted(wod_keys):
        structure = structures[community_id]
        locked = wod_unmet(structure, wod_id, rule_rows)
        if locked:
            node_type, node_id, unmet = locked
            title = structure.node(node_type, node_id).title
            raise Locked(
                f"{title} is locked until its prerequisites are met.",
                locked={"node_type": node_type, "node_id": node_id, "title": title},
                unmet=unmet,
            )


def _apply_events(user, fresh, blocks: _Blocks) -> tuple[dict, list[str]]:
    """Apply the events to the learner's block states (rows created for blocks without one).
    Returns each block's (state, contribution) before, and the state after each event."""
    progress = blocks.rows
    before = {}
    for block_id, block in blocks.facts.items():
        bp = progress.get(block_id)
        if bp is None:
            bp = progress[block_id] = BlockRow(user.pk, block_id, block.community_id)
        before[block_id] = (bp.state, contribution(block, bp.state, bp.time_spent_s, bp.last_interaction_at))
    states_after_event = []
    for event in fresh:
        bp = progress[event.block]
        apply_event(bp, blocks.facts[event.block], event)
        states_after_event.append(bp.state)
    return before, states_after_event


def _ancestor_deltas(result: IngestResult, blocks: _Blocks, before, structures) -> tuple[dict, dict]:
    """What the changed blocks add to each ancestor's roll-up; notes the changed block states in
    ``result``. Returns the deltas by node key and each block's ancestor keys."""
    deltas: dict[tuple[str, int], _Delta] = {}
    ancestors_of: dict[int, list] = {}
    for block_id, block in blocks.facts.items():
        bp = blocks.rows[block_id]
        old_state, old = before[block_id]
        new = contribution(block, bp.state, bp.time_spent_s, bp.last_interaction_at)
        if bp.state != old_state:
            result.changed_block_ids.append(block_id)
        result.block_states[block_id] = bp.state
        keys = structures[block.community_id].ancestors_of_page(block.page_id)
        ancestors_of[block_id] = keys
        for key in keys:
            delta = deltas.get(key)
            if delta is None:
                delta = deltas[key] = _Delta(block.community_id)
            delta.required_done += new.required_done - old.required_done
            delta.mastered += new.mastered - old.mastered
            delta.optional_done += new.optional_done - old.optional_done
            delta.time_spent_s += new.time_spent_s - old.time_spent_s
            delta.last_activity_at = later(delta.last_activity_at, new.last_activity_at)
    return deltas, ancestors_of


def _roll_up(user, result: IngestResult, deltas, structures, now) -> dict:
    """The ancestors' roll-up rows (existing ones moved by their deltas, new ones created); notes
    the nodes completed or mastered in ``result``. Returns the rows by node key."""
    rows = load_node_rows(user.pk, deltas)
    for key, delta in deltas.items():
        row = rows.get(key)
        if row is None:
            node = structures[delta.community_id].node(*key)
            row = rows[key] = NodeRow(
                user.pk,
                delta.community_id,
                key[0],
                key[1],
                required_total=node.required_total,
                masterable_total=node.masterable_total,
                percent=percent_of(0, node.required_total),
                state=node_state(node.required_total, 0, node.masterable_total, 0, None),
            )
        old_state = row.state
        row.required_done = max(0, row.required_done + delta.required_done)
        row.mastered = max(0, row.mastered + delta.mastered)
        row.optional_done = max(0, row.optional_done + delta.optional_done)
        row.time_spent_s = row.time_spent_s + delta.time_spent_s
        row.last_activity_at = later(row.last_activity_at, delta.last_activity_at)
        row.percent = percent_of(row.required_done, row.required_total)
        row.state = node_state(
            row.required_total, row.required_done, row.masterable_total, row.mastered, row.last_activity_at
        )
        if row.state in DONE_STATES:
            if old_state not in DONE_STATES:
                row.completed_at = delta.last_activity_at or now
                result.completed_nodes.setdefault(key[0], []).append(key[1])
            if row.state == MASTERED and old_state != MASTERED:
                result.mastered_nodes.setdefault(key[0], []).append(key[1])
        else:
            row.completed_at = None
    result.node_progress = {key: rows[key] for key in deltas}
    return rows


def _log_rows(user, fresh, states_after_event, facts, ancestors_of, registrations) -> list[dict]:
    """The event log's rows (column -> value), one per new event."""
    log = []
    for event, state in zip(fresh, states_after_event, strict=True):
        block = facts[event.block]
        keys = ancestors_of[event.block]
        registration = next(
            (registrations[(t, i)] for t, i in keys if (t, i) in registrations and t == NodeType.COURSE), None
        ) or next((registrations[(t, i)] for t, i in keys if (t, i) in registrations), None)
        success = None
        if block.masterable and event.score is not None:
            success = event.score >= mastery_threshold(block)
        log.append(
            {
                "user_id": user.pk,
                "community_id": block.community_id,
                "block_id": block.id,
                "verb": event.event,
                "idempotency_key": event.idempotency_key,
                "time_spent_s": event.time_spent_s,
                "progress": event.progress,
                "score": event.score,
                "success": success,
                "completion": state in DONE_STATES if block.completable else None,
                "state_after": state,
                "registration": registration,
                "context": {
                    "page": block.page_id,
                    "wod": block.wod_id,
                    "courses": [k[1] for k in keys if k[0] == NodeType.COURSE],
                    "programs": [k[1] for k in keys if k[0] == NodeType.PROGRAM],
                },
                "occurred_at": event.occurred_at,
            }
        )
    return log


def _outcomes(inputs, fresh, states_after_event, stored, progress) -> list[EventOutcome]:
    """Each input event's outcome, in request order (a replay answers its stored state)."""
    fresh_states = {id(e): s for e, s in zip(fresh, states_after_event, strict=True)}
    outcomes = []
    for event in inputs:
        if id(event) in fresh_states:
            outcomes.append(EventOutcome(event.idempotency_key, event.block, fresh_states[id(event)], False))
            continue
        block_id, state = stored.get(event.idempotency_key, (event.block, None))
        if state is None:  # a duplicate key inside this batch
            state = progress[event.block].state if event.block in progress else NOT_STARTED
        outcomes.append(EventOutcome(event.idempotency_key, block_id, state, True))
    return outcomes


__all__ = ["EventInput", "EventOutcome", "IngestResult", "events_ingest", "lock_learner"]
