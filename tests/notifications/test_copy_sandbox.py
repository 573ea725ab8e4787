"""Designer copy cannot break sending: it renders in a sandbox engine of its own, the admin refuses
what fails to parse or render against every variable, and a bad template already in the database
sends the built-in copy of its kind and tone, records why on the row and in a metric, and never
stops the batch or leaves a row claimed."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from prometheus_client import REGISTRY

from notifications import rendering
from notifications import sweep as sweep_module
from notifications.copy_engine import SAMPLE_CONTEXT, check_copy, compile_copy, render_copy
from notifications.models import Kind, Notification, NotificationTemplate, Status
from notifications.rendering import BUILTIN_COPY, Renderer
from notifications.sweep import sweep
from tests.factories import UserFactory
from tests.notifications.factories import make_prefs

NO_QUIET = {"quiet_hours_start": dt.time(0, 0), "quiet_hours_end": dt.time(0, 0)}
NOW = dt.datetime(2026, 6, 7, 18, 0, tzinfo=dt.UTC)

REFUSED = [
    '{% include "nope.html" %}',
    "{% load log %}{% get_admin_log 10 as log %}{{ log }}",
    "{% debug %}",
    '{% ssi "/etc/passwd" %}',
    '{% extends "admin/base.html" %}',
    "{% url 'admin:index' %}",
    "{% lorem 100000 w %}",
    '{{ first_name|ljust:"1000000000" }}',
    "{{ stats.total|divisibleby:0 }}",  # parses, but fails to render
    "{% if %}",
]


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _add_form(body, title="Your plan"):
    return {
        "kind": Kind.MILESTONE,
        "tone": "drill_sergeant",
        "title": title,
        "body": body,
        "variants": "[]",
        "active": "on",
    }


@pytest.mark.parametrize("source", REFUSED)
def test_admin_refuses_copy_that_does_not_parse_or_render_in_the_sandbox(superuser_client, source):
    NotificationTemplate.objects.filter(kind=Kind.MILESTONE, tone="drill_sergeant").delete()
    response = superuser_client.post(
        reverse("admin:notifications_notificationtemplate_add"), _add_form(source)
    )
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert "body" in errors and errors["body"][0].startswith("Template error:")
    assert not NotificationTemplate.objects.filter(kind=Kind.MILESTONE, tone="drill_sergeant").exists()


def test_admin_refuses_a_bad_variant_and_names_it(superuser_client):
    template = NotificationTemplate.objects.get(kind=Kind.MILESTONE, tone="minimalist")
    form = _add_form("{{ milestone.detail }}") | {
        "tone": "minimalist",
        "variants": '[{"title": "ok", "body": "{% debug %}"}]',
    }
    url = reverse("admin:notifications_notificationtemplate_change", args=[template.pk])
    response = superuser_client.post(url, form)
    assert response.status_code == 200
    assert "Variant 1 body" in str(response.context["adminform"].form.errors["variants"])


def test_admin_saves_copy_using_every_variable_tag_and_filter_it_names(superuser_client):
    template = NotificationTemplate.objects.get(kind=Kind.MILESTONE, tone="data_nerd")
    body = (
        "{% if weather %}{{ weather.summary|capfirst }}, {{ weather.temp_c }}°C. {% endif %}"
        "{% for name in user.username|make_list %}{{ name|upper }}{% endfor %} "
        "{{ session.date|date:'l' }} {{ stats.total_km|floatformat:1 }} km {{ confidence_pct }}%"
    )
    url = reverse("admin:notifications_notificationtemplate_change", args=[template.pk])
    response = superuser_client.post(
        url, _add_form(body, title="{{ milestone.label }}") | {"tone": "data_nerd"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    template.refresh_from_db()
    assert template.body == body


def test_every_variable_the_help_text_names_is_what_the_sweep_renders_with():
    help_text = NotificationTemplate._meta.get_field("title").help_text
    assert all(name in help_text for name in SAMPLE_CONTEXT)
    row = mock.Mock(kind=Kind.MILESTONE, plan=None, session=None, decision={}, plan_id=None)
    row.user.first_name, row.user.username = "", "sam"
    context = Renderer.__new__(Renderer)
    context.stats, context.weather = {}, {}
    assert set(context.context_for(row, prefs={}, local_day=NOW.date())) == set(SAMPLE_CONTEXT)


def test_every_built_in_copy_renders_in_the_sandbox():
    for (kind, tone), (title, body) in BUILTIN_COPY.items():
        assert check_copy(title) is None and check_copy(body) is None, (kind, tone)


def test_the_sandbox_has_no_loaders_and_a_huge_precision_is_capped():
    assert render_copy(compile_copy('{{ 1.5|floatformat:"900000000" }}'), {}) == "1.500000"
    assert check_copy("{% include 'x' %}").startswith("TemplateSyntaxError: Invalid block tag")


def _copy_errors(kind, tone):
    labels = {"kind": kind, "tone": tone}
    return REGISTRY.get_sample_value("notification_copy_errors_total", labels) or 0


@pytest.mark.django_db
def test_a_bad_template_in_the_database_sends_the_built_in_copy_and_the_batch_goes_on():
    tones = ["drill_sergeant", "supportive_friend", "minimalist"]
    rows = []
    for index, tone in enumerate(tones):
        user = UserFactory(first_name=f"Runner{index}")
        make_prefs(user, time_zone="UTC", tone=tone, **NO_QUIET)
        rows.append(
            Notification.objects.create(
                user=user,
                kind=Kind.MILESTONE,
                dedupe_key=f"milestone:{index}:halfway",
                send_at=NOW - dt.timedelta(minutes=1),
                local_date=NOW.date(),
            )
        )
    # Saved around clean(): one does not compile, one fails only when rendered.
    NotificationTemplate.objects.filter(kind=Kind.MILESTONE, tone="drill_sergeant").update(
        body='{% include "nope.html" %}'
    )
    NotificationTemplate.objects.filter(kind=Kind.MILESTONE, tone="supportive_friend").update(
        title="{{ stats.total|divisibleby:0 }}"
    )
    rendering._compiled.clear()  # an UPDATE leaves updated_at alone: start from the rows as they are
    before = {tone: _copy_errors(Kind.MILESTONE, tone) for tone in tones}

    result = sweep(now=NOW)

    assert result.sent == 3 and result.failed == 0
    assert not Notification.objects.filter(status=Status.CLAIMED).exists()
    broken, failing, fine = (Notification.objects.get(pk=row.pk) for row in rows)
    assert broken.status == failing.status == fine.status == Status.SENT
    assert broken.payload["title"] == "Milestone: Halfway there"  # the built-in drill sergeant copy
    assert broken.payload["body"] == "Earned, not given. Keep moving."
    assert "Invalid block tag" in broken.render_error and "include" in broken.render_error
    assert failing.payload["title"] == "Halfway there!"
    assert "ValueError" in failing.render_error  # no plan numbers: "" is no number
    assert fine.render_error == "" and fine.payload["title"] == "Halfway there"
    assert _copy_errors(Kind.MILESTONE, "drill_sergeant") == before["drill_sergeant"] + 1
    assert _copy_errors(Kind.MILESTONE, "supportive_friend") == before["supportive_friend"] + 1
    assert _copy_errors(Kind.MILESTONE, "minimalist") == before["minimalist"]


@pytest.mark.django_db
def test_a_row_that_cannot_be_rendered_at_all_fails_alone_and_is_not_left_claimed():
    rows = []
    for index in range(3):
        user = UserFactory()
        make_prefs(user, time_zone="UTC", **NO_QUIET)
        rows.append(
            Notification.objects.create(
                user=user,
                kind=Kind.MILESTONE,
                dedupe_key=f"milestone:{index}:first_week",
                send_at=NOW - dt.timedelta(minutes=1),
                local_date=NOW.date(),
            )
        )
    real_extra = sweep_module._extra

    def extra(row):
        if row.pk == rows[1].pk:
            raise RuntimeError("boom")
        return real_extra(row)

    with mock.patch.object(sweep_module, "_extra", side_effect=extra):
        result = sweep(now=NOW)
    assert result.sent == 2 and result.failed == 1
    failed = Notification.objects.get(pk=rows[1].pk)
    assert failed.status == Status.FAILED and failed.outcome == "rendering failed"
    assert "RuntimeError: boom" in failed.render_error and failed.claimed_until is None
    assert not Notification.objects.filter(status=Status.CLAIMED).exists()


def test_the_outbox_admin_shows_why_the_built_in_copy_was_sent(superuser_client):
    row = Notification.objects.create(
        user=UserFactory(),
        kind=Kind.MILESTONE,
        dedupe_key="milestone:9:halfway",
        send_at=NOW,
        local_date=NOW.date(),
        status=Status.SENT,
        render_error="TemplateSyntaxError: Invalid block tag on line 1: 'include'.",
    )
    page = superuser_client.get(reverse("admin:notifications_notification_change", args=[row.pk]))
    assert page.status_code == 200
    assert "Copy error" in page.content.decode() and "Invalid block tag" in page.content.decode()
