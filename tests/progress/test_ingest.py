"""Block completion rules, roll-ups by delta, idempotency, bad input and locks (service and API)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from progress.models import (
    BlockProgress,
    BlockState,
    BlockType,
    CourseEnrollment,
    EnrollmentStatus,
    LearnerState,
    NodeProgress,
    NodeType,
    ProgramEnrollment,
    ProgressEvent,
)
from progress.services import events_ingest, program_enroll, register_ingest_hook
from progress.services.hooks import INGEST_HOOKS
from tests.progress.factories import (
    BlockFactory,
    CommunityFactory,
    CourseFactory,
    CourseWodFactory,
    PageFactory,
    PrerequisiteFactory,
    WodFactory,
    build_program,
)
from tests.utils.progress import blocks_of, event, join, service_event

EVENTS = "/api/v1/progress/events/"


def row(user, node_type, node_id):
    return NodeProgress.objects.get(user=user, node_type=node_type, node_id=node_id)


@pytest.fixture
def wod(user):
    community = CommunityFactory()
    join(user, community)
    return WodFactory(community=community)


def one_block(wod, block_type, **kwargs):
    page = PageFactory(wod=wod)
    return BlockFactory(page=page, block_type=block_type, **kwargs)


def ingest(user, *events):
    return events_ingest(user=user, events=list(events))


@pytest.mark.django_db
def test_video_completes_only_at_the_watched_share(user, wod):
    video = one_block(wod, BlockType.VIDEO)
    ingest(user, service_event(video, "progressed", progress=0.5))
    assert BlockProgress.objects.get(user=user, block=video).state == BlockState.IN_PROGRESS
    assert row(user, NodeType.WOD, wod.pk).percent == 0
    ingest(user, service_event(video, "progressed", progress=0.95))
    assert BlockProgress.objects.get(user=user, block=video).state == BlockState.COMPLETED
    assert row(user, NodeType.WOD, wod.pk).state == BlockState.COMPLETED


@pytest.mark.django_db
def test_video_threshold_set_on_the_block_wins_over_the_default(user, wod):
    video = one_block(wod, BlockType.VIDEO, completion_threshold=0.5)
    ingest(user, service_event(video, "progressed", progress=0.6))
    assert BlockProgress.objects.get(user=user, block=video).state == BlockState.COMPLETED


@pytest.mark.django_db
def test_quiz_completes_on_submission_and_is_mastered_at_the_threshold_with_retries(user, wod):
    quiz = one_block(wod, BlockType.QUIZ)
    ingest(user, service_event(quiz, "viewed"))
    assert BlockProgress.objects.get(user=user, block=quiz).state == BlockState.IN_PROGRESS
    ingest(user, service_event(quiz, "answered", score=0.5))
    bp = BlockProgress.objects.get(user=user, block=quiz)
    assert (bp.state, bp.mastery_score, bp.retry_count) == (BlockState.COMPLETED, 0.5, 0)
    assert row(user, NodeType.WOD, wod.pk).state == BlockState.COMPLETED
    result = ingest(user, service_event(quiz, "answered", score=0.9))
    bp.refresh_from_db()
    assert (bp.state, bp.mastery_score, bp.retry_count) == (BlockState.MASTERED, 0.9, 1)
    assert row(user, NodeType.WOD, wod.pk).state == BlockState.MASTERED
    assert result.mastered_nodes[NodeType.WOD] == [wod.pk]
    ingest(user, service_event(quiz, "answered", score=0.2))
    bp.refresh_from_db()
    assert (bp.state, bp.mastery_score, bp.last_score) == (BlockState.MASTERED, 0.9, 0.2)


@pytest.mark.django_db
def test_submission_completes_only_when_submitted(user, wod):
    submission = one_block(wod, BlockType.USER_SUBMISSION)
    ingest(user, service_event(submission, "viewed"), service_event(submission, "completed"))
    assert BlockProgress.objects.get(user=user, block=submission).state == BlockState.IN_PROGRESS
    ingest(user, service_event(submission, "submitted", interaction_data={"url": "https://x.example/t"}))
    bp = BlockProgress.objects.get(user=user, block=submission)
    assert bp.state == BlockState.COMPLETED and bp.interaction_data == {"url": "https://x.example/t"}


@pytest.mark.django_db
def test_structural_blocks_are_not_counted_and_an_empty_container_is_complete(user, wod):
    page = PageFactory(wod=wod)
    BlockFactory(page=page, block_type=BlockType.DIVIDER)
    header = BlockFactory(page=page, block_type=BlockType.SECTION_HEADER)
    result = ingest(user, service_event(header, "viewed"))
    page_row = row(user, NodeType.PAGE, page.pk)
    assert (page_row.required_total, page_row.percent, page_row.state) == (0, 100.0, BlockState.COMPLETED)
    assert result.completed_nodes == {}  # it was complete before the event already


@pytest.mark.django_db
def test_optional_blocks_never_block_completion_and_count_apart(user, wod):
    page = PageFactory(wod=wod)
    text = BlockFactory(page=page, block_type=BlockType.RICH_TEXT)
    extra = BlockFactory(page=page, block_type=BlockType.DOCUMENT, required=False)
    result = ingest(user, service_event(text, "viewed"))
    assert result.completed_nodes[NodeType.PAGE] == [page.pk]
    ingest(user, service_event(extra, "viewed"))
    page_row = row(user, NodeType.PAGE, page.pk)
    assert (page_row.required_total, page_row.required_done, page_row.optional_done) == (1, 1, 1)


@pytest.mark.django_db
def test_block_change_updates_every_ancestor_and_the_enrollments(user):
    program = build_program(
        courses=2, wods_per_course=1, pages_per_wod=1, blocks_per_page=2, block_types=(BlockType.RICH_TEXT,)
    )
    join(user, program.community)
    enrollment, _ = program_enroll(user=user, program=program)
    first_course = program.course_links.order_by("order")[0].course
    second_course = program.course_links.order_by("order")[1].course
    assert enrollment.current_course_id == first_course.pk
    blocks = blocks_of(program)
    result = ingest(user, *[service_event(b) for b in blocks[:2]])
    wod = first_course.wods.get()
    assert result.completed_nodes == {
        NodeType.PAGE: [wod.pages.get().pk],
        NodeType.WOD: [wod.pk],
        NodeType.COURSE: [first_course.pk],
    }
    assert row(user, NodeType.PROGRAM, program.pk).percent == 50.0
    assert row(user, NodeType.COURSE, first_course.pk).time_spent_s == 20
    enrollment.refresh_from_db()
    assert (enrollment.completion_percent, enrollment.current_course_id) == (50.0, second_course.pk)
    ingest(user, *[service_event(b) for b in blocks[2:]])
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED and enrollment.completed_at is not None
    assert LearnerState.objects.get(user=user).events_count == 4


@pytest.mark.django_db
def test_events_are_logged_with_the_enrollment_as_registration(user, auth_client):
    program = build_program(
        courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=1, block_types=(BlockType.QUIZ,)
    )
    join(user, program.community)
    course = program.courses.get()
    auth_client.post("/api/v1/enrollments/courses/", {"course": course.pk}, format="json")
    block = blocks_of(program)[0]
    auth_client.post(EVENTS, event(block, "answered", score=0.95, time_spent_s=12.5), format="json")
    logged = ProgressEvent.objects.get(user=user)
    assert logged.registration == CourseEnrollment.objects.get(user=user).registration
    assert (logged.verb, logged.score, logged.success, logged.completion) == ("answered", 0.95, True, True)
    assert logged.context == {
        "page": block.page_id,
        "wod": block.page.wod_id,
        "courses": [course.pk],
        "programs": [program.pk],
    }


@pytest.mark.django_db
def test_replayed_idempotency_keys_are_no_ops(user, auth_client, wod):
    block = one_block(wod, BlockType.RICH_TEXT)
    payload = event(block, "viewed", time_spent_s=30)
    first = auth_client.post(EVENTS, payload, format="json").json()
    again = auth_client.post(EVENTS, {"events": [payload, payload]}, format="json").json()
    assert (first["accepted"], first["replayed"]) == (1, 0)
    assert (again["accepted"], again["replayed"]) == (0, 2)
    assert again["results"][0] == {
        "idempotency_key": payload["idempotency_key"],
        "block": block.pk,
        "state": "completed",
        "replayed": True,
    }
    assert ProgressEvent.objects.filter(user=user).count() == 1
    assert BlockProgress.objects.get(user=user).time_spent_s == 30
    assert row(user, NodeType.WOD, wod.pk).time_spent_s == 30


@pytest.mark.django_db
def test_a_key_repeated_inside_one_batch_counts_once(user, auth_client, wod):
    block = one_block(wod, BlockType.RICH_TEXT)
    payload = event(block)
    body = auth_client.post(EVENTS, [payload, payload], format="json").json()
    assert (body["accepted"], body["replayed"]) == (1, 1)
    assert BlockProgress.objects.get(user=user).interaction_count == 1


@pytest.mark.django_db
def test_mission_id_is_accepted_as_the_wod_id_and_checked(auth_client, wod):
    block = one_block(wod, BlockType.RICH_TEXT)
    assert auth_client.post(EVENTS, event(block, mission_id=wod.pk), format="json").status_code == 200
    wrong = auth_client.post(EVENTS, event(block, mission_id=wod.pk + 1000), format="json")
    assert wrong.status_code == 400 and "wod_id" in wrong.json()
    mixed = auth_client.post(EVENTS, event(block, mission_id=wod.pk, wod_id=wod.pk + 1), format="json")
    assert mixed.status_code == 400 and "mission_id" in mixed.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field",
    [
        ({"time_spent_s": -1}, "time_spent_s"),
        ({"score": 1.5}, "score"),
        ({"event": "liked"}, "event"),
        ({"progress": -0.1}, "progress"),
        ({"difficulty_rating": 6}, "difficulty_rating"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
    ],
)
def test_bad_event_fields_are_a_400_naming_the_field(auth_client, wod, change, field):
    block = one_block(wod, BlockType.RICH_TEXT)
    response = auth_client.post(EVENTS, {**event(block), **change}, format="json")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.django_db
def test_events_in_the_future_are_refused(auth_client, wod):
    block = one_block(wod, BlockType.RICH_TEXT)
    later = (timezone.now() + timedelta(hours=2)).isoformat()
    response = auth_client.post(EVENTS, event(block, occurred_at=later), format="json")
    assert response.status_code == 400 and "occurred_at" in response.json()


@pytest.mark.django_db
def test_unknown_unpublished_and_foreign_blocks_are_a_400_and_nothing_is_written(user, auth_client, wod):
    mine = one_block(wod, BlockType.RICH_TEXT)
    hidden = one_block(wod, BlockType.RICH_TEXT, is_published=False)
    foreign = BlockFactory()  # another community
    for bad in (999_999, hidden.pk, foreign.pk):
        response = auth_client.post(EVENTS, [event(mine), event(bad)], format="json")
        assert response.status_code == 400
        assert response.json() == {"block": [f"Unknown block {bad}."]}
    assert not ProgressEvent.objects.exists() and not BlockProgress.objects.exists()


@pytest.mark.django_db
def test_a_refused_batch_under_an_idempotency_key_writes_nothing_and_its_corrected_retry_runs(
    user, auth_client, wod
):
    """Under an Idempotency-Key the batch has no savepoint of its own: the request's transaction
    rolls back whole and the key is free again."""
    mine = one_block(wod, BlockType.RICH_TEXT)
    good = event(mine)
    response = auth_client.post(EVENTS, [good, event(999_999)], format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert response.status_code == 400 and response.json() == {"block": ["Unknown block 999999."]}
    assert not ProgressEvent.objects.exists() and not BlockProgress.objects.exists()
    assert LearnerState.objects.filter(user=user, events_count=0).count() <= 1
    response = auth_client.post(EVENTS, [good], format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert response.status_code == 200 and response.json()["accepted"] == 1
    replay = auth_client.post(EVENTS, [good], format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == response.json()
    assert ProgressEvent.objects.count() == 1 and LearnerState.objects.get(user=user).events_count == 1


@pytest.mark.django_db
def test_a_batch_over_500_events_is_refused(auth_client, wod, settings):
    block = one_block(wod, BlockType.RICH_TEXT)
    response = auth_client.post(EVENTS, {"events": [event(block) for _ in range(501)]}, format="json")
    assert response.status_code == 400 and "events" in response.json()
    empty = auth_client.post(EVENTS, {"events": []}, format="json")
    assert empty.status_code == 400


@pytest.mark.django_db
def test_an_event_in_a_locked_wod_is_a_409_listing_the_unmet_rules(user, auth_client):
    community = CommunityFactory()
    join(user, community)
    first, second = WodFactory(community=community), WodFactory(community=community, title="Second")
    gate = BlockFactory(page=PageFactory(wod=first), block_type=BlockType.RICH_TEXT)
    target = BlockFactory(page=PageFactory(wod=second), block_type=BlockType.RICH_TEXT)
    PrerequisiteFactory(wod=second, required_wod=first, min_percent=100)
    response = auth_client.post(EVENTS, event(target), format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "locked" and body["locked"] == {
        "node_type": "wod",
        "node_id": second.pk,
        "title": "Second",
    }
    assert body["unmet"] == [
        {
            "node_type": "wod",
            "node_id": first.pk,
            "title": first.title,
            "min_percent": 100,
            "require_mastered": False,
            "percent": 0.0,
            "state": "not_started",
        }
    ]
    assert not BlockProgress.objects.exists()
    assert auth_client.post(EVENTS, event(gate), format="json").status_code == 200
    assert auth_client.post(EVENTS, event(target), format="json").status_code == 200


@pytest.mark.django_db
def test_mastery_rule_needs_the_quiz_mastered_and_any_mode_needs_one_rule(user, auth_client):
    community = CommunityFactory()
    join(user, community)
    quiz_wod, other, target = (WodFactory(community=community) for _ in range(3))
    quiz = BlockFactory(page=PageFactory(wod=quiz_wod), block_type=BlockType.QUIZ)
    block = BlockFactory(page=PageFactory(wod=target), block_type=BlockType.RICH_TEXT)
    BlockFactory(page=PageFactory(wod=other), block_type=BlockType.RICH_TEXT)
    target.prerequisite_mode = "any"
    target.save()
    PrerequisiteFactory(wod=target, required_wod=quiz_wod, require_mastered=True)
    PrerequisiteFactory(wod=target, required_wod=other, min_percent=100)
    auth_client.post(EVENTS, event(quiz, "answered", score=0.5), format="json")
    locked = auth_client.post(EVENTS, event(block), format="json")
    assert locked.status_code == 409 and len(locked.json()["unmet"]) == 2
    auth_client.post(EVENTS, event(quiz, "answered", score=0.85), format="json")
    assert auth_client.post(EVENTS, event(block), format="json").status_code == 200


@pytest.mark.django_db
def test_a_locked_course_refuses_enrollment_and_events_in_its_wods(user, auth_client):
    community = CommunityFactory()
    join(user, community)
    intro = CourseWodFactory(course=CourseFactory(community=community)).course
    advanced_link = CourseWodFactory(course=CourseFactory(community=community))
    block = BlockFactory(page=PageFactory(wod=advanced_link.wod), block_type=BlockType.RICH_TEXT)
    PrerequisiteFactory(course=advanced_link.course, required_course=intro, min_percent=50)
    intro_block = BlockFactory(page=PageFactory(wod=intro.wods.get()), block_type=BlockType.RICH_TEXT)
    enroll = auth_client.post(
        "/api/v1/enrollments/courses/", {"course": advanced_link.course_id}, format="json"
    )
    assert enroll.status_code == 409 and enroll.json()["unmet"][0]["node_id"] == intro.pk
    assert auth_client.post(EVENTS, event(block), format="json").status_code == 409
    auth_client.post(EVENTS, event(intro_block), format="json")
    assert auth_client.post(EVENTS, event(block), format="json").status_code == 200
    enroll = auth_client.post(
        "/api/v1/enrollments/courses/", {"course": advanced_link.course_id}, format="json"
    )
    assert enroll.status_code == 201


@pytest.mark.django_db
def test_ingest_hooks_see_what_changed_inside_the_transaction(user, wod):
    block = one_block(wod, BlockType.RICH_TEXT)
    seen = []

    def hook(*, user, result):
        seen.append((user.pk, result.changed_block_ids, result.completed_nodes.get(NodeType.WOD)))

    register_ingest_hook(hook)
    try:
        ingest(user, service_event(block))
    finally:
        INGEST_HOOKS.remove(hook)
    assert seen == [(user.pk, [block.pk], [wod.pk])]


@pytest.mark.django_db
def test_program_enrollment_twice_returns_the_existing_one(user, auth_client):
    program = build_program(courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=1)
    join(user, program.community)
    first = auth_client.post("/api/v1/enrollments/programs/", {"program": program.pk}, format="json")
    second = auth_client.post("/api/v1/enrollments/programs/", {"program": program.pk}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert ProgramEnrollment.objects.filter(user=user).count() == 1
    assert auth_client.get("/api/v1/enrollments/programs/").json()["count"] == 1


@pytest.mark.django_db
def test_batch_errors_are_listed_per_event_and_nothing_is_written(auth_client, wod):
    block = one_block(wod, BlockType.RICH_TEXT)
    response = auth_client.post(
        EVENTS, {"events": [event(block), {**event(block), "block": "x"}, "nope"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "events": [
            {},
            {"block": ["A valid integer is required."]},
            {"non_field_errors": ["Expected an object."]},
        ]
    }
    assert auth_client.post(EVENTS, {"events": "nope"}, format="json").status_code == 400
    missing = auth_client.post(EVENTS, {"block": block.pk}, format="json")
    assert missing.status_code == 400 and {"event", "occurred_at", "idempotency_key"} <= set(missing.json())
    assert not ProgressEvent.objects.exists()


@pytest.mark.django_db
def test_a_batch_under_an_idempotency_key_takes_a_pinned_number_of_queries(
    user, auth_client, django_assert_num_queries
):
    program = build_program(courses=2, wods_per_course=2, pages_per_wod=2, blocks_per_page=5)
    join(user, program.community)
    program_enroll(user=user, program=program)
    blocks = blocks_of(program)
    auth_client.post(EVENTS, [event(blocks[0])], format="json")  # the learner's row, the caches
    batch = [event(b, "completed") for b in blocks[1:]]
    # token; the key's claim (in a savepoint here, the test's transaction: 3); the request's
    # transaction (a savepoint here: 2); learner lock; stored keys; blocks with their states;
    # roll-ups; enrollments; the enrollment update; the one write (roll-ups, block states, log,
    # learner); the stored answer
    with django_assert_num_queries(14):
        response = auth_client.post(EVENTS, batch, format="json", HTTP_IDEMPOTENCY_KEY="pinned")
    assert response.status_code == 200 and response.json()["accepted"] == len(batch)
