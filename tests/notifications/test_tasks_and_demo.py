import io

import pytest
from django.utils import timezone

from config.celery import app
from config.schedules import PERIODIC_TASKS
from notifications import demo, tasks
from notifications.models import Notification, NotificationPreferences, Status
from tests.factories import UserFactory
from tests.notifications.factories import make_plan
from training.models import PlanStatus


def test_every_notifications_schedule_names_a_registered_task():
    names = [spec["task"] for key, spec in PERIODIC_TASKS.items() if key.startswith("notifications:")]
    assert names == [
        "notifications.tasks.sweep",
        "notifications.tasks.roll_horizon",
        "notifications.tasks.analyze_cadence",
        "notifications.tasks.schedule_weekly_digests",
        "notifications.tasks.check_send_volume",
    ]
    assert all(name in app.tasks for name in names)


@pytest.mark.django_db
def test_periodic_tasks_run_and_are_safe_to_run_twice():
    plan = make_plan(start=timezone.localdate())
    assert tasks.roll_horizon() > 0
    assert tasks.roll_horizon() == 0
    tasks.schedule_weekly_digests()
    assert tasks.analyze_cadence() == 1
    assert tasks.sweep()["claimed"] >= 0
    assert tasks.check_send_volume() == 0
    assert Notification.objects.filter(plan=plan, status=Status.SCHEDULED).exists()


@pytest.mark.django_db
def test_demo_without_a_plan_sets_preferences_only_and_is_idempotent():
    out = io.StringIO()
    demo.seed(stdout=out)  # no athlete yet
    assert "skipped" in out.getvalue()
    athlete = UserFactory(username="athlete")
    demo.seed(stdout=io.StringIO())
    assert NotificationPreferences.objects.get(user=athlete).time_zone == "Europe/Berlin"
    assert not Notification.objects.exists()
    make_plan(athlete, start=timezone.localdate(), status=PlanStatus.ACTIVE, zone="Europe/Berlin")
    demo.seed(stdout=io.StringIO())
    first = sorted(Notification.objects.values_list("dedupe_key", "status"))
    assert first
    demo.seed(stdout=io.StringIO())
    assert sorted(Notification.objects.values_list("dedupe_key", "status")) == first
