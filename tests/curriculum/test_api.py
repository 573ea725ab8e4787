import pytest
from django.urls import Resolver404, resolve, reverse

from curriculum import services
from curriculum.models import Alternative, Curriculum, OutcomeEvent
from tests.conftest import client_for

from .factories import DOG_TRAITS, AlternativeFactory, make_curriculum

pytestmark = pytest.mark.django_db
STATUS = "/api/v1/coach/status"


def alternatives_url(enrollment_id, order):
    return f"/api/v1/enrollments/{enrollment_id}/steps/{order}/alternatives/"


def status_body(enrollment, /, **overrides):
    return {"enrollment": enrollment.pk, "step": 1, "plan_id": "A", "outcome": "SUCCESS", **overrides}


def test_curricula_lists_only_published_ones(auth_client, curriculum):
    make_curriculum(steps=1, plans="A", status=Curriculum.Status.DRAFT)
    response = auth_client.get("/api/v1/curricula/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "slug": curriculum.slug,
        "title": curriculum.title,
        "description": "",
        "learner_noun": "dogs",
        "published_at": None,
        "step_count": 3,
    }


def test_curriculum_detail_has_steps_alternatives_and_trait_schema(auth_client, curriculum):
    response = auth_client.get(f"/api/v1/curricula/{curriculum.slug}/")
    assert response.status_code == 200
    body = response.json()
    assert body["trait_schema"]["properties"]["energy_level"]["enum"] == ["low", "medium", "high"]
    assert [s["order"] for s in body["steps"]] == [1, 2, 3]
    plans = body["steps"][0]["alternatives"]
    assert [p["plan_id"] for p in plans] == ["A", "B", "C", "D"]
    assert set(plans[0]) == {
        "plan_id",
        "order",
        "title",
        "summary",
        "content",
        "match_rules",
        "designer_expected_success",
    }


def test_a_draft_curriculum_is_a_404_for_learners(auth_client):
    draft = make_curriculum(steps=1, plans="A", status=Curriculum.Status.DRAFT)
    assert auth_client.get(f"/api/v1/curricula/{draft.slug}/").status_code == 404
    assert (
        auth_client.post(f"/api/v1/curricula/{draft.slug}/enroll/", {"traits": {}}, format="json").status_code
        == 404
    )


def test_adding_plan_e_to_a_published_curriculum_shows_at_once(auth_client, curriculum):
    AlternativeFactory(step=curriculum.steps.get(order=1), order=5, code="E")
    body = auth_client.get(f"/api/v1/curricula/{curriculum.slug}/").json()
    assert [p["plan_id"] for p in body["steps"][0]["alternatives"]] == ["A", "B", "C", "D", "E"]


def test_enroll_creates_then_returns_the_active_enrollment(auth_client, curriculum):
    url = f"/api/v1/curricula/{curriculum.slug}/enroll/"
    first = auth_client.post(url, {"traits": {"energy_level": "high"}}, format="json")
    second = auth_client.post(url, {"traits": {"energy_level": "low"}}, format="json")
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    body = first.json()
    assert (
        body["current_step"] == 1
        and body["current_plan_id"] == "A"
        and body["segment"] == "energy_level=high"
    )
    assert body["steps"][0]["state"] == "in_progress"
    assert body["steps"][1] == {
        "order": 2,
        "title": "Step 2",
        "state": "not_started",
        "plan_id": None,
        "metadata": {},
        "started_at": None,
        "completed_at": None,
    }


@pytest.mark.parametrize(
    "traits",
    [{"energy_level": "hyper"}, {"food_motivation": "low"}, {"energy_level": "low", "colour": "red"}, "high"],
)
def test_traits_that_break_the_schema_are_a_400(auth_client, curriculum, traits):
    response = auth_client.post(
        f"/api/v1/curricula/{curriculum.slug}/enroll/", {"traits": traits}, format="json"
    )
    assert response.status_code == 400
    assert "traits" in response.json()


