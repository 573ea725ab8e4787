"""``python -m bench NAME [options]`` (normally via ``make bench ARGS="NAME ..."``).

``NAME`` is a module of ``bench/`` (``scenarios``, ``progress`` ...), or ``all``: every
benchmark module at its default scale, one after the other, then one summary table in
``bench/results/summary.md``. ``all`` passes the options each module knows on to it (e.g.
``all --rounds 1 --seconds 3``) and leaves out the soak benchmark unless ``--soak`` is given.
"""

import argparse
import datetime
import importlib
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

# Modules of bench/ that are not benchmarks, and those ``all`` runs only when asked.
NOT_BENCHMARKS = {"harness", "http", "locustfile_soak"}
OPT_IN = {"soak"}
# ``all`` runs these first (the scenarios load expects the first ids of its tables), then the rest.
FIRST = ["scenarios"]


def benchmark_names() -> list[str]:
    folder = Path(__file__).resolve().parent
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(folder)])
        if not m.name.startswith("_") and m.name not in NOT_BENCHMARKS
    )
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]


def parse_module_args(module, rest: list[str], *, lenient: bool):
    sub = argparse.ArgumentParser(prog=f"bench {module.__name__.rsplit('.', 1)[-1]}")
    if hasattr(module, "add_arguments"):
        module.add_arguments(sub)
    if lenient:
        return sub.parse_known_args(rest)[0]
    return sub.parse_args(rest)


def run_one(name: str, rest: list[str], *, lenient: bool = False):
    from bench.harness import Report

    module = importlib.import_module(f"bench.{name}")
    args = parse_module_args(module, rest, lenient=lenient)
    report = Report(name)
    print(f"== bench {name}", flush=True)
    start = time.perf_counter()
    try:
        module.run(args, report)
    except Exception:
        traceback.print_exc()
        report.check("ran to the end", False, traceback.format_exc(limit=1).strip().splitlines()[-1])
    report.add("total_seconds", round(time.perf_counter() - start, 1))
    print(f"== saved {report.save()}", flush=True)
    return report


def write_summary(reports, argv) -> Path:
    from bench.harness import RESULTS_DIR, summary_table

    rows = [row for report in reports for row in report.rows]
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        f'# Benchmark summary\n\n`make bench ARGS="{" ".join(argv)}"`, {stamp}; {os.cpu_count()} CPUs, '
        f"load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())}.\n"
        "Ratios are throughput over the floor's (`GET /api/v1/ping/`) in the same round, on the same "
        "server and connections; each is the median of the rounds.\n\n"
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / "summary.md"
    path.write_text(head + summary_table(rows))
    return path


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("name", help="benchmark module in bench/ (e.g. scenarios), or all")
    parser.add_argument("--no-migrate", action="store_true", help="skip migrate")
    parser.add_argument("--soak", action="store_true", help="with all: run the soak benchmark too")
    known, rest = parser.parse_known_args(argv)
    if not known.no_migrate:
        call_command("migrate", verbosity=0)
    if known.name != "all":
        report = run_one(known.name, rest)
        return 0 if report.ok else 1
    names = [
        n
        for n in benchmark_names()
        if (known.soak or n not in OPT_IN) and hasattr(importlib.import_module(f"bench.{n}"), "run")
    ]
    print(f"== all: {', '.join(names)}", flush=True)
    reports = [run_one(name, rest, lenient=True) for name in names]
    print(f"== summary {write_summary(reports, argv)}", flush=True)
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
