"""Training API: shapes, bad input, ownership (404), idempotent retries, pinned query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import client_for
from training.models import Activity, PlanStatus

from .factories import ActivityFactory, RunnerProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(runner):
    return client_for(runner)


def create_plan(client, **body):
    body = {"goal_type": "half", "duration_weeks": 12, **body}
    response = client.post("/api/v1/training-plans/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_runner_profile_get_defaults_then_put(user):
    client = client_for(user)
    assert client.get("/api/v1/runner-profile/").json()["experience_level"] == "beginner"
    body = {
        "experience_level": "intermediate",
        "recent_weekly_km": 32,
        "longest_recent_run_km": 14,
        "recent_race": {"distance_m": 10000, "time_s": 2700, "date": "2026-10-04"},
        "available_days": ["mon", "wed", "sat", "sun"],
        "long_run_day": "sun",
        "min_rest_days": 2,
        "injury_notes": "",
        "time_zone": "Europe/Berlin",
        "preferred_start_time": "07:00",
    }
    response = client.put("/api/v1/runner-profile/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["recent_race"] == {"distance_m": 10000, "time_s": 2700, "date": "2026-10-04"}
    assert response.json()["preferred_start_time"] == "07:00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"available_days": ["funday"]}, "available_days"),
        ({"recent_race": {"distance_m": 10000, "time_s": 300}}, "recent_race"),
        ({"long_run_day": "fri"}, "long_run_day"),
        ({"recent_weekly_km": -3}, "recent_weekly_km"),
    ],
)
def test_runner_profile_bad_input_names_the_field(user, change, field):
    body = {
        "experience_level": "beginner",
        "recent_weekly_km": 10,
        "longest_recent_run_km": 5,
        "available_days": ["tue", "thu", "sun"],
        "long_run_day": "sun",
        "min_rest_days": 1,
        **change,
    }
    response = client_for(user).put("/api/v1/runner-profile/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_vdot_tool():
    from tests.factories import UserFactory

    response = client_for(UserFactory()).get("/api/v1/tools/vdot/", {"distance_m": 10000, "time_s": 2400})
    body = response.json()
    assert response.status_code == 200
    assert body["vdot"] == pytest.approx(51.9, abs=0.05)
    assert set(body["paces"]) == {
        "easy",
        "marathon_s_per_km",
        "threshold_s_per_km",
        "interval_s_per_km",
        "repetition_s_per_km",
    }
    assert set(body["predictions_s"]) == {"5000", "10000", "21097.5", "42195"}
    bad = client_for(UserFactory()).get("/api/v1/tools/vdot/", {"distance_m": 10000, "time_s": 300})
    assert bad.status_code == 400 and "time_s" in bad.json()


def test_create_plan_returns_the_full_draft(client):
    body = create_plan(client, target_time_s=6600, target_event="City Half")
    assert body["status"] == "draft"
    assert body["season_view"]["coach_summary"]
    assert body["weekly_plan"][0]["week_number"] == 1
    assert {"phase_name", "volume_km", "intensity_score", "is_recovery_week"} <= set(body["weekly_plan"][0])
    assert "coachSummary" not in str(body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_date": "2020-01-01", "duration_weeks": None}, "target_date"),
        ({"duration_weeks": 60}, "duration_weeks"),
        ({"target_time_s": 300}, "target_time_s"),
        ({"goal_type": "ultra"}, "goal_type"),
        ({"duration_weeks": None}, "duration_weeks"),
    ],
)
def test_create_plan_bad_input_names_the_field(client, body, field):
    response = client.post(
        "/api/v1/training-plans/", {"goal_type": "half", "duration_weeks": 12, **body}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()


def test_no_available_days_is_a_400(user):
    RunnerProfileFactory(user=user, available_days=[])
    response = client_for(user).post(
        "/api/v1/training-plans/", {"goal_type": "5k", "duration_weeks": 8}, format="json"
    )
    assert response.status_code == 400 and "available_days" in response.json()


def test_second_active_plan_is_409(client):
    first = create_plan(client)
    second = create_plan(client, goal_type="10k", duration_weeks=8)
    assert client.post(f"/api/v1/training-plans/{first['id']}/activate/").status_code == 200
    response = client.post(f"/api/v1/training-plans/{second['id']}/activate/")
    assert response.status_code == 409 and response.json()["code"] == "active_plan_exists"


def test_zoom_levels(client):
    plan = create_plan(client)
    season = client.get(f"/api/v1/training-plans/{plan['id']}/").json()
    assert "weekly_plan" not in season and "season_view" in season
    week = client.get(f"/api/v1/training-plans/{plan['id']}/", {"zoom": "week"}).json()
    assert "week_justification" not in week["weekly_plan"][0] and "volume_km" in week["weekly_plan"][0]
    full = client.get(f"/api/v1/training-plans/{plan['id']}/", {"zoom": "full"}).json()
    assert "week_justification" in full["weekly_plan"][0] and full["safeguard_applications"]
    assert client.get(f"/api/v1/training-plans/{plan['id']}/", {"zoom": "huge"}).status_code == 400


def test_progression_radar_decisions_sessions(client):
    plan = create_plan(client)
    progression = client.get(f"/api/v1/training-plans/{plan['id']}/progression/").json()
    assert set(progression[0]) == {"week", "volume", "actual", "intensity", "recovery", "label"}
    assert progression[0]["actual"] in (None, 0.0) and progression[-1]["actual"] is None  # nothing run yet
    radar = client.get(f"/api/v1/training-plans/{plan['id']}/radar/").json()
    assert len(radar["axes"]) == 6 and set(radar["axes"][0]) == {"label", "value", "uncertain"}
    decisions = client.get(f"/api/v1/training-plans/{plan['id']}/decisions/").json()
    assert decisions["decisions"] and decisions["safeguard_applications"]
    sessions = client.get(f"/api/v1/training-plans/{plan['id']}/sessions/", {"week": 2}).json()
    assert sessions and {s["week_number"] for s in sessions} == {2}
    assert {
        "id",
        "date",
        "week_number",
        "type",
        "title",
        "target_distance_km",
        "target_duration_s",
        "target_pace_s_per_km",
        "is_key_session",
        "status",
        "start_time_local",
        "time_zone",
    } <= set(sessions[0])


def test_another_users_objects_are_404(client, runner, other_user):
    plan = create_plan(client)
    session_id = client.get(f"/api/v1/training-plans/{plan['id']}/sessions/").json()[0]["id"]
    activity = ActivityFactory(user=runner)
    other = client_for(other_user)
    for path in (
        f"/api/v1/training-plans/{plan['id']}/",
        f"/api/v1/training-plans/{plan['id']}/progression/",
        f"/api/v1/training-plans/{plan['id']}/sessions/",
        f"/api/v1/training-plans/{plan['id']}/calendar.ics",
        f"/api/v1/plan-sessions/{session_id}/",
        f"/api/v1/activities/{activity.pk}/",
    ):
        assert other.get(path).status_code == 404, path
    assert other.post(f"/api/v1/training-plans/{plan['id']}/activate/").status_code == 404
    assert other.post(f"/api/v1/plan-sessions/{session_id}/skip/").status_code == 404
    assert (
        other.patch(
            f"/api/v1/plan-sessions/{session_id}/", {"start_time_local": "07:00"}, format="json"
        ).status_code
        == 404
    )


def test_session_move_skip_complete(client, runner):
    plan = create_plan(client)
    client.post(f"/api/v1/training-plans/{plan['id']}/activate/")
    sessions = client.get(f"/api/v1/training-plans/{plan['id']}/sessions/", {"week": 1}).json()
    runs = [s for s in sessions if s["type"] != "rest"]
    moved = client.patch(
        f"/api/v1/plan-sessions/{runs[0]['id']}/", {"start_time_local": "06:30"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["start_time_local"] == "06:30"
    assert moved.json()["start_at"] is not None
    bad = client.patch(f"/api/v1/plan-sessions/{runs[0]['id']}/", {"date": "2031-01-01"}, format="json")
    assert bad.status_code == 400 and "date" in bad.json()
    skipped = client.post(f"/api/v1/plan-sessions/{runs[1]['id']}/skip/", {"reason": "travel"}, format="json")
    assert skipped.status_code == 200 and skipped.json()["status"] == "skipped"
    done = client.post(
        f"/api/v1/plan-sessions/{runs[2]['id']}/complete/",
        {"actuals": {"duration_s": 1800, "distance_m": 5000, "started_at": timezone.now().isoformat()}},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"
    again = client.post(
        f"/api/v1/plan-sessions/{runs[2]['id']}/complete/",
        {"actuals": {"duration_s": 1, "distance_m": 1}},
        format="json",
    )
    assert again.status_code == 409
    neither = client.post(f"/api/v1/plan-sessions/{runs[3]['id']}/complete/", {}, format="json")
    assert neither.status_code == 400


def test_activities_post_and_list(client, runner):
    body = {
        "started_at": "2026-11-20T07:00:00Z",
        "duration_s": 3000,
        "distance_m": 9000,
        "perceived_effort": 5,
    }
    response = client.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "api" and response.json()["time_zone"] == "Europe/Berlin"
    assert client.get("/api/v1/activities/").json()["count"] == 1
    for bad, field in (
        ({**body, "started_at": "2099-01-01T00:00:00Z"}, "started_at"),
        ({**body, "distance_m": 100000, "duration_s": 60}, "distance_m"),
        ({**body, "perceived_effort": 11}, "perceived_effort"),
        ({**body, "time_zone": "Nowhere/Land"}, "time_zone"),
    ):
        response = client.post("/api/v1/activities/", bad, format="json")
        assert response.status_code == 400 and field in response.json(), (field, response.json())


def test_plan_list_filters_by_status(client, runner):
    plan = create_plan(client)
    create_plan(client, goal_type="10k", duration_weeks=8)
    client.post(f"/api/v1/training-plans/{plan['id']}/activate/")
    body = client.get("/api/v1/training-plans/", {"status": "active"}).json()
    assert [p["id"] for p in body["results"]] == [plan["id"]]
    assert client.get("/api/v1/training-plans/", {"status": "maybe"}).status_code == 400


def test_a_cached_plan_read_is_never_stale(client):
    plan = create_plan(client)
    path = f"/api/v1/training-plans/{plan['id']}/"
    assert client.get(path).json()["status"] == "draft"
    client.post(f"{path}activate/")
    assert client.get(path).json()["status"] == "active"
    client.post(f"{path}realign/", {"reason": "illness"}, format="json")
    assert client.get(path, {"zoom": "full"}).json()["decisions"][-1]["category"] == "realign"


def test_transitions_and_realign(client):
    plan = create_plan(client)
    path = f"/api/v1/training-plans/{plan['id']}"
    assert client.post(f"{path}/pause/").status_code == 409  # a draft cannot pause
    assert client.post(f"{path}/activate/").json()["status"] == PlanStatus.ACTIVE
    assert client.post(f"{path}/realign/", {"reason": "sunburn"}, format="json").status_code == 400
    assert client.post(f"{path}/realign/", {"reason": "injury"}, format="json").status_code == 200
    assert client.get(f"{path}/decisions/").json()["decisions"][-1]["category"] == "realign"
    assert client.post(f"{path}/pause/").json()["status"] == "paused"
    assert client.post(f"{path}/abandon/").json()["status"] == "abandoned"


def test_plan_reads_have_pinned_query_counts(client, runner, django_assert_num_queries):
    plan = create_plan(client)
    create_plan(client, goal_type="10k", duration_weeks=8)
    # token + the plan's version + the plan; then from the cache: token + version
    with django_assert_num_queries(3):
        assert client.get(f"/api/v1/training-plans/{plan['id']}/", {"zoom": "full"}).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(f"/api/v1/training-plans/{plan['id']}/", {"zoom": "full"}).status_code == 200
    # token + count + page
    with django_assert_num_queries(3):
        assert client.get("/api/v1/training-plans/").status_code == 200
    # token + plan + sessions
    with django_assert_num_queries(3):
        assert client.get(f"/api/v1/training-plans/{plan['id']}/sessions/").status_code == 200


def test_activity_list_query_count_does_not_grow(client, runner, django_assert_num_queries):
    for i in range(3):
        ActivityFactory(user=runner, started_at=timezone.now() - dt.timedelta(days=i + 1))
    # token + count + page + sessions prefetch
    with django_assert_num_queries(4):
        client.get("/api/v1/activities/")
    for i in range(10):
        ActivityFactory(user=runner, started_at=timezone.now() - dt.timedelta(days=i + 10))
    with django_assert_num_queries(4):
        assert client.get("/api/v1/activities/").json()["count"] == 13
    assert Activity.objects.count() == 13
