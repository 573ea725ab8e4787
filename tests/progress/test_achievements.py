from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from progress.models import Achievement, Block, BlockType, MembershipRole, ProgressEvent, UserAchievement
from progress.services import events_ingest
from progress.services.achievements import achievements_evaluate, affected_criterion_types
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.progress.factories import CommunityFactory, build_program
from tests.utils.progress import blocks_of, event, join, service_event

LIST = reverse("api:progress-achievements")
EVENTS = reverse("api:progress-events")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Test users get a password; hashing it cheaply keeps the module fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def badge_url(pk):
    return reverse("api:progress-achievement-badge", args=[pk])


def achievement(community, criteria, **kwargs):
    obj = Achievement(
        community=community, name=kwargs.pop("name", "Five blocks"), criteria=criteria, **kwargs
    )
    obj.full_clean()
    obj.save()
    return obj


@pytest.fixture
def gym(user):
    community = CommunityFactory(name="Gym", slug="gym")
    join(user, community)
    program = build_program(
        community=community,
        courses=1,
        wods_per_course=2,
        pages_per_wod=1,
        blocks_per_page=3,
        block_types=(BlockType.RICH_TEXT,),
    )
    return community, program, blocks_of(program)


def my_entry(client, pk):
    return next(a for a in client.get(LIST).json()["results"] if a["id"] == pk)


@pytest.mark.django_db
def test_blocks_criterion_shows_partial_progress_then_is_earned_exactly_once(user, auth_client, gym):
    community, _, blocks = gym
    five = achievement(community, {"all": [{"type": "blocks_completed", "count": 5}]}, points=50)

    for block in blocks[:3]:
        assert auth_client.post(EVENTS, event(block), format="json").status_code == 200
    entry = my_entry(auth_client, five.pk)
    assert entry["earned"] is False and entry["earned_at"] is None
    assert entry["progress"][0] | {"label": None} == {
        "type": "blocks_completed",
        "label": None,
        "current": 3,
        "target": 5,
        "met": False,
        "summary": "3 of 5",
    }
    assert entry["percent"] == 60.0
    assert auth_client.get(badge_url(five.pk)).status_code == 404

    earned = [auth_client.post(EVENTS, event(block), format="json").json()["earned"] for block in blocks[3:6]]
    # The event that completes the fifth block says so; the others earn nothing.
    assert [e["achievements"] for e in earned] == [[], [{"id": five.pk, "name": five.name, "points": 50}], []]
    entry = my_entry(auth_client, five.pk)
    assert entry["earned"] is True and entry["progress"][0]["summary"] == "5 of 5"
    award = UserAchievement.objects.get(user=user, achievement=five)
    earned_at = award.earned_at
    assert award.points == 50

    # More events (and replays) never award it again or move the earned time.
    auth_client.post(EVENTS, event(blocks[0], time_spent_s=60), format="json")
    assert UserAchievement.objects.filter(user=user, achievement=five).count() == 1
    assert UserAchievement.objects.get(pk=award.pk).earned_at == earned_at


@pytest.mark.django_db
def test_course_wod_and_scoped_criteria_count_only_inside_their_scope(user, auth_client, gym):
    community, program, blocks = gym
    course = program.courses.get()
    wods = list(course.wods.order_by("course_links__order"))
    first_wod = achievement(
        community,
        {"all": [{"type": "blocks_completed", "count": 3, "scope": {"wod": wods[0].pk}}]},
        name="WOD 1",
    )
    whole = achievement(
        community,
        {
            "all": [
                {"type": "course_completed", "count": 1, "scope": {"course": course.pk}},
                {"type": "wods_completed", "count": 2},
            ]
        },
        name="Course",
    )
    auth_client.post(EVENTS, {"events": [event(b) for b in blocks[3:6]]}, format="json")
    assert my_entry(auth_client, first_wod.pk)["progress"][0]["current"] == 0
    progress = my_entry(auth_client, whole.pk)["progress"]
    assert [p["current"] for p in progress] == [0, 1]

    auth_client.post(EVENTS, {"events": [event(b) for b in blocks[:3]]}, format="json")
    assert my_entry(auth_client, first_wod.pk)["earned"] is True
    assert my_entry(auth_client, whole.pk)["earned"] is True


