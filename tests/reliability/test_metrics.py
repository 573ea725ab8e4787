"""/metrics: Prometheus text for operators (requests by view and status with latency, task outcomes,
reconciliation drift, the pending task outbox), closed to everyone else."""

import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from config.metrics import record_drift
from config.tasks import purge_idempotency_keys

pytestmark = pytest.mark.django_db


def scrape(client, **extra) -> dict:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_view_and_status_with_latency(client, auth_client):
    before = scrape(client)
    assert auth_client.get(reverse("api:scenario-list")).status_code == 200
    assert auth_client.get(reverse("api:scenario-detail", args=[999999])).status_code == 404
    after = scrape(client)
    view = "api:scenario-list"
    assert value(after, "http_requests_total", view=view, method="GET", status="200") == (
        value(before, "http_requests_total", view=view, method="GET", status="200") + 1
    )
    assert value(after, "http_requests_total", view="api:scenario-detail", method="GET", status="404") >= 1
    assert value(after, "http_request_duration_seconds_count", view=view, method="GET") >= 1
    assert value(after, "http_request_duration_seconds_bucket", view=view, method="GET", le="+Inf") >= 1


def test_task_outcomes_drift_and_the_outbox_are_reported(client):
    from config.models import PendingTask

    before = scrape(client)
    purge_idempotency_keys.delay()
    record_drift("progress_recompute", 3)
    record_drift("progress_recompute", 0)
    PendingTask.objects.create(task="progress.tasks.recompute_community_progress", args=[1])
    after = scrape(client)
    task = "config.tasks.purge_idempotency_keys"
    assert value(after, "celery_tasks_total", task=task, outcome="success") == (
        value(before, "celery_tasks_total", task=task, outcome="success") + 1
    )
    assert value(after, "celery_task_duration_seconds_count", task=task) >= 1
    assert value(after, "reconcile_drift_total", job="progress_recompute") == (
        value(before, "reconcile_drift_total", job="progress_recompute") + 3
    )
    assert value(after, "pending_tasks") == 1


def test_the_reconcile_services_count_the_drift_they_find(client, user):
    from progress.models import NodeProgress
    from progress.services import progress_recompute
    from tests.progress.test_recompute import _tree
    from tests.progress.utils import join

    community, program, blocks = _tree()
    join(user, community)
    from django.utils import timezone

    from progress.services import events_ingest

    events_ingest(
        user=user,
        events=[
            {"block": blocks[0].pk, "event": "viewed", "occurred_at": timezone.now(), "idempotency_key": "x"}
        ],
    )
    NodeProgress.objects.filter(user=user).update(time_spent_s=12345)
    before = value(scrape(client), "reconcile_drift_total", job="progress_recompute")
    drifted = len(progress_recompute(dry_run=True).drift)
    assert drifted > 0
    assert value(scrape(client), "reconcile_drift_total", job="progress_recompute") == before + drifted


def test_metrics_are_closed_to_other_addresses_unless_they_bear_the_token(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.9"]
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 200
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code == 200
    assert client.post("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 405


def test_multiprocess_mode_adds_up_every_process(client, tmp_path, monkeypatch):
    """With PROMETHEUS_MULTIPROC_DIR set, a scrape reads every process's files (gunicorn workers)."""
    import subprocess
    import sys

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    code = (
        "from prometheus_client import Counter; "
        "Counter('http_requests', 'x', ['view', 'method', 'status'])"
        ".labels(view='api:scenario-list', method='GET', status='200').inc(7)"
    )
    for _ in range(2):  # two worker processes
        subprocess.run(
            [sys.executable, "-c", code], check=True, env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
        )
    samples = scrape(client)
    assert value(samples, "http_requests_total", view="api:scenario-list", method="GET", status="200") == 14


def test_notification_outbox_gauge_appears_once_there_is_a_notification_model(client):
    from django.apps import apps

    try:
        apps.get_model("notifications", "Notification")._meta.get_field("status")
    except Exception:  # no model, or no status field, yet
        has_outbox = False
    else:
        has_outbox = True
    body = client.get("/metrics").content.decode()
    assert ("# TYPE notifications gauge" in body) is has_outbox
    assert "# TYPE pending_tasks gauge" in body