def test_enrollment_detail_shows_the_state_per_step(auth_client, enrollment, record):
    record(enrollment, 1, "A", "SWAPPED", next_plan_id="C", reason="ineffective")
    body = auth_client.get(f"/api/v1/enrollments/{enrollment.pk}/").json()
    assert body["current_step"] == 1
    assert body["current_plan_id"] == "C"
    assert body["steps"][0]["metadata"] == {"selected_alternative_id": "C", "reason": "ineffective"}


def test_another_users_enrollment_is_a_404_everywhere(other_client, enrollment):
    assert other_client.get(f"/api/v1/enrollments/{enrollment.pk}/").status_code == 404
    assert other_client.get(alternatives_url(enrollment.pk, 1)).status_code == 404
    assert other_client.get(f"/api/v1/enrollments/{enrollment.pk}/history/").status_code == 404
    response = other_client.post(STATUS, status_body(enrollment), format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not OutcomeEvent.objects.exists()


def test_my_enrollments_lists_only_mine(auth_client, other_client, enrollment):
    assert [e["id"] for e in auth_client.get("/api/v1/curricula/enrollments/").json()["results"]] == [
        enrollment.pk
    ]
    assert other_client.get("/api/v1/curricula/enrollments/").json()["count"] == 0


def test_alternatives_are_ranked_with_evidence_and_reasons(auth_client, enrollment):
    response = auth_client.get(alternatives_url(enrollment.pk, 1))
    assert response.status_code == 200
    body = response.json()
    assert body["step"] == 1 and body["segment"] == "energy_level=high" and body["current_plan_id"] == "A"
    first = body["alternatives"][0]
    assert first["plan_id"] == "A" and first["is_current"]
    assert not first["recommended"], "the plan the learner is on is never the one to switch to"
    assert body["switch_to"]["plan_id"] == body["alternatives"][1]["plan_id"] == "B"
    assert body["alternatives"][1]["recommended"]
    assert set(first) >= {
        "expected_success",
        "successes",
        "attempts",
        "reason",
        "excluded",
        "tried_without_success",
    }
    assert auth_client.get(alternatives_url(enrollment.pk, 9)).status_code == 404


def test_alternatives_endpoint_uses_a_constant_number_of_queries(
    auth_client, django_assert_num_queries, user
):
    small = make_curriculum(steps=1, plans="AB")
    large = make_curriculum(steps=1, plans="ABCDEFGHIJKL")
    counts = []
    for curriculum in (small, large):
        enrollment, _ = services.enrollment_get_or_create(
            user=user, curriculum=curriculum, traits={"energy_level": "low"}
        )
        services.coach_status_record(
            user=user, enrollment=enrollment, step_order=1, plan_id="A", outcome="STOPPED"
        )
        # The user, then everything the ranking reads in one query.
        with django_assert_num_queries(2) as captured:
            response = auth_client.get(alternatives_url(enrollment.pk, 1))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
        assert len(response.json()["alternatives"]) == len(curriculum.steps.get().alternatives.all())
    assert counts[0] == counts[1]


@pytest.mark.parametrize("segmented", [True, False])
def test_coach_status_uses_a_constant_number_of_queries(
    auth_client, django_assert_num_queries, user, segmented
):
    curriculum = make_curriculum(steps=2, plans="ABCDEFGH", trait_schema={**DOG_TRAITS, "required": []})
    traits = {"energy_level": "low"} if segmented else {}
    enrollment, _ = services.enrollment_get_or_create(user=user, curriculum=curriculum, traits=traits)
    for number, outcome in enumerate(["STOPPED", "STOPPED", "SWAPPED"]):
        # The user; the Idempotency-Key's claim (3) and answer (1); its transaction and the
        # service's (4: savepoints and releases here, inside the test's transaction); then the
        # locked enrollment, the step with its alternatives and the locked state, and one
        # statement for the event, the state and the statistics (counted or not).
        with django_assert_num_queries(12):
            response = auth_client.post(
                STATUS,
                status_body(
                    enrollment,
                    plan_id="A",
                    outcome=outcome,
                    **({"next_plan_id": "B"} if outcome == "SWAPPED" else {}),
                ),
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"key-{number}",
            )
        assert response.status_code == 201, response.content
    assert services.curriculum_stats_rebuild(dry_run=True) == []


def test_enrollment_detail_uses_a_constant_number_of_queries(auth_client, django_assert_num_queries, user):
    for steps in (1, 6):
        curriculum = make_curriculum(steps=steps, plans="AB")
        enrollment, _ = services.enrollment_get_or_create(
            user=user, curriculum=curriculum, traits={"energy_level": "low"}
        )
        with django_assert_num_queries(4):
            assert auth_client.get(f"/api/v1/enrollments/{enrollment.pk}/").status_code == 200


def test_coach_status_works_without_and_with_a_trailing_slash(auth_client, enrollment):
    assert reverse("api:coach-status") == STATUS
    response = auth_client.post(STATUS, status_body(enrollment, outcome="STOPPED"), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (
        body["state"] == "stopped" and body["plan_id"] == "A" and body["step"] == 1 and not body["replayed"]
    )
    assert body["event"]["outcome"] == "STOPPED" and body["event"]["counted"] is True
    response = auth_client.post(STATUS + "/", status_body(enrollment, outcome="SUCCESS"), format="json")
    assert response.status_code == 201
    assert response.json()["current_step"] == 2


def test_swapped_returns_the_new_plan_and_metadata(auth_client, enrollment):
    response = auth_client.post(
        STATUS,
        status_body(enrollment, outcome="SWAPPED", next_plan_id="C", reason="ineffective"),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["plan_id"] == "C"
    assert response.json()["metadata"] == {"selected_alternative_id": "C", "reason": "ineffective"}


@pytest.mark.parametrize(
    "body", [{"outcome": "SKIPPED_INEFFECTIVE"}, {"status": "SKIPPED_INEFFECTIVE", "outcome": None}]
)
def test_the_legacy_status_is_still_accepted(auth_client, enrollment, body):
    payload = {k: v for k, v in status_body(enrollment, **body).items() if v is not None}
    response = auth_client.post(STATUS, payload, format="json")
    assert response.status_code == 201
    assert response.json()["plan_id"] == "B"
    assert response.json()["metadata"] == {"selected_alternative_id": "B", "reason": "ineffective"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"outcome": "SWAPPED"}, "next_plan_id"),
        ({"outcome": "SWAPPED", "next_plan_id": "E"}, "next_plan_id"),
        ({"outcome": "DONE"}, "outcome"),
        ({"outcome": None}, "outcome"),
        ({"plan_id": "Q"}, "plan_id"),
        ({"step": 42}, "step"),
        ({"step": 0}, "step"),
        ({"enrollment": "abc"}, "enrollment"),
        ({"outcome": "SUCCESS", "status": "SKIPPED_INEFFECTIVE"}, "status"),
    ],
)
def test_bad_status_input_is_a_400_on_its_field(auth_client, enrollment, curriculum, overrides, field):
    AlternativeFactory(step=curriculum.steps.get(order=2), order=5, code="E")
    payload = {k: v for k, v in status_body(enrollment, **overrides).items() if v is not None}
    response = auth_client.post(STATUS, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not OutcomeEvent.objects.exists()


def test_a_stale_plan_is_a_409_with_a_code(auth_client, enrollment):
    auth_client.post(STATUS, status_body(enrollment, outcome="SWAPPED", next_plan_id="C"), format="json")
    response = auth_client.post(
        STATUS, status_body(enrollment, outcome="SWAPPED", next_plan_id="C"), format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Plan A is not the current plan of step 1 (Plan C is).",
        "code": "not_current_plan",
        "current_plan_id": "C",
    }
    response = auth_client.post(STATUS, status_body(enrollment, step=2), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "step_not_open" and response.json()["current_step"] == "1"


def test_a_retried_request_with_its_client_key_is_answered_once(auth_client, enrollment):
    payload = status_body(enrollment, outcome="STOPPED", client_key="tap-1")
    first = auth_client.post(STATUS, payload, format="json")
    retry = auth_client.post(STATUS, payload, format="json")
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json()["replayed"] is True
    assert retry.json()["event"]["id"] == first.json()["event"]["id"]
    assert OutcomeEvent.objects.count() == 1


def test_history_lists_every_attempt_and_swap(auth_client, enrollment, record):
    record(enrollment, 1, "A", "STOPPED")
    record(enrollment, 1, "A", "SWAPPED", next_plan_id="C", reason="ineffective")
    record(enrollment, 1, "C", "SUCCESS")
    body = auth_client.get(f"/api/v1/enrollments/{enrollment.pk}/history/").json()
    assert body["count"] == 3
    assert [(e["step"], e["plan_id"], e["outcome"], e["next_plan_id"]) for e in body["results"]] == [
        (1, "A", "STOPPED", None),
        (1, "A", "SWAPPED", "C"),
        (1, "C", "SUCCESS", None),
    ]


def test_enrollment_routes_never_capture_other_apps_paths():
    for path in ("/api/v1/enrollments/programs/", "/api/v1/enrollments/courses/"):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        assert not match.func.__module__.startswith("curriculum")


def test_anonymous_requests_are_refused(api_client, curriculum):
    assert api_client.get("/api/v1/curricula/").status_code == 401


def test_retired_plans_are_not_listed(auth_client, curriculum):
    Alternative.objects.filter(step__curriculum=curriculum, code="D").update(is_active=False)
    body = auth_client.get(f"/api/v1/curricula/{curriculum.slug}/").json()
    assert [p["plan_id"] for p in body["steps"][0]["alternatives"]] == ["A", "B", "C"]


def test_staff_may_preview_a_draft_through_the_api(curriculum):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    draft = make_curriculum(steps=1, plans="A", status=Curriculum.Status.DRAFT)
    assert client_for(staff).get(f"/api/v1/curricula/{draft.slug}/").status_code == 200


def test_the_api_schema_builds_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/coach/status:" in text and "deprecated: true" in text


@pytest.mark.parametrize("size", [1, 5])
def test_curriculum_list_and_detail_use_a_constant_number_of_queries(
    auth_client, django_assert_num_queries, size
):
    curricula = [make_curriculum(steps=size, plans="ABCD"[: max(1, size - 1)]) for _ in range(size)]
    with django_assert_num_queries(3):
        assert auth_client.get("/api/v1/curricula/").json()["count"] == size
    with django_assert_num_queries(4):
        assert len(auth_client.get(f"/api/v1/curricula/{curricula[0].slug}/").json()["steps"]) == size


@pytest.mark.parametrize("outcomes", [1, 6])
def test_history_uses_a_constant_number_of_queries(
    auth_client, django_assert_num_queries, enrollment, record, outcomes
):
    for _ in range(outcomes):
        record(enrollment, 1, "A", "STOPPED")
    with django_assert_num_queries(4):
        assert auth_client.get(f"/api/v1/enrollments/{enrollment.pk}/history/").json()["count"] == outcomes


def test_out_of_range_numbers_are_a_404_or_400_never_a_500(auth_client, enrollment):
    huge = 10**20
    assert auth_client.get(alternatives_url(enrollment.pk, huge)).status_code == 404
    assert auth_client.get(alternatives_url(huge, 1)).status_code == 404
    assert auth_client.get(f"/api/v1/enrollments/{huge}/").status_code == 404
    assert auth_client.post(STATUS, status_body(enrollment, step=huge), format="json").status_code == 400
    assert auth_client.post(
        STATUS, {**status_body(enrollment), "enrollment": huge}, format="json"
    ).status_code in (
        400,
        404,
    )
