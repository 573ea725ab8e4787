"""The notifications API: preferences (and their bad input), devices, inbox, scheduled, opened and
clicked, snooze; scoped to the user (another user's object is a 404); query counts pinned."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Device, Kind, Notification, NotificationPreferences, Status
from tests.factories import UserFactory
from tests.notifications.factories import make_plan, make_prefs

PREFS = "/api/v1/notifications/preferences/"


@pytest.mark.django_db
def test_preferences_default_shape(auth_client):
    body = auth_client.get(PREFS).json()
    assert body["time_zone"] == "UTC"
    assert body["quiet_hours_start"] == "22:00" and body["quiet_hours_end"] == "07:00"
    assert body["evening_brief_time"] == "20:00" and body["morning_hype_lead_min"] == 60
    assert body["tone"] == "supportive_friend" and body["daily_budget"] == 4
    assert body["snoozed_until"] is None
    assert set(body["categories"]) == {
        "kickoff_primer",
        "evening_brief",
        "morning_hype",
        "completion_celebration",
        "missed_follow_up",
        "weekly_digest",
        "milestone",
    }
    assert all(body["categories"].values())
    assert not NotificationPreferences.objects.exists()  # reading creates nothing


@pytest.mark.django_db
def test_patch_preferences_saves_and_answers_the_new_state(auth_client, user):
    response = auth_client.patch(
        PREFS,
        {
            "time_zone": "Europe/Berlin",
            "quiet_hours_start": "23:00",
            "quiet_hours_end": "06:30",
            "tone": "drill_sergeant",
            "categories": {"weekly_digest": False},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["time_zone"] == "Europe/Berlin" and body["quiet_hours_end"] == "06:30"
    assert body["categories"]["weekly_digest"] is False and body["categories"]["milestone"] is True
    prefs = NotificationPreferences.objects.get(user=user)
    assert prefs.tone == "drill_sergeant" and prefs.quiet_hours_start == dt.time(23, 0)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"tone": "sarcastic"}, "tone"),
        ({"quiet_hours_start": "25:00"}, "quiet_hours_start"),
        ({"evening_brief_time": "8pm"}, "evening_brief_time"),
        ({"morning_hype_lead_min": 0}, "morning_hype_lead_min"),
        ({"daily_budget": 100}, "daily_budget"),
        ({"categories": {"spam": True}}, "categories"),
        ({"categories": {"milestone": "maybe"}}, "categories"),
        ({"snoozed_until": "2026-01-01T00:00:00Z"}, "snoozed_until"),
    ],
)
@pytest.mark.django_db
def test_bad_preferences_are_a_400_naming_the_field(auth_client, payload, field):
    response = auth_client.patch(PREFS, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_accountability_kinds_cannot_be_switched_off_during_an_active_plan(auth_client, user):
    make_plan(user, start=timezone.localdate())
    response = auth_client.patch(PREFS, {"categories": {"morning_hype": False}}, format="json")
    assert response.status_code == 400
    message = response.json()["categories"][0]
    assert "morning_hype" in message and "active" in message
    assert auth_client.get(PREFS).json()["locked_categories"] == [
        "evening_brief",
        "missed_follow_up",
        "morning_hype",
    ]
    # Other kinds can be switched off.
    ok = auth_client.patch(PREFS, {"categories": {"weekly_digest": False}}, format="json")
    assert ok.status_code == 200


@pytest.mark.django_db
def test_without_an_active_plan_every_kind_can_be_switched_off(auth_client):
    response = auth_client.patch(PREFS, {"categories": {"morning_hype": False}}, format="json")
    assert response.status_code == 200
    assert response.json()["categories"]["morning_hype"] is False


@pytest.mark.django_db
def test_devices_register_reregister_and_delete_scoped_to_the_user(auth_client, other_client, user):
    created = auth_client.post("/api/v1/devices/", {"platform": "fcm", "token": "abc"}, format="json")
    assert created.status_code == 201
    again = auth_client.post("/api/v1/devices/", {"platform": "fcm", "token": "abc"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    bad = auth_client.post("/api/v1/devices/", {"platform": "pager", "token": "x"}, format="json")
    assert bad.status_code == 400 and "platform" in bad.json()
    device_id = created.json()["id"]
    assert other_client.delete(f"/api/v1/devices/{device_id}/").status_code == 404
    assert auth_client.delete(f"/api/v1/devices/{device_id}/").status_code == 204
    assert not Device.objects.exists()


@pytest.mark.django_db
def test_a_push_token_registered_by_another_user_is_a_409_and_its_owner_keeps_it(
    auth_client, other_client, user
):
    mine = auth_client.post("/api/v1/devices/", {"platform": "fcm", "token": "tok-1"}, format="json")
    assert mine.status_code == 201
    taken = other_client.post("/api/v1/devices/", {"platform": "apns", "token": "tok-1"}, format="json")
    assert taken.status_code == 409
    assert taken.json() == {
        "detail": "This push token is registered to another account.",
        "code": "device_token_taken",
    }
    device = Device.objects.get(token="tok-1")
    assert device.user == user and device.platform == "fcm" and device.active
    # Its owner re-registers it (reactivated after the provider called it invalid).
    Device.objects.filter(pk=device.pk).update(active=False)
    again = auth_client.post("/api/v1/devices/", {"platform": "fcm", "token": "tok-1"}, format="json")
    assert again.status_code == 200 and Device.objects.get(pk=device.pk).active
    schema = auth_client.get("/api/v1/schema/", {"format": "json"}).json()
    assert (
        "device_token_taken" in schema["paths"]["/api/v1/devices/"]["post"]["responses"]["409"]["description"]
    )


def sent(user, n, *, kind=Kind.MILESTONE):
    now = timezone.now()
    return [
        Notification.objects.create(
            user=user,
            kind=kind,
            dedupe_key=f"{user.pk}:{kind}:{i}",
            send_at=now - dt.timedelta(hours=i),
            local_date=now.date(),
            status=Status.SENT,
            sent_at=now - dt.timedelta(hours=i),
            payload={"title": f"t{i}", "body": "b", "deep_link": "app://notifications", "actions": ["open"]},
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [2, 12])
@pytest.mark.django_db
def test_inbox_lists_sent_newest_first_in_pinned_queries(auth_client, user, n, django_assert_num_queries):
    rows = sent(user, n)
    sent(UserFactory(), 3)
    Notification.objects.create(
        user=user,
        kind=Kind.MORNING_HYPE,
        dedupe_key="pending",
        send_at=timezone.now(),
        local_date=timezone.localdate(),
    )
    with django_assert_num_queries(3):  # token, count, page
        body = auth_client.get("/api/v1/notifications/").json()
    assert body["count"] == n
    assert [r["id"] for r in body["results"]] == [r.pk for r in rows]
    assert body["results"][0]["title"] == "t0"


@pytest.mark.parametrize("days", [1, 7])
@pytest.mark.django_db
def test_scheduled_lists_upcoming_with_local_time_and_reason(
    auth_client, user, days, django_assert_num_queries
):
    from notifications import services

    today = timezone.localdate()
    plan = make_plan(user, start=today, zone="America/New_York", days=range(7), start_time=dt.time(18, 0))
    make_prefs(user, time_zone="America/New_York")
    services.plan_schedule_horizon(plan_id=plan.pk)
    with django_assert_num_queries(4):  # token, preferences, count, page
        body = auth_client.get("/api/v1/notifications/scheduled/?page_size=200").json()
    assert body["count"] > 0
    first = body["results"][0]
    assert set(first) >= {"kind", "send_at", "send_at_local", "session", "reason"}
    assert first["send_at"].endswith("Z")
    assert first["send_at_local"].endswith(("-05:00", "-04:00"))
    assert first["reason"]


@pytest.mark.django_db
def test_opened_and_clicked_record_once_and_another_users_is_a_404(auth_client, other_client, user):
    (row,) = sent(user, 1)
    assert other_client.post(f"/api/v1/notifications/{row.pk}/opened/").status_code == 404
    first = auth_client.post(f"/api/v1/notifications/{row.pk}/opened/")
    assert first.status_code == 200 and first.json()["opened_at"]
    row.refresh_from_db()
    opened = row.opened_at
    auth_client.post(f"/api/v1/notifications/{row.pk}/opened/")
    row.refresh_from_db()
    assert row.opened_at == opened
    clicked = auth_client.post(f"/api/v1/notifications/{row.pk}/clicked/")
    assert clicked.status_code == 200 and clicked.json()["clicked_at"]
    assert other_client.post(f"/api/v1/notifications/{row.pk}/clicked/").status_code == 404
    assert auth_client.post("/api/v1/notifications/999999/opened/").status_code == 404


@pytest.mark.django_db
def test_snooze_at_most_24_hours(auth_client, user):
    now = timezone.now()
    ok = auth_client.post(
        "/api/v1/notifications/snooze/", {"until": (now + dt.timedelta(hours=3)).isoformat()}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["snoozed_until"]
    too_long = auth_client.post(
        "/api/v1/notifications/snooze/", {"until": (now + dt.timedelta(hours=25)).isoformat()}, format="json"
    )
    assert too_long.status_code == 400 and "until" in too_long.json()
    past = auth_client.post("/api/v1/notifications/snooze/", {"until": "2020-01-01T00:00:00Z"}, format="json")
    assert past.status_code == 400 and "until" in past.json()
    assert (
        auth_client.post("/api/v1/notifications/snooze/", {"until": "soon"}, format="json").status_code == 400
    )


@pytest.mark.django_db
def test_everything_needs_a_token(api_client):
    for path in (PREFS, "/api/v1/notifications/", "/api/v1/notifications/scheduled/"):
        assert api_client.get(path).status_code == 401


@pytest.mark.django_db
def test_schema_documents_the_endpoints(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert "400" in paths["/api/v1/notifications/preferences/"]["patch"]["responses"]
    assert "404" in paths["/api/v1/notifications/{id}/opened/"]["post"]["responses"]
    assert set(paths["/api/v1/devices/"]["post"]["responses"]) >= {"200", "201", "400"}
    assert "204" in paths["/api/v1/devices/{id}/"]["delete"]["responses"]
