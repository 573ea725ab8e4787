"""Notifications: the JSON fields' schemas build in django-jsonform's editor: open the page in
Chromium, save it unchanged, and it saves."""

import pytest
from django.contrib.auth.models import Group

from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from notifications.models import NotificationPreferences, NotificationTemplate
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save_unchanged(page, path):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path)
    page.wait_for_selector(".rjf-form-wrapper, [data-django-jsonform]", state="attached")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()
    page.wait_for_selector(".messagelist .success")
    assert not errors, errors


def test_notification_copy_and_preferences_json_editors_build_and_save(admin_login):
    sync_content_designer_permissions()
    designer = UserFactory(username="designer", is_staff=True)
    designer.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    # Transactional tests start from an empty table (the copy migration's rows are flushed).
    template, _ = NotificationTemplate.objects.update_or_create(
        kind="evening_brief",
        tone="data_nerd",
        defaults={"title": "T-minus 1 day", "body": "{{ session.title }} at {{ start_local }}."},
    )
    template.variants = [{"title": "Brief", "body": "{{ session.title }}"}]
    template.save()
    UserFactory(username="root", is_staff=True, is_superuser=True)
    prefs = NotificationPreferences.objects.create(user=designer, categories={"weekly_digest": False})

    page = admin_login("root", "pass-word-123")
    save_unchanged(page, f"/admin/notifications/notificationtemplate/{template.pk}/change/")
    template.refresh_from_db()
    assert template.variants == [{"title": "Brief", "body": "{{ session.title }}"}]
    save_unchanged(page, f"/admin/notifications/notificationpreferences/{prefs.pk}/change/")
    prefs.refresh_from_db()
    assert prefs.categories.get("weekly_digest") is False
