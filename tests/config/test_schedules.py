import json

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from config.celery import app
from config.schedules import PERIODIC_TASKS

pytestmark = pytest.mark.django_db


def test_every_declared_schedule_is_in_the_admin_after_migrate():
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(PERIODIC_TASKS) <= names


def test_every_declared_task_is_a_registered_celery_task():
    app.loader.import_default_modules()
    for spec in PERIODIC_TASKS.values():
        assert spec["task"] in app.tasks, spec["task"]
        json.dumps(spec.get("kwargs", {}))


def test_operator_changes_survive_a_sync_and_reset_restores_them():
    task = PeriodicTask.objects.get(name="platform: heartbeat")
    hourly, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="*", timezone="UTC")
    task.crontab = hourly
    task.enabled = False
    task.save()

    call_command("sync_periodic_tasks")
    task.refresh_from_db()
    assert (task.crontab_id, task.enabled) == (hourly.id, False)

    call_command("sync_periodic_tasks", "--reset")
    task.refresh_from_db()
    assert task.enabled is True
    assert task.crontab.minute == "*/5"
