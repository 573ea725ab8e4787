"""Every JSON editor in the admin builds and round-trips its data.

The models are found from the admin registry (a model, or an inline of its admin, with a JSON
field), never listed by hand, so a new JSON field is covered as soon as it is registered.
"""

import json

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import models
from django.forms.models import model_to_dict

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ERROR_TEXT = ("Invalid schema", "Schema of type", "This field is required")


def json_fields(model):
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]


def admins_with_json_editors():
    """(model, model admin) for every registered model whose change page edits a JSON field."""
    found = []
    for model, model_admin in admin.site._registry.items():
        inline_models = [inline.model for inline in model_admin.inlines]
        if any(json_fields(m) for m in [model, *inline_models]):
            found.append((model, model_admin))
    return sorted(found, key=lambda pair: pair[0]._meta.label)


def snapshot(obj):
    """The object's own data and its inlines' data, as saved (timestamps left out)."""
    model_admin = admin.site._registry[type(obj)]

    def data(instance):
        skip = {f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)}
        return {k: v for k, v in model_to_dict(instance).items() if k not in skip}

    result = {"self": data(type(obj).objects.get(pk=obj.pk))}
    for inline in model_admin.inlines:
        fk = next(
            f for f in inline.model._meta.concrete_fields if f.is_relation and f.related_model is type(obj)
        )
        rows = inline.model.objects.filter(**{fk.name: obj}).order_by("pk")
        result[inline.model._meta.label] = [data(row) for row in rows]
    return json.loads(json.dumps(result, default=str))


def difference(before, after):
    """The fields that differ, per row: {part: {field: (before, after)}}."""

    def rows(value):
        return value if isinstance(value, list) else [value]

    changed = {}
    for part, value in before.items():
        for index, (old, new) in enumerate(zip(rows(value), rows(after.get(part)), strict=False)):
            fields = {k: (old[k], new.get(k)) for k in old if old[k] != new.get(k)}
            if fields:
                changed[f"{part}[{index}]"] = fields
        if len(rows(value)) != len(rows(after.get(part))):
            changed[part] = "rows added or removed"
    return changed


def _operational_rows():
    """Rows the demo cannot have because only operations write them: a task the broker refused
    (kept for re-publishing), a cached forecast from the weather provider and an archive import's
    report."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from config.models import PendingTask
    from notifications.models import WeatherSnapshot
    from training.models import ActivityArchiveImport

    ActivityArchiveImport.objects.create(
        user=get_user_model().objects.get(username="athlete"),
        status="done",
        name="export_12345.zip",
        total=3,
        processed=3,
        imported=1,
        duplicates=1,
        refused=[
            {
                "name": "activities/7.fit",
                "reason": "The FIT activity is cycling; only runs and rucks are recorded.",
            }
        ],
        warnings=[{"name": "activities/5.fit.gz", "message": "Skipped 8 bytes at offset 7471."}],
    )

    PendingTask.objects.create(task="config.tasks.heartbeat", args=[], kwargs={}, last_error="broker down")
    WeatherSnapshot.objects.create(
        provider="openweathermap",
        location="Berlin,DE",
        fetched_at=timezone.now(),
        forecast=[{"at": "2026-11-30T06:00:00Z", "temp_c": 3.5, "summary": "light rain"}],
    )


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    _operational_rows()


def test_every_json_editor_builds_and_saving_unchanged_keeps_the_data(admin_login, demo):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    page = admin_login("root", "pass-word-123")
    registered = admins_with_json_editors()
    assert registered, "no admin model has a JSON field"
    missing, failures, console = [], [], []
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    for model, model_admin in registered:
        obj = model.objects.order_by("pk").first()
        if obj is None:
            missing.append(model._meta.label)
            continue
        opts = model._meta
        before = snapshot(obj)
        page.goto(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/")
        page.wait_for_load_state("networkidle")
        failures += [
            f"{opts.label}: browser console: {text[:300]}" for text in console if "favicon" not in text
        ]
        console.clear()
        editors = page.locator("textarea[data-django-jsonform]:not([id*='__prefix__'])")
        for index in range(editors.count()):
            editor = editors.nth(index)
            name = editor.get_attribute("name")
            container = page.locator(f"[id='{editor.get_attribute('id')}_jsonform']")
            text = container.inner_text() if container.count() else ""
            if not container.count() or not container.inner_html().strip():
                failures.append(f"{opts.label}.{name}: the editor did not build")
            elif any(error in text for error in ERROR_TEXT):
                failures.append(f"{opts.label}.{name}: {text.strip()[:200]}")
            elif not editor.input_value().strip():
                failures.append(f"{opts.label}.{name}: the editor left its field empty")
        if not model_admin.has_change_permission(_superuser_request(), obj):
            continue
        page.locator("input[name=_save]").click()
        page.wait_for_load_state("networkidle")
        errors = page.locator(".errornote, .errorlist").all_inner_texts()
        if errors:
            failures.append(f"{opts.label}: saving unchanged was refused: {' '.join(errors)[:300]}")
            continue
        after = snapshot(obj)
        if after != before:
            failures.append(f"{opts.label}: saving unchanged changed the data: {difference(before, after)}")
    assert not missing, f"no object to open (extend the demo data): {missing}"
    assert not failures, "\n".join(failures)


def _superuser_request():
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True, is_active=True)
    return request
