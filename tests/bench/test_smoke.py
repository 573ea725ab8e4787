"""The HTTP benchmarks at a tiny scale, one short round each, so they cannot rot.

They check that every benchmark still builds its data, serves it through gunicorn to wrk next to
the floor and reports its figures, and that the correctness checks made under load (roll-ups,
statistics, counters exact) hold. Targets are for ``make bench``, not for the test suite.
"""

import importlib
import shutil

import pytest

from bench.__main__ import parse_module_args
from bench.harness import Report

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("wrk"), reason="the HTTP benchmarks need wrk"),
]

TINY = ["--tiny", "--rounds", "1", "--seconds", "1", "--workers", "2"]


def run_tiny(name):
    module = importlib.import_module(f"bench.{name}")
    report = Report(name)
    module.run(parse_module_args(module, TINY, lenient=False), report)
    return report


def http_figures(report):
    return {row["figure"]: row for row in report.rows if row["ratio"] is not None}


def correctness_checks(report):
    return {row["figure"]: row["ok"] for row in report.rows if row["ratio"] is None}


def assert_figures(report, names):
    figures = http_figures(report)
    assert set(names) <= set(figures), figures.keys()
    for name in names:
        stats = report.figures[name]
        assert stats["rps"] > 0 and stats["floor_rps"] > 0, stats
        assert stats["ratio"] > 0 and stats["p50_ms"] <= stats["p99_ms"], stats


def test_progress_benchmark_reports_every_figure_against_the_floor():
    report = run_tiny("progress")
    assert_figures(
        report,
        [
            "tree read, cached",
            "tree read after an event (rebuilt)",
            "events ingest, batches of 100",
            "events ingest, 2 shared learners",
        ],
    )
    assert report.figures["events ingest, batches of 100"]["unit"] == "events/s"
    assert correctness_checks(report) == {"roll-ups exact after ingest": True}


def test_scenarios_benchmark_reports_every_figure_against_the_floor():
    from django.db import connection

    try:
        report = run_tiny("scenarios")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_scenario_outcomes")
    assert_figures(
        report,
        [
            "list trending, 20 a page",
            "list top rated, 20 a page",
            "list filtered (role, difficulty, CEFR), 20 a page",
            "save (PUT .../save/)",
        ],
    )
    assert all(correctness_checks(report).values()), correctness_checks(report)


def test_curriculum_benchmark_reports_every_figure_against_the_floor():
    report = run_tiny("curriculum")
    assert_figures(report, ["ranked alternatives", "coach status, 16 learners"])
    assert correctness_checks(report) == {"statistics exact after concurrent status writes": True}


def test_training_benchmark_reports_the_plan_read_against_the_floor():
    report = run_tiny("training")
    assert_figures(report, ["plan read ?zoom=full, 16 weeks"])
    assert report.figures["plan_read_queries"] <= 3
    assert correctness_checks(report) == {"generate_median": True}


def test_notifications_benchmark_sweeps_every_row_once():
    module = importlib.import_module("bench.notifications")
    report = Report("notifications")
    args = ["--users", "40", "--sessions", "3", "--due", "120", "--batch", "50"]
    module.run(parse_module_args(module, args, lenient=False), report)
    assert report.figures["one_worker_sends_per_s"] > 0
    assert sum(report.figures["two_workers_sent"]) == 120
    assert report.figures["one_worker_result"]["sent"] == 120, report.figures["one_worker_result"]
    assert correctness_checks(report)["two workers: no duplicate"]


def test_summary_table_has_a_row_per_figure_with_ratio_target_and_pass():
    from bench.harness import summary_table

    report = Report("demo")
    stats = {
        "ratio": 0.75,
        "ratios": [0.7, 0.75, 0.8],
        "rate": 300.0,
        "unit": "requests/s",
        "rps": 300.0,
        "p50_ms": 10.0,
        "p95_ms": 20.0,
        "p99_ms": 30.0,
        "floor_rps": 400.0,
    }
    report.figure("list", stats, target=0.6)
    report.figure("save", {**stats, "ratio": 0.4}, target=0.5)
    report.check("exact", True, "0 drifted rows")
    table = summary_table(report.rows)
    assert (
        "| demo | list | 300.0 requests/s, p50/p95/p99 10/20/30 ms (floor 400.0 req/s) | 0.75x "
        "| >= 0.6x floor | yes |" in table
    )
    assert "| demo | save |" in table and "| **no** |" in table
    assert "| demo | exact | 0 drifted rows |  |  | yes |" in table
    assert not report.ok


def test_all_finds_every_benchmark_and_imports_only_benchmarks():
    import importlib

    from bench.__main__ import benchmark_names

    names = benchmark_names()
    assert names[0] == "scenarios"
    assert {"curriculum", "progress", "progress_awards", "training", "notifications", "soak"} <= set(names)
    for name in names:
        assert hasattr(importlib.import_module(f"bench.{name}"), "run"), name
