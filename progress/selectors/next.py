"""The next unlocked thing for a learner to do."""

from ..models import Block, BlockProgress, CourseEnrollment, EnrollmentStatus, NodeType, ProgramEnrollment
from ..rollup import DONE_STATES, BlockFacts
from .progress import node_rows, rule_keys, unmet_rules, view_of, wod_unmet
from .structure import community_structure
from .tree import visible_node


def _ref(structure, node_type, node_id):
    if node_id is None:
        return None
    return {"id": node_id, "title": structure.node(node_type, node_id).title}


def _walk(structure, root_type, root_id, rows):
    """(course id, WOD id) of the first unfinished, unlocked WOD under the root, or None."""
    if root_type == NodeType.WOD:
        if view_of(structure, (NodeType.WOD, root_id), rows).state in DONE_STATES:
            return None
        return (None, root_id) if wod_unmet(structure, root_id, rows) is None else None
    courses = structure.programs[root_id].children if root_type == NodeType.PROGRAM else [root_id]
    for course_id in courses:
        if view_of(structure, (NodeType.COURSE, course_id), rows).state in DONE_STATES:
            continue
        if unmet_rules(structure, NodeType.COURSE, course_id, rows):
            continue
        for wod_id in structure.courses[course_id].children:
            if view_of(structure, (NodeType.WOD, wod_id), rows).state in DONE_STATES:
                continue
            if unmet_rules(structure, NodeType.WOD, wod_id, rows):
                continue
            return course_id, wod_id
    return None


def _roots(user, program_id, course_id, wod_id):
    if wod_id is not None:
        yield (NodeType.WOD, wod_id, *visible_node(user, NodeType.WOD, wod_id))
        return
    if course_id is not None:
        yield (NodeType.COURSE, course_id, *visible_node(user, NodeType.COURSE, course_id))
        return
    if program_id is not None:
        yield (NodeType.PROGRAM, program_id, *visible_node(user, NodeType.PROGRAM, program_id))
        return
    for pk, cid, version in (
        ProgramEnrollment.objects.filter(
            user=user, status=EnrollmentStatus.ACTIVE, community__memberships__user=user
        )
        .order_by("enrolled_at", "id")
        .values_list("program_id", "community_id", "community__content_version")
    ):
        yield (NodeType.PROGRAM, pk, cid, version)
    for pk, cid, version in (
        CourseEnrollment.objects.filter(
            user=user, status=EnrollmentStatus.ACTIVE, community__memberships__user=user
        )
        .order_by("enrolled_at", "id")
        .values_list("course_id", "community_id", "community__content_version")
    ):
        yield (NodeType.COURSE, pk, cid, version)


def next_item(*, user, program_id=None, course_id=None, wod_id=None) -> dict:
    """The first unfinished required block of the first unfinished, unlocked WOD (in program,
    course and page order) of the learner's enrollments, or of the node asked for."""
    for root_type, root_id, community_id, version in _roots(user, program_id, course_id, wod_id):
        structure = community_structure(community_id, version)
        if structure.node(root_type, root_id) is None:
            continue
        keys = []
        if root_type == NodeType.PROGRAM:
            keys.append((root_type, root_id))
            courses = structure.programs[root_id].children
        elif root_type == NodeType.COURSE:
            courses = [root_id]
        else:
            courses = []
        wods = [w for c in courses for w in structure.courses[c].children] or (
            [root_id] if root_type == NodeType.WOD else []
        )
        keys += [(NodeType.COURSE, c) for c in courses] + [(NodeType.WOD, w) for w in wods]
        rows = node_rows(user.pk, set(keys) | rule_keys(structure, keys))
        found = _walk(structure, root_type, root_id, rows)
        if found is None:
            continue
        found_course, found_wod = found
        pages = structure.wods[found_wod].children
        page_rows = node_rows(user.pk, [(NodeType.PAGE, p) for p in pages])
        page_id = next(
            (p for p in pages if view_of(structure, (NodeType.PAGE, p), page_rows).state not in DONE_STATES),
            pages[0] if pages else None,
        )
        block = None
        if page_id is not None:
            blocks = list(
                Block.objects.filter(page_id=page_id, is_published=True)
                .order_by("order", "id")
                .values_list("id", "block_type", "title", "required")
            )
            done = set(
                BlockProgress.objects.filter(
                    user=user, block_id__in=[b[0] for b in blocks], state__in=DONE_STATES
                ).values_list("block_id", flat=True)
            )
            for pk, block_type, title, required in blocks:
                facts = BlockFacts(pk, block_type, required, page_id, found_wod, community_id)
                if facts.completable and pk not in done:
                    block = {"id": pk, "type": block_type, "title": title, "required": required}
                    break
        program_ref = _ref(structure, NodeType.PROGRAM, root_id if root_type == NodeType.PROGRAM else None)
        return {
            "program": program_ref,
            "course": _ref(structure, NodeType.COURSE, found_course),
            "wod": _ref(structure, NodeType.WOD, found_wod),
            "page": _ref(structure, NodeType.PAGE, page_id),
            "block": block,
            "wod_percent": view_of(structure, (NodeType.WOD, found_wod), rows).percent,
        }
    return {"program": None, "course": None, "wod": None, "page": None, "block": None, "wod_percent": None}
