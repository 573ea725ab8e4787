"""A learner's roll-up rows, and prerequisite checks on them."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from ..models import BlockState, NodeProgress, NodeType
from ..rollup import DONE_STATES, node_state, percent_of
from ..sql import community_view_rows
from .structure import CommunityStructure, NodeKey


@dataclass
class NodeView:
    """A learner's roll-up on one node: the stored row, or the untouched default."""

    required_total: int
    required_done: int
    masterable_total: int
    mastered: int
    optional_done: int
    time_spent_s: Decimal
    percent: float
    state: str
    completed_at: object = None
    last_activity_at: object = None


def node_rows(user_id: int, keys) -> dict[NodeKey, NodeProgress]:
    """Stored rows of ``user_id`` for ``keys`` ((node_type, node_id) pairs), one query."""
    by_type: dict[str, set[int]] = {}
    for node_type, node_id in keys:
        by_type.setdefault(node_type, set()).add(node_id)
    if not by_type:
        return {}
    condition = Q()
    for node_type, ids in by_type.items():
        condition |= Q(node_type=node_type, node_id__in=sorted(ids))
    rows = NodeProgress.objects.filter(condition, user_id=user_id)
    return {(row.node_type, row.node_id): row for row in rows}


def community_views(user_id: int, community_id: int) -> dict[NodeKey, NodeView]:
    """Every roll-up of ``user_id`` in one community, as light views (one query); their two
    timestamps are the ISO 8601 text the tree answers with (``progress.sql.community_view_rows``)."""
    return {(r[0], r[1]): NodeView(*r[2:]) for r in community_view_rows(user_id, community_id)}


def default_view(structure: CommunityStructure, key: NodeKey) -> NodeView:
    node = structure.node(*key)
    total = node.required_total if node else 0
    masterable = node.masterable_total if node else 0
    return NodeView(
        required_total=total,
        required_done=0,
        masterable_total=masterable,
        mastered=0,
        optional_done=0,
        time_spent_s=Decimal(0),
        percent=percent_of(0, total),
        state=node_state(total, 0, masterable, 0, None),
    )


def view_of(structure: CommunityStructure, key: NodeKey, rows: dict) -> NodeView:
    row = rows.get(key)
    if row is None:
        return default_view(structure, key)
    if isinstance(row, NodeView):
        return row
    return NodeView(
        required_total=row.required_total,
        required_done=row.required_done,
        masterable_total=row.masterable_total,
        mastered=row.mastered,
        optional_done=row.optional_done,
        time_spent_s=row.time_spent_s,
        percent=row.percent,
        state=row.state,
        completed_at=row.completed_at,
        last_activity_at=row.last_activity_at,
    )


# --- prerequisites ----------------------------------------------------------------------


def rule_keys(structure: CommunityStructure, keys) -> set[NodeKey]:
    """The nodes whose progress decides whether ``keys`` (and the courses ordering WODs among
    them) are locked."""
    needed: set[NodeKey] = set()
    for node_type, node_id in keys:
        node = structure.node(node_type, node_id)
        if node is None:
            continue
        for rule in node.rules:
            needed.add((rule.required_type, rule.required_id))
        if node_type == NodeType.WOD:
            for course_id in structure.wod_courses.get(node_id, ()):
                for rule in structure.courses[course_id].rules:
                    needed.add((rule.required_type, rule.required_id))
    return needed


def rule_met(structure, rule, rows) -> tuple[bool, NodeView | None]:
    key = (rule.required_type, rule.required_id)
    if structure.node(*key) is None:
        return True, None  # the required node is not published: the rule cannot hold anyone back
    view = view_of(structure, key, rows)
    if rule.require_mastered:
        ok = view.state == BlockState.MASTERED or (view.state in DONE_STATES and view.masterable_total == 0)
    else:
        ok = view.percent >= rule.min_percent
    return ok, view


def unmet_rules(structure: CommunityStructure, node_type: str, node_id: int, rows) -> list[dict]:
    """The node's own unmet rules (empty when it may be started), honouring all/any."""
    node = structure.node(node_type, node_id)
    if node is None or not node.rules:
        return []
    unmet = []
    for rule in node.rules:
        ok, view = rule_met(structure, rule, rows)
        if ok:
            if node.prerequisite_mode == "any":
                return []
            continue
        required = structure.node(rule.required_type, rule.required_id)
        unmet.append(
            {
                "node_type": rule.required_type,
                "node_id": rule.required_id,
                "title": required.title,
                "min_percent": None if rule.require_mastered else rule.min_percent,
                "require_mastered": rule.require_mastered,
                "percent": view.percent,
                "state": view.state,
            }
        )
    return unmet


def wod_unmet(structure: CommunityStructure, wod_id: int, rows) -> tuple[str, int, list[dict]] | None:
    """Why a WOD cannot be worked on, or None: its own rules, else (when every published course
    ordering it is locked) the first course's rules."""
    own = unmet_rules(structure, NodeType.WOD, wod_id, rows)
    if own:
        return NodeType.WOD, wod_id, own
    courses = structure.wod_courses.get(wod_id, ())
    if not courses:
        return None
    first_locked = None
    for course_id in courses:
        unmet = unmet_rules(structure, NodeType.COURSE, course_id, rows)
        if not unmet:
            return None
        first_locked = first_locked or (NodeType.COURSE, course_id, unmet)
    return first_locked
