"""Copy at send time: tone templates, weather (offline and OpenWeatherMap through its cache),
the copy hook, deep links."""

import datetime as dt
import io
import json

import pytest

from notifications import weather
from notifications.models import Kind, Notification, NotificationTemplate, WeatherSnapshot
from notifications.rendering import actions_for, deep_link
from notifications.sweep import sweep
from tests.notifications.factories import make_plan, make_prefs

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 2, 12, 0, tzinfo=UTC)


def brief_for(plan):
    session = plan.sessions.get(date=dt.date(2026, 6, 3))
    return Notification.objects.create(
        user=plan.user,
        kind=Kind.EVENING_BRIEF,
        plan=plan,
        session=session,
        dedupe_key=f"evening_brief:{session.pk}:{session.date}",
        send_at=NOW,
        local_date=NOW.date(),
        decision={"start_local": "06:30", "confidence": 0.91, "events": []},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tone", "expected"),
    [
        ("drill_sergeant", "Lay out your kit"),
        ("supportive_friend", "Tomorrow's plan"),
        ("data_nerd", "confidence 91%"),
        ("minimalist", "Tomorrow: Easy run"),
    ],
)
def test_each_tone_renders_its_own_copy_with_weather(tone, expected):
    plan = make_plan(start=dt.date(2026, 6, 1), days=range(7))
    make_prefs(
        plan.user,
        tone=tone,
        weather_location="Berlin,DE",
        quiet_hours_start=dt.time(0),
        quiet_hours_end=dt.time(0),
    )
    row = brief_for(plan)
    sweep(now=NOW)
    row.refresh_from_db()
    text = row.payload["title"] + " " + row.payload["body"]
    assert expected in text
    assert row.payload["deep_link"] == f"app://plans/{plan.pk}/sessions/{row.session_id}"
    if tone != "minimalist":
        offline = weather.OfflineProvider().forecast_for({"Berlin,DE"}, NOW)["Berlin,DE"]
        assert offline["summary"] in text or tone == "drill_sergeant" and "Forecast" in text


@pytest.mark.django_db
def test_inactive_template_falls_back_and_copy_hook_may_rewrite(settings):
    NotificationTemplate.objects.filter(kind="evening_brief").update(active=False)
    settings.NOTIFICATIONS_COPY_HOOK = "tests.notifications.test_rendering.shouting_hook"
    plan = make_plan(start=dt.date(2026, 6, 1), days=range(7))
    make_prefs(plan.user, quiet_hours_start=dt.time(0), quiet_hours_end=dt.time(0))
    row = brief_for(plan)
    sweep(now=NOW)
    row.refresh_from_db()
    assert row.payload["title"] == "TOMORROW: EASY RUN"


def shouting_hook(kind, tone, context, title, body):
    return title.upper(), body


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.django_db
def test_openweathermap_forecast_is_fetched_once_and_cached(settings, monkeypatch):
    settings.NOTIFICATIONS_WEATHER_PROVIDER = "openweathermap"
    settings.OPENWEATHERMAP_API_KEY = "key"
    calls = []
    body = {
        "list": [
            {"dt": int(NOW.timestamp()), "main": {"temp": 17.6}, "weather": [{"description": "light rain"}]},
        ]
    }

    def fake_urlopen(url, timeout):
        assert 0 < timeout <= 10  # a hung provider never holds the sweep
        calls.append(url)
        return FakeResponse(json.dumps(body).encode())

    monkeypatch.setattr(weather.urllib.request, "urlopen", fake_urlopen)
    provider = weather.provider()
    assert provider.forecast_for({"Berlin,DE"}, NOW) == {"Berlin,DE": {"summary": "light rain", "temp_c": 18}}
    assert provider.forecast_for({"Berlin,DE"}, NOW)["Berlin,DE"]["temp_c"] == 18
    assert len(calls) == 1 and "q=Berlin%2CDE" in calls[0]
    assert WeatherSnapshot.objects.get().forecast[0]["summary"] == "light rain"


def test_deep_links_and_actions():
    assert deep_link(3, 9) == "app://plans/3/sessions/9"
    assert deep_link(3, None) == "app://plans/3"
    assert deep_link(None, None) == "app://notifications"
    assert actions_for(Kind.MORNING_HYPE, True) == ["open", "snooze", "move"]
    assert actions_for(Kind.COMPLETION_CELEBRATION, False) == ["open"]
