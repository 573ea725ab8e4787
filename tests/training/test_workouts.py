"""Workout steps: the session API shows them, a watch gets them as a FIT file, calendars as text."""

import io

import fitdecode
import pytest
from icalendar import Calendar

from tests.conftest import client_for
from training.workouts import average_pace_target, describe_steps, flatten, total_distance_m

from .factories import INTERVAL_STEPS, PlannedSessionFactory, TrainingPlanFactory, rest_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def intervals(user):
    plan = TrainingPlanFactory(user=user)
    return PlannedSessionFactory(
        plan=plan,
        session_type="intervals",
        title="Intervals",
        is_key_session=True,
        target_distance_km=10.5,
        target_duration_s=3300,
        target_pace_s_per_km=268,
        steps=INTERVAL_STEPS,
        purpose="VO2max: 5 × 1000 m at interval pace.",
    )


def decode(content: bytes) -> tuple[list[dict], list[dict]]:
    """(workout messages, workout_step messages) of a FIT file, with every field by name."""
    workouts, steps = [], []
    with fitdecode.FitReader(io.BytesIO(content)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                fields = {field.name: field.value for field in frame.fields}
                if frame.name == "workout":
                    workouts.append(fields)
                elif frame.name == "workout_step":
                    steps.append(fields)
                elif frame.name == "file_id":
                    assert fields["type"] == "workout"
    return workouts, steps


def test_the_steps_add_up_and_read_as_the_coach_would_write_them():
    assert total_distance_m(INTERVAL_STEPS) == 10500
    assert len(flatten(INTERVAL_STEPS)) == 12
    assert describe_steps(INTERVAL_STEPS) == (
        "2 km warm-up easy 5:30–6:10/km; 5 × (1000 m at interval 4:25–4:32/km, 400 m recovery); "
        "1.5 km cool-down"
    )
    # The average a recorded run is compared with weighs every step by its distance.
    target = average_pace_target(INTERVAL_STEPS)
    assert target == {
        "min": round((3500 * 330 + 5000 * 265 + 2000 * 380) / 10500),
        "max": round((3500 * 370 + 5000 * 272 + 2000 * 420) / 10500),
    }


def test_session_api_shows_purpose_steps_and_compliance(user, intervals):
    body = client_for(user).get(f"/api/v1/plan-sessions/{intervals.pk}/").json()
    assert body["purpose"] == "VO2max: 5 × 1000 m at interval pace."
    assert body["steps"] == INTERVAL_STEPS
    assert body["compliance"] is None


def test_the_schema_documents_steps_and_compliance_from_their_schema_files():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    step = components["WorkoutStep"]
    assert components["WorkoutStepKindEnum"]["enum"] == ["warmup", "run", "recovery", "cooldown", "repeat"]
    assert step["properties"]["intensity"]["allOf"] == [{"$ref": "#/components/schemas/WorkoutIntensityEnum"}]
    assert "half_marathon" in components["WorkoutIntensityEnum"]["enum"]
    assert step["properties"]["pace_s_per_km"]["required"] == ["min", "max"]
    assert components["ComplianceVerdictEnum"]["enum"] == [
        "as_planned",
        "partial",
        "too_fast",
        "too_slow",
        "longer",
    ]
    session = components["PlannedSession"]["properties"]
    assert session["steps"]["items"] == {"$ref": "#/components/schemas/WorkoutStep"}
    assert session["compliance"]["nullable"] is True
    fit = schema["paths"]["/api/v1/plan-sessions/{id}/workout.fit"]["get"]["responses"]
    assert "application/vnd.ant.fit" in fit["200"]["content"]
    assert {"404", "409"} <= set(fit)


def test_workout_fit_decodes_back_to_the_sessions_steps(user, intervals):
    response = client_for(user).get(f"/api/v1/plan-sessions/{intervals.pk}/workout.fit")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.ant.fit"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('-intervals.fit"')
    workouts, steps = decode(response.content)
    assert workouts[0]["sport"] == "running"
    assert workouts[0]["num_valid_steps"] == len(steps) == 5
    warmup, interval, recovery, repeat, cooldown = steps
    assert [s["message_index"] for s in steps] == [0, 1, 2, 3, 4]
    assert (warmup["intensity"], interval["intensity"], recovery["intensity"], cooldown["intensity"]) == (
        "warmup",
        "active",
        "recovery",
        "cooldown",
    )
    assert warmup["duration_type"] == "distance" and warmup["duration_distance"] == 2000
    assert interval["duration_distance"] == 1000 and recovery["duration_distance"] == 400
    assert cooldown["duration_distance"] == 1500
    # 4:25-4:32/km is 3.676-3.774 m/s: the slow end of the pace range is the low speed.
    assert interval["target_type"] == "speed" and interval["target_speed_zone"] == 0
    assert interval["custom_target_speed_low"] == pytest.approx(1000 / 272, abs=0.001)
    assert interval["custom_target_speed_high"] == pytest.approx(1000 / 265, abs=0.001)
    assert repeat["duration_type"] == "repeat_until_steps_cmplt"
    assert repeat["duration_step"] == 1 and repeat["repeat_steps"] == 5
    total = sum(s.get("duration_distance", 0) for s in steps[:1] + steps[4:]) + 5 * (1000 + 400)
    assert total == 10500


def test_a_session_without_steps_exports_one_step_from_its_targets(user):
    session = PlannedSessionFactory(
        plan=TrainingPlanFactory(user=user), steps=[], target_distance_km=8.0, target_duration_s=2800
    )
    _, steps = decode(client_for(user).get(f"/api/v1/plan-sessions/{session.pk}/workout.fit").content)
    assert len(steps) == 1
    assert steps[0]["duration_distance"] == 8000 and steps[0]["intensity"] == "active"
    assert steps[0]["custom_target_speed_low"] < 1000 / 350 < steps[0]["custom_target_speed_high"]


def test_a_timed_step_ends_by_time():
    from training.fit_workout import workout_messages

    (message,) = workout_messages([{"kind": "run", "duration_s": 1800, "intensity": "easy"}])
    assert message["duration_type"] == "time" and message["duration_value"] == 1_800_000
    assert message["target_type"] == "open"


@pytest.mark.parametrize(("session_type", "code"), [("rest", "rest_day"), ("cross", "cross_training")])
def test_rest_and_cross_training_have_no_running_workout(user, session_type, code):
    plan = TrainingPlanFactory(user=user)
    if session_type == "rest":
        session = rest_session(plan, plan.start_date)
    else:
        session = PlannedSessionFactory(
            plan=plan, session_type="cross", target_distance_km=None, target_duration_s=2700, steps=[]
        )
    response = client_for(user).get(f"/api/v1/plan-sessions/{session.pk}/workout.fit")
    assert response.status_code == 409
    assert response.json()["code"] == code


def test_another_runners_workout_is_not_found(other_user, intervals):
    response = client_for(other_user).get(f"/api/v1/plan-sessions/{intervals.pk}/workout.fit")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_calendar_event_lists_the_steps_and_the_purpose(user, intervals):
    response = client_for(user).get(f"/api/v1/training-plans/{intervals.plan_id}/calendar.ics")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert (
        "Workout: 2 km warm-up easy 5:30–6:10/km; 5 × (1000 m at interval 4:25–4:32/km, 400 m recovery); "
        "1.5 km cool-down" in description
    )
    assert "Why: VO2max: 5 × 1000 m at interval pace." in description


def test_admin_shows_the_steps_readably_and_the_purpose(client, intervals):
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:training_plannedsession_change", args=[intervals.pk])).content.decode()
    assert "5 × (1000 m at interval 4:25–4:32/km, 400 m recovery)" in html
    assert "VO2max: 5 × 1000 m at interval pace." in html
    assert 'class="workout-steps"' in html
