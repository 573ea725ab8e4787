"""Runner profile inputs: race distances in metres with decimals or by name, cross-training days."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import UserFactory
from training.models import RunnerProfile

pytestmark = pytest.mark.django_db

BODY = {
    "experience_level": "intermediate",
    "recent_weekly_km": 40,
    "longest_recent_run_km": 18,
    "available_days": ["mon", "wed", "fri", "sun"],
    "long_run_day": "sun",
    "min_rest_days": 2,
    "injury_notes": "",
}


def put(user, **changes):
    return client_for(user).put("/api/v1/runner-profile/", {**BODY, **changes}, format="json")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (21097.5, 21097.5),
        ("half", 21097.5),
        ("Marathon", 42195),
        (42195, 42195),
        ("5k", 5000),
        ("10k", 10000),
    ],
)
def test_recent_race_distance_takes_decimals_and_names_and_answers_metres(user, given, stored):
    time_s = {5000: 1200, 10000: 2500, 21097.5: 5400, 42195: 11700}[stored]
    response = put(user, recent_race={"distance_m": given, "time_s": time_s, "date": "2026-10-04"})
    assert response.status_code == 200, response.json()
    assert response.json()["recent_race"]["distance_m"] == stored
    assert isinstance(response.json()["recent_race"]["distance_m"], int | float)
    assert RunnerProfile.objects.get(user=user).recent_race_distance_m == stored


@pytest.mark.parametrize("given", ["ultra", "", True, 100, 50000])
def test_an_unknown_or_out_of_range_race_distance_is_a_400_on_the_race(user, given):
    response = put(user, recent_race={"distance_m": given, "time_s": 2500})
    assert response.status_code == 400
    assert "distance_m" in response.json()["recent_race"]


def test_cross_training_days_are_weekday_codes_kept_in_week_order(user):
    response = put(user, cross_training_days=["sat", "tue", "sat"])
    assert response.status_code == 200, response.json()
    assert response.json()["cross_training_days"] == ["tue", "sat"]
    bad = put(user, cross_training_days=["funday"])
    assert bad.status_code == 400 and "cross_training_days" in bad.json()
    # Left out of a PUT, they stay as they were.
    assert put(user).json()["cross_training_days"] == ["tue", "sat"]


def test_vdot_tool_takes_a_race_name_or_decimal_metres():
    client = client_for(UserFactory())
    by_name = client.get("/api/v1/tools/vdot/", {"distance_m": "half", "time_s": 5400}).json()
    by_metres = client.get("/api/v1/tools/vdot/", {"distance_m": "21097.5", "time_s": 5400}).json()
    assert by_name == by_metres and by_name["vdot"] > 40
    assert client.get("/api/v1/tools/vdot/", {"distance_m": "ultra", "time_s": 5400}).status_code == 400


def test_the_schema_documents_a_number_or_a_race_name():
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    request = components["RecentRaceRequest"]["properties"]["distance_m"]["oneOf"]
    assert request[0]["type"] == "number" and request[1]["enum"] == ["5k", "10k", "half", "marathon"]
    assert components["RecentRace"]["properties"]["distance_m"]["type"] == "number"
    assert components["RunnerProfileRequest"]["properties"]["cross_training_days"]["type"] == "array"


def test_admin_runner_profile_form_shows_cross_training_days(client, user):
    profile = RunnerProfile.objects.create(user=user, cross_training_days=["wed"])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:training_runnerprofile_change", args=[profile.pk]))
    assert response.status_code == 200
    assert "cross_training_days" in response.context["adminform"].form.fields
