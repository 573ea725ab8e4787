"""Calendar feed tokens: never stored, URLs stable across calls, old URLs migrated, redacted in logs."""

import json
import logging
from importlib import import_module

import pytest
from django.db import connection
from rest_framework.test import APIClient

from config.logging import JsonFormatter, RedactingFormatter, redact
from tests.conftest import client_for
from training.models import CalendarSubscription, calendar_token_digest

pytestmark = pytest.mark.django_db


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def stored_text(subscription) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM training_calendarsubscription WHERE id = %s", [subscription.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def test_the_feed_token_is_never_stored_and_the_url_stays_the_same(runner, active_plan):
    client = client_for(runner)
    first = client.get("/api/v1/calendar/subscription/").json()["url"]
    assert client.get("/api/v1/calendar/subscription/").json()["url"] == first
    token = token_of(first)
    subscription = CalendarSubscription.objects.get(user=runner)
    assert token not in stored_text(subscription)
    assert subscription.token_digest == calendar_token_digest(token)
    assert APIClient().get(first).status_code == 200


def test_a_url_from_before_hashing_keeps_working_until_rotated(runner, active_plan):
    """The migration keeps the digest of each stored token, so subscribed calendars keep working."""
    migration = import_module("training.migrations.0005_calendar_feed_tokens_hashed")
    old_token = "abcDEF123_-old-token-that-was-stored-as-it-is"
    subscription = CalendarSubscription(user=runner, previous_digest=calendar_token_digest(old_token))
    subscription.renew()
    subscription.save()
    old_url = f"/api/v1/calendar/feed/{old_token}.ics"
    assert APIClient().get(old_url).status_code == 200
    # The API shows the new URL, which works too.
    client = client_for(runner)
    new_url = client.get("/api/v1/calendar/subscription/").json()["url"]
    assert APIClient().get(new_url).status_code == 200
    client.post("/api/v1/calendar/subscription/")
    assert APIClient().get(old_url).status_code == 404
    assert migration.digest(old_token) == calendar_token_digest(old_token)


def test_the_migration_hashes_stored_tokens(runner):
    """Run the migration's function against the model as it was (a ``token`` column)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("training", "0004_activity_cadence_and_archive_imports")]
    after = [("training", "0005_calendar_feed_tokens_hashed")]
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        Old = old_apps.get_model("training", "CalendarSubscription")
        Old.objects.create(user_id=runner.pk, token="stored-as-it-is-0123456789")
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    subscription = CalendarSubscription.objects.get(user=runner)
    assert "stored-as-it-is-0123456789" not in stored_text(subscription)
    assert CalendarSubscription.objects.for_token("stored-as-it-is-0123456789").get() == subscription
    assert CalendarSubscription.objects.for_token(subscription.token).get() == subscription


def test_a_new_secret_key_keeps_the_url_calendars_have(runner, active_plan, settings):
    client = client_for(runner)
    before = client.get("/api/v1/calendar/subscription/").json()["url"]
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    after = client.get("/api/v1/calendar/subscription/").json()["url"]
    assert after != before
    assert APIClient().get(before).status_code == 200
    assert APIClient().get(after).status_code == 200


def test_the_admin_never_shows_the_token(runner, admin_client):
    subscription = CalendarSubscription(user=runner)
    subscription.renew()
    subscription.save()
    page = admin_client.get(
        f"/admin/training/calendarsubscription/{subscription.pk}/change/"
    ).content.decode()
    assert subscription.token not in page and subscription.token_digest not in page


def test_feed_tokens_are_redacted_in_plain_and_json_logs():
    token = "s3cr3t-token-value"
    line = f'"GET /api/v1/calendar/feed/{token}.ics HTTP/1.1" 200 512'
    assert token not in redact(line) and "/api/v1/calendar/feed/[redacted].ics" in redact(line)

    class Request:
        def __str__(self):
            return f"<WSGIRequest: GET '/api/v1/calendar/feed/{token}.ics'>"

    record = logging.makeLogRecord(
        {"name": "django.request", "msg": "Not Found: %s", "args": (f"/api/v1/calendar/feed/{token}.ics",)}
    )
    record.request = Request()
    plain = RedactingFormatter("%(message)s").format(record)
    as_json = JsonFormatter().format(record)
    assert token not in plain and token not in as_json
    assert json.loads(as_json)["message"] == "Not Found: /api/v1/calendar/feed/[redacted].ics"


def test_the_gunicorn_access_log_redacts_feed_tokens(runner, active_plan):
    import datetime as dt

    from gunicorn.config import Config

    from config.gunicorn import RedactingLogger

    url = client_for(runner).get("/api/v1/calendar/subscription/").json()["url"]
    token = token_of(url)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/calendar/feed/{token}.ics",
        "PATH_INFO": f"/api/v1/calendar/feed/{token}.ics",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
    }

    class Response:
        status = "200 OK"
        sent = 10
        headers = []

    atoms = RedactingLogger(Config()).atoms(Response(), [], environ, dt.timedelta(0))
    assert all(token not in str(value) for value in atoms.values())
    assert "[redacted]" in atoms["r"]


def test_the_development_server_log_goes_through_the_redacting_handler(settings):
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
    assert settings.LOGGING["formatters"]["plain"]["()"] == "config.logging.RedactingFormatter"