@pytest.mark.django_db
def test_time_streak_and_mastery_criteria(user):
    community = CommunityFactory()
    join(user, community)
    program = build_program(
        community=community,
        courses=1,
        wods_per_course=1,
        pages_per_wod=1,
        blocks_per_page=2,
        block_types=(BlockType.QUIZ,),
    )
    quiz, other = blocks_of(program)
    both = achievement(
        community,
        {
            "all": [
                {"type": "time_spent", "count": 2},
                {"type": "mastery_count", "count": 1},
                {"type": "active_day_streak", "count": 2},
            ]
        },
    )
    now = timezone.now()
    events_ingest(user=user, events=[service_event(quiz, "answered", score=0.5, time_spent_s=90)])
    award = UserAchievement.objects.get(user=user, achievement=both)
    assert [p["current"] for p in award.progress] == [1, 0, 1]
    yesterday = service_event(other, "viewed", time_spent_s=5)
    yesterday["occurred_at"] = now - timedelta(days=1)
    events_ingest(user=user, events=[yesterday, service_event(quiz, "answered", score=0.9, time_spent_s=40)])
    award.refresh_from_db()
    assert [p["current"] for p in award.progress] == [2, 1, 2]
    assert award.earned_at is not None


@pytest.mark.django_db
def test_only_achievements_an_event_can_move_are_evaluated(user, gym):
    community, program, blocks = gym
    wods = achievement(community, {"all": [{"type": "wods_completed", "count": 1}]}, name="WOD")
    result = events_ingest(user=user, events=[service_event(blocks[0])])
    assert "wods_completed" not in affected_criterion_types(result)
    assert not UserAchievement.objects.filter(achievement=wods).exists()
    result = events_ingest(user=user, events=[service_event(b) for b in blocks[1:3]])
    assert "wods_completed" in affected_criterion_types(result)
    assert UserAchievement.objects.get(achievement=wods).earned_at is not None


@pytest.mark.django_db
def test_criteria_are_validated_by_schema_and_scope_rules(gym):
    community, _, _ = gym
    with pytest.raises(ValidationError) as bad_type:
        achievement(community, {"all": [{"type": "dance", "count": 1}]})
    assert "criteria" in bad_type.value.message_dict
    with pytest.raises(ValidationError):
        achievement(community, {"all": []})
    with pytest.raises(ValidationError) as bad_scope:
        achievement(community, {"all": [{"type": "active_day_streak", "count": 3, "scope": {"course": 1}}]})
    assert "cannot be limited" in str(bad_scope.value)
    with pytest.raises(ValidationError):
        achievement(community, {"all": [{"type": "course_completed", "count": 2, "scope": {"course": 1}}]})


