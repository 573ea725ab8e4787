"""The published structure of a community, as plain data, cached by content version.

Loading a program's tree, applying a block's delta to its ancestors and checking prerequisite
rules all need the same facts: which published courses a program orders, which WODs a course
orders, which pages a WOD has, and how many required (and masterable) blocks each holds. They
come from a handful of queries per community and content version and are kept in process memory
and in the shared cache; any content change bumps ``Community.content_version`` (see
``progress.signals``), so a stale structure is never used.
"""

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count

from ..models import (
    BLOCK_RULES,
    Block,
    Community,
    CompletionRule,
    Course,
    CourseWod,
    NodeType,
    Page,
    Prerequisite,
    Program,
    ProgramCourse,
    PublishStatus,
    Wod,
)

NodeKey = tuple[str, int]
TABLES = {"program": "programs", "course": "courses", "wod": "wods", "page": "pages"}


@dataclass(frozen=True)
class Rule:
    """``required`` must be at least ``min_percent`` complete (or mastered)."""

    required_type: str
    required_id: int
    min_percent: int
    require_mastered: bool


@dataclass
class Node:
    type: str
    id: int
    title: str
    children: list[int] = field(default_factory=list)
    required_total: int = 0
    masterable_total: int = 0
    prerequisite_mode: str = "all"
    rules: list[Rule] = field(default_factory=list)
    parent_id: int | None = None  # pages: their WOD


@dataclass
class CommunityStructure:
    community_id: int
    version: int
    programs: dict[int, Node] = field(default_factory=dict)
    courses: dict[int, Node] = field(default_factory=dict)
    wods: dict[int, Node] = field(default_factory=dict)
    pages: dict[int, Node] = field(default_factory=dict)
    wod_courses: dict[int, list[int]] = field(default_factory=dict)
    course_programs: dict[int, list[int]] = field(default_factory=dict)

    def node(self, node_type: str, node_id: int) -> Node | None:
        return getattr(self, TABLES[node_type]).get(node_id)

    def table(self, node_type: str) -> dict[int, Node]:
        return getattr(self, TABLES[node_type])

    def ancestors_of_page(self, page_id: int) -> list[NodeKey]:
        """The page, its WOD, every published course ordering the WOD and every published
        program ordering one of those courses; each once."""
        page = self.pages[page_id]
        keys: list[NodeKey] = [(NodeType.PAGE, page_id), (NodeType.WOD, page.parent_id)]
        programs: list[int] = []
        for course_id in self.wod_courses.get(page.parent_id, ()):
            keys.append((NodeType.COURSE, course_id))
            for program_id in self.course_programs.get(course_id, ()):
                if program_id not in programs:
                    programs.append(program_id)
        keys.extend((NodeType.PROGRAM, program_id) for program_id in programs)
        return keys

    def program_wods(self, program_id: int) -> list[int]:
        seen: dict[int, None] = {}
        for course_id in self.programs[program_id].children:
            for wod_id in self.courses[course_id].children:
                seen.setdefault(wod_id)
        return list(seen)


_local_cache: "OrderedDict[tuple[int, int], CommunityStructure]" = OrderedDict()
_local_lock = threading.Lock()
LOCAL_CACHE_SIZE = 64


def community_structure(community_id: int, version: int | None = None) -> CommunityStructure:
    """The community's published structure at ``version`` (looked up when not given)."""
    if version is None:
        version = (
            Community.objects.filter(pk=community_id).values_list("content_version", flat=True).first() or 0
        )
    key = (community_id, version)
    with _local_lock:
        found = _local_cache.get(key)
        if found is not None:
            _local_cache.move_to_end(key)
            return found
    cache_key = f"progress:structure:{community_id}:{version}"
    structure = cache.get(cache_key)
    if structure is None:
        structure = build_structure(community_id, version)
        cache.set(cache_key, structure, timeout=24 * 3600)
    with _local_lock:
        _local_cache[key] = structure
        while len(_local_cache) > LOCAL_CACHE_SIZE:
            _local_cache.popitem(last=False)
    return structure


def clear_local_cache():
    with _local_lock:
        _local_cache.clear()


def build_structure(community_id: int, version: int) -> CommunityStructure:
    """Read the community's published structure from the database (eight queries): the nodes,
    the links between them, the pages, the required blocks each level must complete, and the
    prerequisite rules."""
    s = CommunityStructure(community_id=community_id, version=version)
    _read_nodes(s, community_id)
    _read_links(s, community_id)
    _read_pages(s, community_id)
    _count_required_blocks(s)
    _sum_totals_upwards(s)
    _attach_rules(s, community_id)
    return s


