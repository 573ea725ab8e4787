"""What operators scrape from ``/metrics`` (Prometheus text format, ``prometheus-client``).

* ``http_requests_total{view,method,status}`` and ``http_request_duration_seconds{view,method}``:
  every request, by its URL pattern's name (``api:progress-tree-program``, ``admin:index``, ...),
  recorded by ``MetricsMiddleware``;
* ``celery_tasks_total{task,outcome}`` and ``celery_task_duration_seconds{task}``: every task a
  worker runs (``success``, ``failure``, ``retry``), from Celery's signals (``connect_celery_signals``);
* ``reconcile_drift_total{job}``: rows a reconciliation job found drifted and corrected; services
  call ``record_drift("progress_recompute", n)``;
* ``cache_errors_total{operation}``: cache calls that failed and were served without the cache;
* ``activity_files_total{via,outcome,reason}``: activity files imported, duplicate (imported before)
  or refused, by reason code (``crc``, ``truncated``, ``sport``, ``gzip_bomb``...), one file at a
  time (``via="file"``) or from an archive (``via="archive"``); services call ``record_activity_file``;
* ``notification_copy_errors_total{kind,tone}``: notifications sent with the built-in copy because
  the designer's template of that kind and tone failed to compile or render;
* ``pending_tasks``: tasks waiting in the outbox because the broker refused them;
* ``notifications{status}``: the notification outbox by status, read at scrape time, once the
  notifications app has a ``Notification`` model with a ``status`` field.

Several processes (gunicorn workers, Celery's prefork children): with ``PROMETHEUS_MULTIPROC_DIR``
set (an empty folder shared by the processes of one machine, emptied before they start) each
process writes its samples there and ``/metrics`` adds them up (prometheus-client's multiprocess
mode). Without it each process reports only its own.
"""

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0)

http_requests = Counter(
    "http_requests", "HTTP requests answered, by view, method and status.", ["view", "method", "status"]
)
http_latency = Histogram(
    "http_request_duration_seconds",
    "Time from the request entering Django to its response, by view and method.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
)
celery_tasks = Counter("celery_tasks", "Celery tasks run, by task and outcome.", ["task", "outcome"])
celery_task_duration = Histogram(
    "celery_task_duration_seconds", "Celery task run time, by task.", ["task"], buckets=TASK_BUCKETS
)
reconcile_drift = Counter(
    "reconcile_drift", "Rows a reconciliation job found drifted (and corrected, unless a dry run).", ["job"]
)
cache_errors = Counter(
    "cache_errors", "Cache calls that failed and were served without the cache.", ["operation"]
)
notification_copy_errors = Counter(
    "notification_copy_errors",
    "Notifications sent with the built-in copy because the designer's template failed, by kind and tone.",
    ["kind", "tone"],
)


activity_files = Counter(
    "activity_files",
    "Activity files imported, duplicate or refused, by how they came and the refusal's reason code.",
    ["via", "outcome", "reason"],
)


def record_activity_file(*, via: str, outcome: str, reason: str = "") -> None:
    """Count one activity file: ``outcome`` is ``imported``, ``duplicate`` or ``refused`` (``reason``
    is then the refusal's code)."""
    activity_files.labels(via=via, outcome=outcome, reason=reason).inc()


def record_drift(job: str, rows: int) -> None:
    """Count ``rows`` drifted rows found by reconciliation ``job`` (no-op for zero)."""
    if rows:
        reconcile_drift.labels(job=job).inc(rows)


# --- scrape-time gauges -------------------------------------------------------------------


class DatabaseGaugesCollector:
    """Gauges read from the database when scraped (so every process reports the same truth)."""

    def collect(self):
        from django.apps import apps
        from django.db.models import Count

        from config.models import PendingTask

        pending = GaugeMetricFamily("pending_tasks", "Tasks waiting in the outbox for the broker.")
        try:
            pending.add_metric([], PendingTask.objects.count())
        except Exception:  # the database is down: /healthz says so; the scrape still answers
            return
        yield pending
        try:
            model = apps.get_model("notifications", "Notification")
            model._meta.get_field("status")
        except (LookupError, Exception):  # no outbox model yet
            return
        family = GaugeMetricFamily("notifications", "Notification outbox rows by status.", labels=["status"])
        for row in model.objects.values("status").annotate(n=Count("pk")).order_by("status"):
            family.add_metric([str(row["status"])], row["n"])
        yield family


class _ProcessRegistry:
    """The default registry as one collector (single-process mode)."""

    def collect(self):
        from prometheus_client import REGISTRY

        yield from REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    """A registry for one scrape: this process's metrics (or every process's, in multiprocess
    mode) plus the database gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessRegistry())
    registry.register(DatabaseGaugesCollector())
    return registry


# --- HTTP ---------------------------------------------------------------------------------


class MetricsMiddleware:
    """Counts every request by view name, method and status, with its latency."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match.route) if match else "<unresolved>"
        method = request.method if request.method in KNOWN_METHODS else "other"
        http_latency.labels(view=view, method=method).observe(time.perf_counter() - start)
        http_requests.labels(view=view, method=method, status=str(response.status_code)).inc()
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


# --- Celery -------------------------------------------------------------------------------

_task_started: dict[str, float] = {}


def _task_prerun(task_id=None, **kwargs):
    _task_started[task_id] = time.perf_counter()


def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    if started is not None:
        celery_task_duration.labels(task=name).observe(time.perf_counter() - started)
    outcome = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}.get(state, str(state).lower())
    celery_tasks.labels(task=name, outcome=outcome).inc()


def connect_celery_signals():
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_prerun, weak=False, dispatch_uid="platform.metrics.task_prerun")
    task_postrun.connect(_task_postrun, weak=False, dispatch_uid="platform.metrics.task_postrun")
