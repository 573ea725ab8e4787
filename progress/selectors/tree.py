"""A learner's progress tree: program > courses > WODs > pages, in a constant number of queries.

One query finds the node (scoped to the learner's communities) with its community's content
version and the learner's roll-up version; the rendered tree is cached under both versions, so
a cached tree is never stale (every roll-up change bumps ``LearnerState.rollup_version`` in the
same transaction). On a miss the structure comes from its own cache
(``structure.community_structure``) and one more query loads the learner's roll-ups.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404

from config import jsonbytes
from config.lru import LocalLRU

from ..models import Course, NodeType, Program, Wod
from ..rollup import node_state, percent_of
from ..sql import visible_node_versions
from .progress import community_views, unmet_rules, wod_unmet
from .structure import community_structure

CHILDREN = {"program": "courses", "course": "wods", "wod": "pages"}
CHILD_TYPE = {"program": "course", "course": "wod", "wod": "page"}
MODELS = {NodeType.PROGRAM: Program, NodeType.COURSE: Course, NodeType.WOD: Wod}


# Rendered trees of this process, in front of the shared cache (same keys, so never stale).
LOCAL_TREES = 256
_local = LocalLRU(LOCAL_TREES)


def visible_node(user, node_type: str, node_id: int) -> tuple[int, int]:
    """(community id, content version) of a published node visible to ``user``, else 404."""
    return _visible(user, node_type, node_id)[:2]


def _visible(user, node_type: str, node_id: int) -> tuple[int, int, int]:
    """(community id, content version, the learner's roll-up version) in one query (see
    ``progress.sql``: it runs on every tree read)."""
    if not user.is_authenticated:
        raise Http404(f"No {node_type} {node_id}.")
    found = visible_node_versions(user.pk, MODELS[node_type], node_id)
    if found is None:
        raise Http404(f"No {node_type} {node_id}.")
    return found


def clear_local_trees():
    _local.clear()


def progress_tree_json(*, user, node_type: str, node_id: int) -> bytes:
    """The same tree rendered as JSON, from the cache when the versions match."""
    community_id, version, rollup_version = _visible(user, node_type, node_id)
    slot = f"progress:tree:{user.pk}:{node_type}:{node_id}"
    key = f"{slot}:{version}:{rollup_version or 0}"
    use_cache = settings.PROGRESS_TREE_CACHE_S > 0
    if use_cache:
        cached = _local.get_through(key, slot=slot, shared=cache)
        if cached is not None:
            return cached
    structure = community_structure(community_id, version)
    if structure.node(node_type, node_id) is None:
        raise Http404(f"No {node_type} {node_id}.")
    rows = community_views(user.pk, community_id)
    if node_type == NodeType.COURSE:
        locked = bool(unmet_rules(structure, NodeType.COURSE, node_id, rows))
    elif node_type == NodeType.WOD:
        locked = wod_unmet(structure, node_id, rows) is not None
    else:
        locked = False
    body = jsonbytes.dumps(_node(structure, node_type, node_id, rows, locked))
    if use_cache:
        _local.set_through(key, body, slot=slot, shared=cache, timeout=settings.PROGRESS_TREE_CACHE_S)
    return body


def _untouched(structure) -> dict:
    """The answer of each node of ``structure`` for a learner who never touched it, built once per
    structure (a content version) and kept with it."""
    defaults = structure.__dict__.get("_untouched_nodes")
    if defaults is None:
        defaults = structure.__dict__["_untouched_nodes"] = {}
    return defaults


def _node(structure, node_type, node_id, rows, parent_locked: bool) -> dict:
    node = structure.node(node_type, node_id)
    view = rows.get((node_type, node_id))
    locked = parent_locked
    if view is None:  # never touched: the node's defaults, the same for every learner
        defaults = _untouched(structure)
        template = defaults.get((node_type, node_id))
        if template is None:
            total, masterable = node.required_total, node.masterable_total
            template = defaults[(node_type, node_id)] = {
                "id": node_id,
                "type": node_type,
                "title": node.title,
                "percent": percent_of(0, total),
                "state": node_state(total, 0, masterable, 0, None),
                "time_spent_s": 0.0,
                "locked": False,
                "required_total": total,
                "required_done": 0,
                "mastered": 0,
                "optional_done": 0,
                "completed_at": None,
                "last_activity_at": None,
            }
        data = template.copy()
        data["locked"] = locked
    else:
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
            "completed_at": view.completed_at,  # ISO 8601 text (community_views)
            "last_activity_at": view.last_activity_at,
        }
    if node_type == "course" or node_type == "wod":
        unmet = unmet_rules(structure, node_type, node_id, rows) if node.rules else []
        data["locked"] = locked = locked or bool(unmet)
        data["unmet"] = unmet
    child_type = CHILD_TYPE.get(node_type)
    if child_type:
        data[CHILDREN[node_type]] = [_node(structure, child_type, c, rows, locked) for c in node.children]
    return data
