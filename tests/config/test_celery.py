"""Tasks run in a real worker, and only after the transaction that asked for them commits."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import shared_task
from django.core.cache import cache
from django.db import transaction

ROOT = Path(__file__).resolve().parents[2]


@shared_task(name="tests.record_marker")
def record_marker(marker):
    cache.set(f"marker:{marker}", True, timeout=300)


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_task_enqueued_in_a_rolled_back_transaction_never_runs(redis_worker):
    rolled_back, committed = uuid.uuid4().hex, uuid.uuid4().hex

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        record_marker.delay_on_commit(rolled_back)
        raise Abort

    with transaction.atomic():
        record_marker.delay_on_commit(committed)
        # Not sent before commit.
        time.sleep(0.3)
        assert cache.get(f"marker:{committed}") is None

    # The queue is first in, first out: once the later task has run, the earlier one would have.
    assert wait_for(lambda: cache.get(f"marker:{committed}"))
    assert cache.get(f"marker:{rolled_back}") is None


def embedded_env(var_dir):
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {
        **keep,
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def test_embedded_default_runs_beat_and_worker_without_a_broker_server(tmp_path):
    """On the embedded default (filesystem transport) beat schedules the heartbeat from
    the database and a separate worker process runs it."""
    env = embedded_env(tmp_path)
    python = sys.executable
    celery = str(Path(python).with_name("celery"))

    def run(*args):
        result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run(python, "manage.py", "migrate", "--no-input", "-v0")
    # Operators can change a schedule in the admin; make the heartbeat every second.
    run(
        python,
        "manage.py",
        "shell",
        "--no-imports",
        "-c",
        "from django_celery_beat.models import IntervalSchedule, PeriodicTask; "
        "every, _ = IntervalSchedule.objects.get_or_create(every=1, period='seconds'); "
        "PeriodicTask.objects.filter(name='platform: heartbeat').update(interval=every, crontab=None)",
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = [
        subprocess.Popen(
            [celery, "-A", "config", command, "--loglevel=INFO", *extra],
            cwd=ROOT,
            env=env,
            stdout=(logs / f"{command}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for command, extra in (
            ("worker", ["--pool=solo", "--without-mingle", "--without-gossip"]),
            ("beat", ["--pidfile=", f"--schedule={tmp_path / 'beat-schedule'}"]),
        )
    ]
    read_heartbeat = (
        "from django.core.cache import cache; from config.tasks import HEARTBEAT_CACHE_KEY; "
        "print(cache.get(HEARTBEAT_CACHE_KEY) or '')"
    )
    try:
        assert wait_for(
            lambda: run(python, "manage.py", "shell", "--no-imports", "-c", read_heartbeat).strip(),
            timeout=60,
        ), (logs / "worker.log").read_text() + (logs / "beat.log").read_text()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    assert "Sending due task platform: heartbeat" in (logs / "beat.log").read_text()