@pytest.mark.django_db
def test_badge_exports_open_badges_3_credential(user, auth_client, gym, settings, tmp_path):
    from django.core.files.base import ContentFile

    from progress.demo_achievements import badge_png

    settings.MEDIA_ROOT = tmp_path
    community, program, blocks = gym
    course = program.courses.get()
    earned = achievement(
        community,
        {
            "all": [
                {"type": "blocks_completed", "count": 1, "scope": {"course": course.pk}},
                {"type": "active_day_streak", "count": 1},
            ]
        },
        name="First step",
        description="Completed a first block.",
        points=10,
    )
    earned.badge.save("first.png", ContentFile(badge_png("#417690", "F")))
    auth_client.post(EVENTS, event(blocks[0]), format="json")
    response = auth_client.get(badge_url(earned.pk))
    assert response.status_code == 200
    badge = response.json()
    award = UserAchievement.objects.get(user=user, achievement=earned)
    assert badge["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == f"urn:uuid:{award.credential_id}"
    assert badge["issuer"]["type"] == ["Profile"] and badge["issuer"]["name"] == "Gym"
    assert badge["issuer"]["id"].endswith("/communities/gym")
    assert badge["validFrom"].endswith("Z")
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    data = subject["achievement"]
    assert data["type"] == ["Achievement"]
    assert data["id"].endswith(f"/achievements/{earned.pk}")
    assert (data["name"], data["description"]) == ("First step", "Completed a first block.")
    assert data["criteria"]["narrative"] == f"Complete 1 block in {course.title}; Be active 1 day in a row."
    assert data["image"]["type"] == "Image"
    assert data["image"]["id"].startswith("http://testserver/") and data["image"]["id"].endswith(".png")
    listed = my_entry(auth_client, earned.pk)
    assert listed["badge_image"] == data["image"]["id"]
    assert [p["label"] for p in listed["progress"]] == [
        f"Complete 1 block in course {course.pk}",
        "Be active 1 day in a row",
    ]


@pytest.mark.django_db
def test_another_communitys_achievement_is_hidden_and_its_badge_a_404(user, auth_client, gym):
    other = CommunityFactory()
    stranger = UserFactory()
    join(stranger, other)
    foreign = achievement(other, {"all": [{"type": "blocks_completed", "count": 1}]}, name="Theirs")
    UserAchievement.objects.create(
        user=user, achievement=foreign, community=other, earned_at=timezone.now(), progress=[]
    )
    ids = [a["id"] for a in auth_client.get(LIST).json()["results"]]
    assert foreign.pk not in ids
    assert auth_client.get(badge_url(foreign.pk)).status_code == 404
    assert auth_client.get(badge_url(999999)).status_code == 404


@pytest.mark.django_db
def test_status_filter_and_bad_status(user, auth_client, gym):
    community, _, blocks = gym
    done = achievement(community, {"all": [{"type": "blocks_completed", "count": 1}]}, name="One")
    todo = achievement(community, {"all": [{"type": "blocks_completed", "count": 9}]}, name="Nine")
    auth_client.post(EVENTS, event(blocks[0]), format="json")
    earned = [a["id"] for a in auth_client.get(LIST, {"status": "earned"}).json()["results"]]
    in_progress = [a["id"] for a in auth_client.get(LIST, {"status": "in_progress"}).json()["results"]]
    assert earned == [done.pk] and in_progress == [todo.pk]
    assert auth_client.get(LIST, {"status": "nope"}).status_code == 400


@pytest.mark.django_db
def test_inactive_achievements_are_neither_listed_nor_awarded(user, auth_client, gym):
    community, _, blocks = gym
    hidden = achievement(community, {"all": [{"type": "blocks_completed", "count": 1}]}, is_active=False)
    auth_client.post(EVENTS, event(blocks[0]), format="json")
    assert auth_client.get(LIST).json()["count"] == 0
    assert not UserAchievement.objects.filter(achievement=hidden).exists()


@pytest.mark.django_db
def test_reevaluating_backfills_progress_for_a_new_achievement(user, gym):
    community, _, blocks = gym
    events_ingest(user=user, events=[service_event(b) for b in blocks[:2]])
    late = achievement(community, {"all": [{"type": "blocks_completed", "count": 2}]}, name="Late")
    outcomes = achievements_evaluate(user=user, community_id=community.pk)
    assert [o.newly_earned for o in outcomes] == [True]
    assert achievements_evaluate(user=user, community_id=community.pk, achievements=[late]) == []


@pytest.mark.django_db
def test_achievement_list_query_count_is_constant(django_assert_num_queries, gym):
    community, _, blocks = gym

    def make(n, offset):
        for i in range(n):
            achievement(
                community, {"all": [{"type": "blocks_completed", "count": 1 + i}]}, name=f"A{offset + i}"
            )

    learner = UserFactory()
    join(learner, community, MembershipRole.LEARNER)
    client = client_for(learner)
    make(2, 0)
    events_ingest(user=learner, events=[service_event(blocks[0])])
    # token auth, count, page, prefetch of the learner's awards
    with django_assert_num_queries(4):
        assert client.get(LIST).json()["count"] == 2
    make(6, 10)
    events_ingest(user=learner, events=[service_event(blocks[1])])
    with django_assert_num_queries(4):
        assert client.get(LIST).json()["count"] == 8
    assert ProgressEvent.objects.filter(user=learner).count() == 2


@pytest.mark.django_db
def test_demo_seed_defines_awards_and_analytics_idempotently(user, settings, tmp_path):
    from io import StringIO

    from progress import demo_achievements
    from progress.models import Certificate, CourseMilestone, LearningAnalytics, UserCourseMilestone

    settings.MEDIA_ROOT = tmp_path
    gym = CommunityFactory(name="Demo Gym", slug="demo-gym")
    join(user, gym)
    program = build_program(
        community=gym,
        courses=2,
        wods_per_course=2,
        pages_per_wod=1,
        blocks_per_page=3,
        block_types=(BlockType.RICH_TEXT, BlockType.QUIZ, BlockType.USER_SUBMISSION),
    )
    course = program.courses.order_by("program_links__order").first()
    first_course = Block.objects.filter(page__wod__courses=course).order_by("id")
    events_ingest(
        user=user,
        events=[
            service_event(b, "answered" if b.block_type != BlockType.RICH_TEXT else "viewed", score=1.0)
            for b in first_course
        ],
    )

    def counts():
        return [
            Achievement.objects.count(),
            CourseMilestone.objects.count(),
            UserAchievement.objects.count(),
            UserAchievement.objects.filter(earned_at__isnull=False).count(),
            UserCourseMilestone.objects.count(),
            Certificate.objects.count(),
            LearningAnalytics.objects.count(),
        ]

    demo_achievements.seed(stdout=StringIO())
    first = counts()
    demo_achievements.seed(stdout=StringIO())
    assert counts() == first
    assert first[0] == 8 and first[1] == 6 and first[5] == 1  # the first course is complete: one certificate
    assert Achievement.objects.filter(badge="").count() == 0
    earned = set(
        UserAchievement.objects.filter(user=user, earned_at__isnull=False).values_list(
            "achievement__name", flat=True
        )
    )
    assert {"First steps", "First WOD", "Course graduate"} <= earned


@pytest.mark.django_db
def test_admin_edits_achievements_and_milestones_with_the_criteria_widget(client, gym):
    community, _, _ = gym
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    add = client.get(reverse("admin:progress_achievement_add"))
    assert add.status_code == 200 and "blocks_completed" in add.content.decode()
    response = client.post(
        reverse("admin:progress_achievement_add"),
        {
            "community": community.pk,
            "name": "Admin made",
            "description": "",
            "achievement_type": "completion",
            "criteria": '{"all": [{"type": "blocks_completed", "count": 2, "scope": {}}]}',
            "criteria_narrative": "",
            "points": 5,
            "is_active": "on",
        },
    )
    errors = getattr(response, "context_data", {}) and response.context_data["adminform"].form.errors
    assert response.status_code == 302, errors
    made = Achievement.objects.get(name="Admin made")
    # The editor's empty optional scope means "the whole community", the same as no scope.
    assert made.criteria == {"all": [{"type": "blocks_completed", "count": 2}]}
    assert client.get(reverse("admin:progress_achievement_changelist")).status_code == 200
    assert client.get(reverse("admin:progress_coursemilestone_add")).status_code == 200
    assert client.get(reverse("admin:progress_certificate_changelist")).status_code == 200
    assert client.get(reverse("admin:progress_userachievement_changelist")).status_code == 200


@pytest.mark.django_db
def test_someone_elses_award_does_not_stop_mine(user, gym):
    community, _, blocks = gym
    two = achievement(community, {"all": [{"type": "blocks_completed", "count": 2}]}, name="Two")
    peer = UserFactory()
    join(peer, community)
    events_ingest(user=user, events=[service_event(blocks[0])])
    events_ingest(user=peer, events=[service_event(b) for b in blocks[:2]])
    assert UserAchievement.objects.get(user=peer, achievement=two).earned_at is not None
    events_ingest(user=user, events=[service_event(blocks[1])])
    mine = UserAchievement.objects.get(user=user, achievement=two)
    assert mine.earned_at is not None and mine.progress[0]["current"] == 2


def test_affected_criteria_read_logged_events_as_models_or_row_dicts():
    from decimal import Decimal

    from progress.services.ingest import IngestResult

    as_rows = IngestResult(
        user_id=1, accepted=1, events=[{"community_id": 1, "block_id": 2, "time_spent_s": Decimal(5)}]
    )
    as_rows.changed_block_ids, as_rows.block_states = [2], {2: "mastered"}
    as_rows.completed_nodes = {"wod": [3]}
    assert affected_criterion_types(as_rows) == {
        "active_day_streak",
        "time_spent",
        "blocks_completed",
        "mastery_count",
        "wods_completed",
    }
    as_models = IngestResult(
        user_id=1, accepted=1, events=[ProgressEvent(community_id=1, time_spent_s=Decimal(0))]
    )
    assert affected_criterion_types(as_models) == {"active_day_streak"}
    assert affected_criterion_types(IngestResult(user_id=1)) == set()


@pytest.mark.django_db
def test_admin_action_reevaluates_a_new_achievement_for_every_member_in_a_task_after_commit(
    client, user, gym, django_capture_on_commit_callbacks
):
    community, _, blocks = gym
    events_ingest(user=user, events=[service_event(b) for b in blocks[:2]])
    late = achievement(community, {"all": [{"type": "blocks_completed", "count": 2}]}, name="Late")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:progress_achievement_changelist"),
            {"action": "reevaluate", "_selected_action": [late.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "in the background" in response.content.decode()
    # Nothing is evaluated inside the request; the task does it once the request commits.
    assert not UserAchievement.objects.filter(user=user, achievement=late).exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert UserAchievement.objects.get(user=user, achievement=late).earned_at is not None


def award_queries(queries) -> list[str]:
    """The statements of the award rules' own reads (achievements, milestones)."""
    tables = ('FROM "progress_achievement"', 'FROM "progress_coursemilestone"')
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and any(t in q["sql"] for t in tables)]


@pytest.mark.django_db
def test_a_batch_no_award_rule_can_apply_to_skips_the_award_reads(user, gym):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from progress.models import CourseMilestone, MilestoneType, UserCourseMilestone

    community, program, blocks = gym
    achievement(community, {"all": [{"type": "blocks_completed", "count": 1}]}, is_active=False)
    other = CommunityFactory(name="Other gym", slug="other-gym")
    achievement(other, {"all": [{"type": "blocks_completed", "count": 1}]})
    with CaptureQueriesContext(connection) as queries:
        result = events_ingest(user=user, events=[service_event(blocks[0])])
    assert result.accepted == 1 and result.achievement_communities == set()
    assert award_queries(queries) == []

    # A milestone on another block: still nothing to read; on this batch's block: reached.
    course = program.courses.get()
    CourseMilestone.objects.create(
        course=course, title="Project", milestone_type=MilestoneType.PROJECT, block=blocks[2]
    )
    with CaptureQueriesContext(connection) as queries:
        events_ingest(user=user, events=[service_event(blocks[1])])
    assert award_queries(queries) == []
    with CaptureQueriesContext(connection) as queries:
        result = events_ingest(user=user, events=[service_event(blocks[2])])
    assert result.milestone_blocks == {blocks[2].pk}
    assert len(award_queries(queries)) == 1
    assert UserCourseMilestone.objects.filter(user=user, milestone__block=blocks[2]).exists()

    # An active achievement in the community: the next batch evaluates and earns it.
    earned = achievement(community, {"all": [{"type": "blocks_completed", "count": 4}]}, name="Four")
    result = events_ingest(user=user, events=[service_event(blocks[3])])
    assert result.achievement_communities == {community.pk}
    assert [o.achievement for o in result.awards.earned] == [earned]
