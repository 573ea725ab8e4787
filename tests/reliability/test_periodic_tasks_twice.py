"""A worker killed mid-task: tasks are acknowledged late and re-queued on worker loss, so another
worker runs them again. That is only safe if running a task twice is the same as running it once:
every registered periodic task, run twice in a row on the demo data, leaves the database as the
first run left it."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone

from config.celery import app
from config.schedules import PERIODIC_TASKS

# Bookkeeping of the scheduler and the framework, not product state.
SKIP_APPS = {"django_celery_beat", "sessions", "admin", "contenttypes"}


def _volatile(field) -> bool:
    """A timestamp that says when a row was (re)written, not what it holds."""
    if not isinstance(field, models.DateTimeField):
        return False
    return field.auto_now or field.auto_now_add or field.default is timezone.now


def snapshot() -> dict:
    """Every product table: row count and a digest of its rows (without surrogate ids and write
    timestamps), computed by PostgreSQL."""
    tables = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.app_label in SKIP_APPS or not model._meta.managed:
                continue
            columns = [
                connection.ops.quote_name(f.column)
                for f in model._meta.concrete_fields
                if not (f.primary_key and isinstance(f, models.AutoField)) and not _volatile(f)
            ]
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
                f"FROM (SELECT {', '.join(columns) or '1'} FROM {table}) r"
            )
            tables[model._meta.label] = cursor.fetchone()
    return tables


def test_workers_ack_late_and_requeue_on_worker_loss():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


@pytest.mark.django_db
def test_every_periodic_task_run_twice_leaves_what_one_run_left(settings):
    settings.DEBUG = True  # seed_demo runs only with DEBUG on (the embedded default)
    call_command("seed_demo", stdout=io.StringIO())
    app.loader.import_default_modules()  # every app's tasks.py, as a worker loads them
    changed = {}
    for name, spec in sorted(PERIODIC_TASKS.items()):
        task = app.tasks[spec["task"]]
        task.apply(kwargs=spec.get("kwargs", {}), throw=True)
        first = snapshot()
        task.apply(kwargs=spec.get("kwargs", {}), throw=True)
        second = snapshot()
        tables = {label: (first[label], second[label]) for label in first if first[label] != second[label]}
        if tables:
            changed[name] = tables
    assert not changed, f"a second run changed these tables: {changed}"
