"""Content endpoints, enrollments, progress trees (with pinned query counts) and next."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from progress.models import BlockType, MembershipRole, PublishStatus
from progress.selectors.structure import clear_local_cache
from tests.conftest import client_for
from tests.progress.factories import BlockFactory, CommunityFactory, PageFactory, WodFactory, build_program
from tests.utils.progress import blocks_of, event, join

EVENTS = "/api/v1/progress/events/"


@pytest.fixture
def program(user):
    program = build_program(courses=2, wods_per_course=2, pages_per_wod=2, blocks_per_page=3)
    join(user, program.community)
    return program


@pytest.mark.django_db
def test_communities_lists_only_mine_with_my_role(user, auth_client):
    mine = CommunityFactory(name="Mine")
    CommunityFactory(name="Other")
    join(user, mine, MembershipRole.INSTRUCTOR)
    body = auth_client.get("/api/v1/communities/").json()
    assert [(c["name"], c["role"]) for c in body["results"]] == [("Mine", "instructor")]


@pytest.mark.django_db
def test_content_lists_show_only_published_content_of_my_communities(user, auth_client, program):
    WodFactory(community=program.community, status=PublishStatus.DRAFT)
    build_program()  # another community
    assert auth_client.get("/api/v1/programs/").json()["count"] == 1
    assert auth_client.get("/api/v1/courses/").json()["count"] == 2
    assert auth_client.get("/api/v1/wods/").json()["count"] == 4
    course = program.course_links.order_by("order")[0].course
    assert auth_client.get("/api/v1/wods/", {"course": course.pk}).json()["count"] == 2
    assert auth_client.get("/api/v1/courses/", {"program": program.pk}).json()["count"] == 2


@pytest.mark.django_db
def test_mission_id_filters_wods_like_wod_id(auth_client, program):
    wod = program.courses.first().wods.first()
    assert [w["id"] for w in auth_client.get("/api/v1/wods/", {"mission_id": wod.pk}).json()["results"]] == [
        wod.pk
    ]
    assert [w["id"] for w in auth_client.get("/api/v1/wods/", {"wod_id": wod.pk}).json()["results"]] == [
        wod.pk
    ]


@pytest.mark.django_db
def test_program_and_course_details_list_children_in_order(auth_client, program):
    body = auth_client.get(f"/api/v1/programs/{program.pk}/").json()
    assert [c["order"] for c in body["courses"]] == [0, 1]
    course = auth_client.get(f"/api/v1/courses/{body['courses'][0]['id']}/").json()
    assert [w["order"] for w in course["wods"]] == [0, 1] and course["prerequisites"] == []


@pytest.mark.django_db
def test_wod_detail_includes_pages_and_blocks_with_completability(user, auth_client):
    community = CommunityFactory()
    join(user, community)
    wod = WodFactory(community=community)
    page = PageFactory(wod=wod, order=0)
    BlockFactory(page=page, block_type=BlockType.DIVIDER, order=1)
    BlockFactory(page=page, block_type=BlockType.QUIZ, order=0, required=False)
    BlockFactory(page=page, block_type=BlockType.VIDEO, order=2, is_published=False)
    body = auth_client.get(f"/api/v1/wods/{wod.pk}/").json()
    blocks = body["pages"][0]["blocks"]
    assert [(b["type"], b["required"], b["completable"]) for b in blocks] == [
        ("quiz", False, True),
        ("divider", True, False),
    ]
    assert blocks[0]["content"]["questions"][0]["choices"]


@pytest.mark.django_db
def test_wod_detail_query_count_does_not_grow_with_pages_and_blocks(
    user, auth_client, django_assert_num_queries
):
    community = CommunityFactory()
    join(user, community)
    small, large = WodFactory(community=community), WodFactory(community=community)
    BlockFactory(page=PageFactory(wod=small))
    for _ in range(4):
        page = PageFactory(wod=large)
        for _ in range(5):
            BlockFactory(page=page)
    for wod in (small, large):
        with django_assert_num_queries(5):  # token, wod, pages, blocks, prerequisites
            assert auth_client.get(f"/api/v1/wods/{wod.pk}/").status_code == 200


def tree_queries(client, program_id):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/progress/programs/{program_id}/").status_code == 200
    return len(queries)


@pytest.fixture
def two_programs(user, auth_client):
    community = CommunityFactory()
    join(user, community)
    small = build_program(
        community=community, courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=1
    )
    large = build_program(
        community=community, courses=3, wods_per_course=4, pages_per_wod=3, blocks_per_page=4
    )
    auth_client.post(EVENTS, [event(b) for b in blocks_of(large)[:30]], format="json")
    auth_client.post(EVENTS, [event(b) for b in blocks_of(small)], format="json")
    clear_local_cache()
    from django.core.cache import cache

    cache.clear()
    return small, large


@pytest.mark.django_db
def test_program_tree_reads_in_a_constant_number_of_queries(auth_client, two_programs, settings):
    settings.PROGRESS_TREE_CACHE_S = 0
    small, large = two_programs
    cold = [tree_queries(auth_client, small.pk), tree_queries(auth_client, large.pk)]
    warm = [tree_queries(auth_client, small.pk), tree_queries(auth_client, large.pk)]
    # token + node with versions + structure (8, first read of a content version only) + roll-ups
    assert cold == [11, 3]
    assert warm == [3, 3]


@pytest.mark.django_db
def test_cached_tree_takes_two_queries_and_is_never_stale(auth_client, two_programs):
    small, large = two_programs
    tree_queries(auth_client, large.pk)
    assert tree_queries(auth_client, large.pk) == 2  # token + node with versions
    before = auth_client.get(f"/api/v1/progress/programs/{large.pk}/").json()
    auth_client.post(EVENTS, event(blocks_of(large)[40]), format="json")
    assert tree_queries(auth_client, large.pk) == 3
    after = auth_client.get(f"/api/v1/progress/programs/{large.pk}/").json()
    assert after["time_spent_s"] == before["time_spent_s"] + 10


@pytest.mark.django_db
def test_program_tree_nodes_carry_stable_fields_and_children(auth_client, program):
    blocks = blocks_of(program)
    auth_client.post(EVENTS, [event(b) for b in blocks[:3]], format="json")
    tree = auth_client.get(f"/api/v1/progress/programs/{program.pk}/").json()
    stable = {"id", "type", "title", "percent", "state", "time_spent_s", "locked"}
    assert stable <= set(tree) and tree["type"] == "program"
    course = tree["courses"][0]
    wod = course["wods"][0]
    page = wod["pages"][0]
    assert stable <= set(course) and stable <= set(wod) and stable <= set(page)
    # page 1 holds rich_text (completes on view), video and quiz (do not): 1 of 3.
    assert (page["percent"], page["state"], page["time_spent_s"]) == (33.33, "in_progress", 30.0)
    assert tree["courses"][1]["state"] == "not_started" and tree["courses"][1]["percent"] == 0.0
    assert tree["required_total"] == 24


@pytest.mark.django_db
def test_course_and_wod_trees(auth_client, program):
    course = program.course_links.order_by("order")[0].course
    body = auth_client.get(f"/api/v1/progress/courses/{course.pk}/").json()
    assert body["type"] == "course" and len(body["wods"]) == 2 and len(body["wods"][0]["pages"]) == 2
    wod = body["wods"][0]
    assert auth_client.get(f"/api/v1/progress/wods/{wod['id']}/").json()["pages"] == wod["pages"]


@pytest.mark.django_db
def test_next_walks_enrollments_in_order_and_skips_finished_work(user, auth_client):
    program = build_program(
        courses=1,
        wods_per_course=2,
        pages_per_wod=1,
        blocks_per_page=2,
        block_types=(BlockType.SECTION_HEADER, BlockType.RICH_TEXT),
    )
    join(user, program.community)
    assert auth_client.get("/api/v1/progress/next/").json()["wod"] is None
    auth_client.post("/api/v1/enrollments/programs/", {"program": program.pk}, format="json")
    blocks = blocks_of(program)
    first = auth_client.get("/api/v1/progress/next/").json()
    assert first["program"]["id"] == program.pk
    assert first["block"]["id"] == blocks[1].pk  # the header is not completable
    auth_client.post(EVENTS, event(blocks[1]), format="json")
    second = auth_client.get("/api/v1/progress/next/").json()
    assert second["wod"]["id"] == blocks[3].page.wod_id and second["block"]["id"] == blocks[3].pk
    only = auth_client.get("/api/v1/progress/next/", {"mission_id": blocks[3].page.wod_id}).json()
    assert only["wod"]["id"] == blocks[3].page.wod_id
    auth_client.post(EVENTS, event(blocks[3]), format="json")
    assert auth_client.get("/api/v1/progress/next/").json()["block"] is None


@pytest.mark.django_db
def test_next_skips_locked_wods(user, auth_client):
    from tests.progress.factories import PrerequisiteFactory

    program = build_program(
        courses=1, wods_per_course=2, pages_per_wod=1, blocks_per_page=1, block_types=(BlockType.RICH_TEXT,)
    )
    join(user, program.community)
    first_wod, second_wod = [link.wod for link in program.courses.get().wod_links.order_by("order")]
    PrerequisiteFactory(wod=first_wod, required_wod=second_wod, min_percent=100)
    body = client_for(user).get("/api/v1/progress/next/", {"program": program.pk}).json()
    assert body["wod"]["id"] == second_wod.pk


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


@pytest.mark.django_db
def test_list_endpoints_use_a_constant_number_of_queries(user, auth_client):
    community = CommunityFactory()
    join(user, community)
    urls = [
        "/api/v1/communities/",
        "/api/v1/programs/",
        "/api/v1/courses/",
        "/api/v1/wods/",
        "/api/v1/enrollments/programs/",
        "/api/v1/enrollments/courses/",
        "/api/v1/xapi/statements/",
    ]

    def grow(n):
        for _ in range(n):
            program = build_program(
                community=community,
                courses=1,
                wods_per_course=1,
                pages_per_wod=1,
                blocks_per_page=2,
                block_types=(BlockType.RICH_TEXT,),
            )
            auth_client.post("/api/v1/enrollments/programs/", {"program": program.pk}, format="json")
            auth_client.post(
                "/api/v1/enrollments/courses/", {"course": program.courses.get().pk}, format="json"
            )
            auth_client.post(EVENTS, [event(b) for b in blocks_of(program)], format="json")

    grow(1)
    small = [count_queries(auth_client, url) for url in urls]
    grow(3)
    large = [count_queries(auth_client, url) for url in urls]
    assert small == large
    assert max(large) <= 4  # token, count, page, and the roles for communities


@pytest.mark.django_db
def test_tree_timestamps_are_the_stored_ones_to_the_microsecond(auth_client, user, program):
    """Roll-up timestamps reach the tree as the stored values (read as text on PostgreSQL)."""
    from progress.models import NodeProgress
    from progress.selectors.progress import community_views

    blocks = blocks_of(program)
    auth_client.post(EVENTS, [event(b) for b in blocks[:4]], format="json")
    rows = NodeProgress.objects.filter(user=user, community_id=program.community_id)
    rows.filter(node_type="page").update(last_activity_at=datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
    views = community_views(user.pk, program.community_id)
    assert views and len(views) == rows.count()
    for row in rows:
        view = views[(row.node_type, row.node_id)]
        expected = [
            value.isoformat() if value else None for value in (row.completed_at, row.last_activity_at)
        ]
        assert [view.completed_at, view.last_activity_at] == expected
    tree = auth_client.get(f"/api/v1/progress/programs/{program.pk}/").json()
    page = tree["courses"][0]["wods"][0]["pages"][0]
    assert page["last_activity_at"] == "2026-03-29T01:30:00+00:00"
    assert tree["last_activity_at"] == rows.get(node_type="program").last_activity_at.isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize("microsecond", [0, 5, 100000, 123456, 999999])
def test_tree_timestamps_are_written_as_python_writes_them(auth_client, user, program, microsecond):
    """The database's text of a timestamp is exactly ``datetime.isoformat()`` in UTC, with or
    without a fraction, on either side of a daylight-saving change elsewhere."""
    from progress.models import NodeProgress
    from progress.selectors.progress import community_views

    blocks = blocks_of(program)
    auth_client.post(EVENTS, [event(b) for b in blocks[:2]], format="json")
    moments = [
        datetime(2026, 3, 29, 1, 59, 59, microsecond, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, 0, microsecond, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, microsecond, tzinfo=UTC),
    ]
    rows = list(NodeProgress.objects.filter(user=user, community_id=program.community_id))
    for row, moment in zip(rows, moments * len(rows), strict=False):
        NodeProgress.objects.filter(pk=row.pk).update(last_activity_at=moment, completed_at=moment)
    views = community_views(user.pk, program.community_id)
    for row, moment in zip(rows, moments * len(rows), strict=False):
        view = views[(row.node_type, row.node_id)]
        assert view.last_activity_at == view.completed_at == moment.isoformat()
