import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from progress.models import (
    BlockType,
    Certificate,
    CourseEnrollment,
    CourseMilestone,
    MilestoneType,
    UserCourseMilestone,
)
from progress.services import course_enroll, events_ingest
from progress.services.certificates import certificate_issue
from tests.progress.factories import CommunityFactory, build_program
from tests.utils.progress import blocks_of, event, join, service_event

EVENTS = reverse("api:progress-events")
MILESTONES = reverse("api:progress-milestones")
MINE = reverse("api:progress-certificates")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Test users get a password; hashing it cheaply keeps the module fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def verify_url(verification_id):
    return reverse("api:progress-certificate-verify", args=[verification_id])


@pytest.fixture
def course_setup(user):
    community = CommunityFactory(name="Demo Gym", slug="demo-gym-test")
    join(user, community)
    program = build_program(
        community=community,
        courses=1,
        wods_per_course=2,
        pages_per_wod=1,
        blocks_per_page=2,
        block_types=(BlockType.RICH_TEXT, BlockType.QUIZ),
    )
    course = program.courses.get()
    course.certification_available = True
    course.save()
    return community, course, blocks_of(program)


def finish(client, blocks, score=0.9):
    payload = []
    for block in blocks:
        if block.block_type == BlockType.QUIZ:
            payload.append(event(block, "answered", score=score))
        else:
            payload.append(event(block))
    response = client.post(EVENTS, {"events": payload}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_completing_a_course_issues_one_certificate_verifiable_without_login(
    user, auth_client, api_client, course_setup
):
    _, course, blocks = course_setup
    enrollment, _ = course_enroll(user=user, course=course)
    assert finish(auth_client, blocks[:2])["earned"]["certificates"] == []
    assert not Certificate.objects.exists()
    earned = finish(auth_client, blocks[2:])["earned"]
    certificate = Certificate.objects.get()
    assert earned["certificates"] == [
        {
            "verification_id": str(certificate.verification_id),
            "course": course.pk,
            "course_title": course.title,
        }
    ]
    assert (certificate.user, certificate.course, certificate.course_title) == (user, course, course.title)
    enrollment.refresh_from_db()
    assert enrollment.certificate_issued_at == certificate.issued_at

    # More events, a second issue attempt: still one certificate.
    finish(auth_client, blocks[:1])
    again, created = certificate_issue(user=user, course=course)
    assert (again.pk, created) == (certificate.pk, False)
    assert Certificate.objects.count() == 1

    response = api_client.get(verify_url(certificate.verification_id))
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["verification_id"] == str(certificate.verification_id)
    assert body["learner_name"] == "Certificate holder" and body["course_title"] == course.title
    assert user.username not in response.content.decode()
    assert body["community_name"] == "Demo Gym"
    mine = auth_client.get(MINE).json()
    assert [c["verification_id"] for c in mine["results"]] == [str(certificate.verification_id)]


@pytest.mark.django_db
def test_verification_page_prints_as_html_with_the_learners_name_never_the_username(
    user, api_client, course_setup
):
    _, course, blocks = course_setup
    user.first_name, user.last_name = "Ada", "Lovelace"
    user.save(update_fields=["first_name", "last_name"])
    events_ingest(user=user, events=[service_event(b, "answered", score=1.0) for b in blocks])
    certificate = Certificate.objects.get()
    page = api_client.get(verify_url(certificate.verification_id), {"format": "html"})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert course.title in html and "Ada Lovelace" in html and str(certificate.verification_id) in html
    assert user.username not in html
    by_accept = api_client.get(verify_url(certificate.verification_id), HTTP_ACCEPT="text/html")
    assert by_accept["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_unknown_verification_id_is_a_404(api_client):
    assert api_client.get(verify_url(uuid.uuid4())).status_code == 404
    assert api_client.get("/api/v1/certificates/not-a-uuid/").status_code == 404


@pytest.mark.django_db
def test_listing_my_certificates_needs_login(api_client):
    assert api_client.get(MINE).status_code == 401


@pytest.mark.django_db
def test_required_milestone_holds_back_the_certificate_until_reached(user, auth_client, course_setup):
    _, course, blocks = course_setup
    quiz = next(b for b in blocks if b.block_type == BlockType.QUIZ)
    wod = course.wods.order_by("course_links__order").first()
    wod_done = CourseMilestone.objects.create(
        course=course,
        title="First WOD",
        milestone_type=MilestoneType.WOD_COMPLETION,
        wod=wod,
        points_awarded=5,
    )
    exam = CourseMilestone(
        course=course,
        title="Exam",
        milestone_type=MilestoneType.ASSESSMENT,
        block=quiz,
        min_score=0.8,
        points_awarded=20,
    )
    exam.full_clean()
    exam.save()
    finish(auth_client, blocks, score=0.5)
    assert UserCourseMilestone.objects.filter(user=user).get().milestone == wod_done
    assert not Certificate.objects.exists()
    with pytest.raises(ValidationError):
        certificate_issue(user=user, course=course)

    finish(auth_client, [quiz], score=0.85)
    reached = UserCourseMilestone.objects.get(user=user, milestone=exam)
    assert reached.score == 0.85 and reached.points == 20
    certificate = Certificate.objects.get()
    assert certificate.points == 25

    listed = auth_client.get(MILESTONES, {"course": course.pk}).json()["results"]
    assert [(m["title"], m["reached"], m["points"]) for m in listed] == [
        ("First WOD", True, 5),
        ("Exam", True, 20),
    ]


@pytest.mark.django_db
def test_milestone_validation_rejects_wrong_block_type_and_foreign_wod(course_setup):
    _, course, blocks = course_setup
    text = next(b for b in blocks if b.block_type == BlockType.RICH_TEXT)
    with pytest.raises(ValidationError) as wrong:
        CourseMilestone(
            course=course, title="x", milestone_type=MilestoneType.ASSESSMENT, block=text
        ).full_clean()
    assert "block" in wrong.value.message_dict
    foreign = build_program(community=course.community, courses=1, wods_per_course=1).courses.get().wods.get()
    with pytest.raises(ValidationError):
        CourseMilestone(
            course=course, title="x", milestone_type=MilestoneType.WOD_COMPLETION, wod=foreign
        ).full_clean()


@pytest.mark.django_db
def test_course_without_certificate_issues_none(user, course_setup):
    _, course, blocks = course_setup
    course.certification_available = False
    course.save()
    events_ingest(user=user, events=[service_event(b, "answered", score=1.0) for b in blocks])
    assert not Certificate.objects.exists()
    assert CourseEnrollment.objects.filter(certificate_issued_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_milestones_of_another_community_are_not_listed(user, auth_client, course_setup):
    other = build_program(community=CommunityFactory(), courses=1, wods_per_course=1).courses.get()
    CourseMilestone.objects.create(
        course=other, title="Theirs", milestone_type=MilestoneType.WOD_COMPLETION, wod=other.wods.get()
    )
    assert auth_client.get(MILESTONES).json()["count"] == 0
    assert auth_client.get(MILESTONES, {"course": "abc"}).status_code == 400
