"""A learner's progress tree: program > courses > WODs > pages, in a constant number of queries.

One query finds the node (scoped to the learner's communities) with its community's content
version, the structure comes from the cache (``structure.community_structure``), and one query
loads every roll-up row the tree needs. Nodes the learner never touched get their defaults.
"""

from django.http import Http404

from ..models import Course, NodeType, Program, Wod
from .progress import node_rows, rule_keys, unmet_rules, view_of
from .structure import CommunityStructure, community_structure

CHILDREN = {NodeType.PROGRAM: "courses", NodeType.COURSE: "wods", NodeType.WOD: "pages"}
MODELS = {NodeType.PROGRAM: Program, NodeType.COURSE: Course, NodeType.WOD: Wod}


def visible_node(user, node_type: str, node_id: int) -> tuple[int, int]:
    """(community id, content version) of a published node visible to ``user``, else 404."""
    found = (
        MODELS[node_type]
        .objects.visible_to(user)
        .filter(pk=node_id)
        .values_list("community_id", "community__content_version")
        .first()
    )
    if found is None:
        raise Http404(f"No {node_type} {node_id}.")
    return found


def _subtree_keys(structure: CommunityStructure, node_type: str, node_id: int, into: list):
    into.append((node_type, node_id))
    child_type = {NodeType.PROGRAM: NodeType.COURSE, NodeType.COURSE: NodeType.WOD, NodeType.WOD: NodeType.PAGE}.get(
        node_type
    )
    if child_type is None:
        return
    for child_id in structure.node(node_type, node_id).children:
        _subtree_keys(structure, child_type, child_id, into)


def progress_tree(*, user, node_type: str, node_id: int) -> dict:
    """The learner's tree under a program, course or WOD (404 when not visible)."""
    community_id, version = visible_node(user, node_type, node_id)
    structure = community_structure(community_id, version)
    if structure.node(node_type, node_id) is None:
        raise Http404(f"No {node_type} {node_id}.")
    keys: list = []
    _subtree_keys(structure, node_type, node_id, keys)
    gated = [k for k in keys if k[0] in (NodeType.COURSE, NodeType.WOD)]
    rows = node_rows(user.pk, set(keys) | rule_keys(structure, gated))
    if node_type == NodeType.COURSE:
        locked = bool(unmet_rules(structure, NodeType.COURSE, node_id, rows))
    elif node_type == NodeType.WOD:
        from .progress import wod_unmet

        locked = wod_unmet(structure, node_id, rows) is not None
    else:
        locked = False
    return _node(structure, node_type, node_id, rows, locked)


def _node(structure, node_type, node_id, rows, parent_locked: bool) -> dict:
    node = structure.node(node_type, node_id)
    view = view_of(structure, (node_type, node_id), rows)
    locked = parent_locked
    unmet = []
    if node_type in (NodeType.COURSE, NodeType.WOD) and node.rules:
        unmet = unmet_rules(structure, node_type, node_id, rows)
        locked = locked or bool(unmet)
    data = {
        "id": node_id,
        "type": node_type,
        "title": node.title,
        "percent": view.percent,
        "state": view.state,
        "time_spent_s": float(view.time_spent_s),
        "locked": locked,
        "required_total": view.required_total,
        "required_done": view.required_done,
        "mastered": view.mastered,
        "optional_done": view.optional_done,
        "completed_at": view.completed_at.isoformat() if view.completed_at else None,
        "last_activity_at": view.last_activity_at.isoformat() if view.last_activity_at else None,
    }
    if node_type in (NodeType.COURSE, NodeType.WOD):
        data["unmet"] = unmet
    child_key = CHILDREN.get(node_type)
    if child_key:
        child_type = {"courses": NodeType.COURSE, "wods": NodeType.WOD, "pages": NodeType.PAGE}[child_key]
        data[child_key] = [_node(structure, child_type, child_id, rows, locked) for child_id in node.children]
    return data
