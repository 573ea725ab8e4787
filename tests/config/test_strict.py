"""JSON bodies are read with JSON's types: what the schema calls a string, an integer or a boolean
must be one (config/api/strict.py); query strings and forms are text and are parsed as before."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/api/v1/devices/", "post", {"platform": "fcm", "token": 12345}, "token"),
        ("/api/v1/notifications/preferences/", "patch", {"weather_location": 0}, "weather_location"),
        ("/api/v1/notifications/preferences/", "patch", {"daily_budget": "3"}, "daily_budget"),
        ("/api/v1/notifications/preferences/", "patch", {"daily_budget": True}, "daily_budget"),
        ("/api/v1/notifications/preferences/", "patch", {"categories": {"milestone": "no"}}, "categories"),
    ],
)
def test_another_json_type_is_a_400_naming_the_field(auth_client, path, method, body, field):
    response = getattr(auth_client, method)(path, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_the_right_types_and_query_strings_still_work(auth_client):
    assert (
        auth_client.post("/api/v1/devices/", {"platform": "fcm", "token": "t-1"}, format="json").status_code
        == 201
    )
    patched = auth_client.patch("/api/v1/notifications/preferences/", {"daily_budget": 3}, format="json")
    assert patched.status_code == 200 and patched.json()["daily_budget"] == 3
    assert auth_client.get("/api/v1/xapi/statements/", {"limit": "5"}).status_code == 200
    assert (
        auth_client.get("/api/v1/tools/vdot/", {"distance_m": "10000", "time_s": "2400"}).status_code == 200
    )


def test_nul_anywhere_in_a_json_field_is_a_400_not_a_500(auth_client):
    body = {
        "title": "t",
        "description": "d",
        "role": "tutor",
        "difficulty": "beginner",
        "instructions": "i",
        "context": "c",
        "learning_objectives": ["fine", "not\x00fine"],
    }
    response = auth_client.post("/api/v1/scenarios/", body, format="json")
    assert response.status_code == 400, response.content
    assert "learning_objectives" in response.json()
    enroll = auth_client.patch("/api/v1/enrollments/1/", {"traits": {"a\x00": 1}}, format="json")
    assert enroll.status_code in (400, 404)
