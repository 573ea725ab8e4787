"""Calendar feeds: valid iCalendar, parsed back; a private, revocable subscription URL."""

import datetime as dt

import pytest
from icalendar import Calendar
from rest_framework.test import APIClient

from tests.conftest import client_for
from training import services

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_plan_calendar_has_an_event_per_training_session(runner, plan):
    session = plan.sessions.exclude(session_type="rest").order_by("date").first()
    session = services.session_move(user=runner, session=session, start_time_local=dt.time(7, 0))
    calendar = parse(client_for(runner).get(f"/api/v1/training-plans/{plan.pk}/calendar.ics"))
    events = calendar.walk("VEVENT")
    assert len(events) == plan.sessions.exclude(session_type="rest").count()
    by_uid = {str(e["UID"]): e for e in events}
    timed = by_uid[f"planned-session-{session.pk}@testserver"]
    start = timed.decoded("DTSTART")
    assert start.tzinfo is not None and start.astimezone(dt.UTC) == session.start_at()
    assert str(start.tzinfo) == "Europe/Berlin"
    assert calendar.walk("VTIMEZONE")  # the zone's rules travel with the feed
    all_day = next(e for e in events if not isinstance(e.decoded("DTSTART"), dt.datetime))
    assert isinstance(all_day.decoded("DTSTART"), dt.date)
    assert "km" in str(timed["SUMMARY"]) and str(timed["DESCRIPTION"])


def test_subscription_url_serves_the_active_plan_and_rotating_revokes_it(runner, active_plan):
    client = client_for(runner)
    subscription = client.get("/api/v1/calendar/subscription/").json()
    assert subscription["webcal_url"].startswith("webcal://")
    feed = APIClient()  # calendar apps send no credentials
    calendar = parse(feed.get(subscription["url"]))
    assert calendar.walk("VEVENT")
    rotated = client.post("/api/v1/calendar/subscription/").json()
    assert rotated["url"] != subscription["url"]
    assert feed.get(subscription["url"]).status_code == 404
    assert feed.get(rotated["url"]).status_code == 200
    assert client.delete("/api/v1/calendar/subscription/").status_code == 204
    assert feed.get(rotated["url"]).status_code == 404


def test_a_moved_session_changes_in_place(runner, active_plan):
    client = client_for(runner)
    session = active_plan.sessions.exclude(session_type="rest").order_by("date").first()
    uid = f"planned-session-{session.pk}@testserver"
    before = {
        str(e["UID"]): e
        for e in parse(client.get(f"/api/v1/training-plans/{active_plan.pk}/calendar.ics")).walk("VEVENT")
    }
    services.session_move(user=runner, session=session, start_time_local=dt.time(18, 30))
    after = {
        str(e["UID"]): e
        for e in parse(client.get(f"/api/v1/training-plans/{active_plan.pk}/calendar.ics")).walk("VEVENT")
    }
    assert uid in before and uid in after
    assert after[uid].decoded("DTSTART").time() == dt.time(18, 30)
    assert int(after[uid]["SEQUENCE"]) >= int(before[uid]["SEQUENCE"])
