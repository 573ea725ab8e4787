"""A learner of one community gets a 404 on every object of another."""

import pytest

from progress.models import BlockProgress, CourseWod, MembershipRole, ProgressEvent
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.progress.factories import CommunityFactory, build_program
from tests.utils.progress import blocks_of, event, join


@pytest.fixture
def two_communities(db):
    gym, other = CommunityFactory(name="Demo Gym"), CommunityFactory(name="Other")
    learner, learner2 = UserFactory(), UserFactory()
    join(learner, gym)
    join(learner2, other)
    program = build_program(community=gym, courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=1)
    build_program(community=other, courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=1)
    return program, learner, learner2


@pytest.mark.django_db
def test_every_object_of_another_community_is_a_404(two_communities):
    program, learner, learner2 = two_communities
    course = program.courses.get()
    wod = course.wods.get()
    client = client_for(learner2)
    urls = [
        f"/api/v1/communities/{program.community_id}/",
        f"/api/v1/programs/{program.pk}/",
        f"/api/v1/courses/{course.pk}/",
        f"/api/v1/wods/{wod.pk}/",
        f"/api/v1/progress/programs/{program.pk}/",
        f"/api/v1/progress/courses/{course.pk}/",
        f"/api/v1/progress/wods/{wod.pk}/",
        f"/api/v1/progress/next/?program={program.pk}",
        f"/api/v1/progress/next/?course={course.pk}",
        f"/api/v1/progress/next/?mission_id={wod.pk}",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client_for(learner).get(url).status_code == 200, url
    assert (
        client.post("/api/v1/enrollments/programs/", {"program": program.pk}, format="json").status_code
        == 404
    )
    assert (
        client.post("/api/v1/enrollments/courses/", {"course": course.pk}, format="json").status_code == 404
    )


@pytest.mark.django_db
def test_lists_never_show_another_communitys_content(two_communities):
    program, learner, learner2 = two_communities
    client = client_for(learner2)
    for path in ("communities", "programs", "courses", "wods"):
        ids = [row["id"] for row in client.get(f"/api/v1/{path}/").json()["results"]]
        assert len(ids) == 1, path
    assert program.pk not in [row["id"] for row in client.get("/api/v1/programs/").json()["results"]]


@pytest.mark.django_db
def test_events_for_another_communitys_block_are_refused(two_communities):
    program, learner, learner2 = two_communities
    block = blocks_of(program)[0]
    response = client_for(learner2).post("/api/v1/progress/events/", event(block), format="json")
    assert response.status_code == 400
    assert not BlockProgress.objects.exists()


@pytest.mark.django_db
def test_a_learner_sees_only_their_own_progress_and_statements(two_communities):
    program, learner, learner2 = two_communities
    peer = UserFactory()
    join(peer, program.community)
    block = blocks_of(program)[0]
    client_for(peer).post("/api/v1/progress/events/", event(block), format="json")
    tree = client_for(learner).get(f"/api/v1/progress/programs/{program.pk}/").json()
    assert tree["percent"] == 0.0 and tree["state"] == "not_started"
    assert client_for(learner).get("/api/v1/xapi/statements/").json()["statements"] == []
    instructor = UserFactory()
    join(instructor, program.community, MembershipRole.INSTRUCTOR)
    assert len(client_for(instructor).get("/api/v1/xapi/statements/").json()["statements"]) == 1
    assert client_for(learner2).get("/api/v1/xapi/statements/").json()["statements"] == []
    assert ProgressEvent.objects.count() == 1


@pytest.mark.django_db
def test_leaving_a_community_hides_its_content(two_communities):
    program, learner, learner2 = two_communities
    learner.memberships.all().delete()
    assert client_for(learner).get(f"/api/v1/progress/programs/{program.pk}/").status_code == 404
    assert CourseWod.objects.exists()
