"""The soak benchmark's short variant: 20 seconds of mixed traffic from locust against gunicorn on
the test database; no server error, no unexpected answer, zero drift afterwards. (Latency and
memory targets are for the ten-minute run, ``make bench ARGS="soak"``.)"""

import argparse
import secrets

import pytest
from django.db import connection

from bench import soak
from bench.harness import Report


@pytest.mark.django_db(transaction=True)
def test_twenty_seconds_of_mixed_traffic_serve_no_error_and_leave_no_drift(monkeypatch):
    settings_dict = connection.settings_dict
    database_url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    monkeypatch.setenv("DATABASE_URL", database_url)  # gunicorn serves the test database
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(40))
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECURE_SSL_REDIRECT", "0")
    parser = argparse.ArgumentParser()
    soak.add_arguments(parser)
    args = parser.parse_args(["--small", "--duration", "20", "--warmup", "5"])
    report = Report("soak-smoke")
    soak.run(args, report)

    targets = report.figures["targets"]
    for name in (
        "zero_5xx",
        "zero_failures",
        "recompute_progress --dry-run: zero drift",
        "reconcile_scenario_metadata --dry-run: zero drift",
        "rebuild_curriculum_stats --dry-run: zero drift",
    ):
        assert targets[name]["ok"], f"{name}: {targets[name]['detail']}"
    assert report.figures["requests_served"] > 20
    assert {"progress tree", "progress events", "scenario list", "coach status", "training plan"} <= {
        key.removeprefix("endpoint: ") for key in report.figures
    }