def _read_nodes(s: CommunityStructure, community_id: int) -> None:
    """Published programs, courses and wods (three queries)."""
    published = PublishStatus.PUBLISHED
    for pk, title in Program.objects.filter(community_id=community_id, status=published).values_list(
        "id", "title"
    ):
        s.programs[pk] = Node(NodeType.PROGRAM, pk, title)
    for model, node_type, nodes in ((Course, NodeType.COURSE, s.courses), (Wod, NodeType.WOD, s.wods)):
        for pk, title, mode in model.objects.filter(community_id=community_id, status=published).values_list(
            "id", "title", "prerequisite_mode"
        ):
            nodes[pk] = Node(node_type, pk, title, prerequisite_mode=mode)


def _read_links(s: CommunityStructure, community_id: int) -> None:
    """Program -> course and course -> wod links between published nodes, in their order, both
    ways (two queries)."""
    _read_link(ProgramCourse, "program", "course", community_id, s.programs, s.course_programs)
    _read_link(CourseWod, "course", "wod", community_id, s.courses, s.wod_courses)


def _read_link(model, parent: str, child: str, community_id: int, parents: dict, parents_of: dict) -> None:
    """One level of links (``parent`` -> ``child``): each parent's children in order, and each
    child's parents."""
    published = PublishStatus.PUBLISHED
    rows = (
        model.objects.filter(
            **{
                f"{parent}__community_id": community_id,
                f"{parent}__status": published,
                f"{child}__status": published,
            }
        )
        .order_by(f"{parent}_id", "order", "id")
        .values_list(f"{parent}_id", f"{child}_id")
    )
    for parent_id, child_id in rows:
        parents[parent_id].children.append(child_id)
        parents_of.setdefault(child_id, []).append(parent_id)


def _read_pages(s: CommunityStructure, community_id: int) -> None:
    """Published pages of published wods, in their order (one query)."""
    published = PublishStatus.PUBLISHED
    for pk, wod_id, title in (
        Page.objects.filter(wod__community_id=community_id, wod__status=published, is_published=True)
        .order_by("wod_id", "order", "id")
        .values_list("id", "wod_id", "title")
    ):
        s.pages[pk] = Node(NodeType.PAGE, pk, title, parent_id=wod_id)
        s.wods[wod_id].children.append(pk)


def _count_required_blocks(s: CommunityStructure) -> None:
    """Each page's required blocks that count towards completion, and the quizzes among them
    towards mastery (one query)."""
    counts = (
        Block.objects.filter(page_id__in=list(s.pages), is_published=True, required=True)
        .values("page_id", "block_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in counts:
        rule = BLOCK_RULES.get(row["block_type"], CompletionRule.NONE)
        if rule == CompletionRule.NONE:
            continue
        page = s.pages[row["page_id"]]
        page.required_total += row["n"]
        if rule == CompletionRule.QUIZ:
            page.masterable_total += row["n"]


def _sum_totals_upwards(s: CommunityStructure) -> None:
    """Pages' totals summed into their wods, wods' into courses and programs."""
    for wod in s.wods.values():
        _sum_into(wod, [s.pages[p] for p in wod.children])
    for course in s.courses.values():
        _sum_into(course, [s.wods[w] for w in course.children])
    for program in s.programs.values():
        _sum_into(program, [s.wods[w] for w in s.program_wods(program.id)])


def _sum_into(node: Node, parts: list[Node]) -> None:
    node.required_total = sum(part.required_total for part in parts)
    node.masterable_total = sum(part.masterable_total for part in parts)


def _attach_rules(s: CommunityStructure, community_id: int) -> None:
    """Each course's or wod's prerequisites, as rules on its node (one query)."""
    rules = defaultdict(list)
    for course_id, wod_id, req_course, req_wod, min_percent, mastered in Prerequisite.objects.filter(
        models_q_community(community_id)
    ).values_list(
        "course_id", "wod_id", "required_course_id", "required_wod_id", "min_percent", "require_mastered"
    ):
        target = (NodeType.COURSE, course_id) if course_id else (NodeType.WOD, wod_id)
        required = (NodeType.COURSE, req_course) if req_course else (NodeType.WOD, req_wod)
        rules[target].append(Rule(required[0], required[1], min_percent, mastered))
    for (node_type, node_id), node_rules in rules.items():
        node = s.node(node_type, node_id)
        if node is not None:
            node.rules = node_rules


def models_q_community(community_id: int):
    from django.db.models import Q

    return Q(course__community_id=community_id) | Q(wod__community_id=community_id)
