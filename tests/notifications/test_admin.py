"""The admin: outbox with decision traces, the dry run, copy editing by content designers,
read-only behaviour profiles, the anomaly list and volume check."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from notifications import services
from notifications.models import (
    BehaviorProfile,
    Kind,
    Notification,
    NotificationPreferences,
    NotificationTemplate,
    SendVolumeAnomaly,
    Status,
)
from notifications.observability import send_volume_check
from tests.factories import UserFactory
from tests.notifications.factories import make_plan, make_prefs

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def designer(client):
    sync_content_designer_permissions()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    client.force_login(user)
    return user


def test_outbox_lists_filters_and_shows_the_decision_trace(client, superuser):
    plan = make_plan(start=timezone.localdate(), zone="Europe/Berlin", days=range(7))
    make_prefs(plan.user, time_zone="Europe/Berlin")
    services.plan_schedule_horizon(plan_id=plan.pk)
    changelist = reverse("admin:notifications_notification_changelist")
    assert client.get(changelist).status_code == 200
    assert (
        client.get(changelist, {"status__exact": "scheduled", "kind__exact": "morning_hype"}).status_code
        == 200
    )
    row = Notification.objects.filter(kind=Kind.MORNING_HYPE).first()
    page = client.get(reverse("admin:notifications_notification_change", args=[row.pk])).content.decode()
    assert "Decision trace" in page and "intended_local" in page and "quiet_hours_shift" in page


def test_dry_run_tomorrow_lists_and_writes_nothing(client, superuser):
    plan = make_plan(start=timezone.localdate(), zone="UTC", days=range(7), start_time=dt.time(12, 0))
    prefs = make_prefs(plan.user, time_zone="UTC")
    response = client.post(
        reverse("admin:notifications_notificationpreferences_changelist"),
        {"action": "dry_run_tomorrow", "_selected_action": [prefs.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "morning_hype at 11:00 UTC" in text and "evening_brief at 20:00 UTC" in text
    assert Notification.objects.count() == 0


def test_designers_edit_copy_and_a_broken_template_is_a_form_error(client, designer):
    template = NotificationTemplate.objects.get(kind="morning_hype", tone="minimalist")
    url = reverse("admin:notifications_notificationtemplate_change", args=[template.pk])
    assert client.get(url).status_code == 200
    data = {
        "kind": "morning_hype",
        "tone": "minimalist",
        "title": "{{ session.title }}",
        "body": "Go.",
        "variants": '[{"title": "Run", "body": "{{ start_local }}"}]',
        "active": "on",
    }
    assert client.post(url, data).status_code == 302
    template.refresh_from_db()
    assert template.body == "Go." and template.variants == [{"title": "Run", "body": "{{ start_local }}"}]
    broken = client.post(url, {**data, "body": "{% if %}"})
    assert broken.status_code == 200 and "Template error" in broken.content.decode()
    bad_variant = client.post(url, {**data, "variants": '[{"title": ""}]'})
    assert bad_variant.status_code == 200 and "variants" in bad_variant.context["adminform"].form.errors
    # Designers see outbox rows nowhere: not theirs to read.
    assert client.get(reverse("admin:notifications_notification_changelist")).status_code == 403


def test_every_kind_has_copy_in_every_tone():
    pairs = set(NotificationTemplate.objects.values_list("kind", "tone"))
    assert len(pairs) == 28


def test_behaviour_profiles_are_read_only(client, superuser):
    plan = make_plan(start=timezone.localdate())
    profile = BehaviorProfile.objects.create(
        user=plan.user, plan=plan, window_start_min=300, window_end_min=360, recomputed_at=timezone.now()
    )
    url = reverse("admin:notifications_behaviorprofile_change", args=[profile.pk])
    page = client.get(url).content.decode()
    assert "05:00–06:00" in page
    assert client.post(url, {}).status_code == 403


def test_volume_anomaly_is_logged_and_listed(client, superuser, caplog):
    user = UserFactory()
    now = dt.datetime(2026, 6, 8, 10, 5, tzinfo=UTC)
    rows = []
    for day in range(1, 8):  # 10 celebrations at 09:xx on each of the 7 previous days
        for i in range(10):
            at = dt.datetime(2026, 6, 8 - day, 9, i, tzinfo=UTC)
            rows.append(
                Notification(
                    user=user,
                    kind=Kind.COMPLETION_CELEBRATION,
                    dedupe_key=f"c{day}-{i}",
                    send_at=at,
                    local_date=at.date(),
                    status=Status.SENT,
                    sent_at=at,
                )
            )
    for i in range(45):  # and 45 today in the same hour
        at = dt.datetime(2026, 6, 8, 9, i, tzinfo=UTC)
        rows.append(
            Notification(
                user=user,
                kind=Kind.COMPLETION_CELEBRATION,
                dedupe_key=f"t{i}",
                send_at=at,
                local_date=at.date(),
                status=Status.SENT,
                sent_at=at,
            )
        )
    Notification.objects.bulk_create(rows)
    found = send_volume_check(now=now)
    assert [(a.kind, a.sends, a.trailing_median) for a in found] == [("completion_celebration", 45, 10)]
    assert "volume anomaly" in caplog.text
    assert send_volume_check(now=now)  # again: the same row, not a second one
    assert SendVolumeAnomaly.objects.count() == 1
    page = client.get(reverse("admin:notifications_sendvolumeanomaly_changelist")).content.decode()
    assert "45" in page


def test_preferences_admin_shows_a_form_error_for_a_bad_zone(client, superuser):
    user = UserFactory()
    url = reverse("admin:notifications_notificationpreferences_add")
    response = client.post(
        url,
        {
            "user": user.pk,
            "time_zone": "Nowhere/Land",
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:00",
            "evening_brief_time": "20:00",
            "morning_hype_lead_min": 60,
            "tone": "minimalist",
            "categories": "{}",
            "daily_budget": 4,
        },
    )
    assert response.status_code == 200 and "time_zone" in response.context["adminform"].form.errors
    assert not NotificationPreferences.objects.exists()
