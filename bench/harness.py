"""Small benchmark toolkit: latency percentiles, concurrent clients, a report.

A benchmark is a module ``bench/<name>.py`` with ``add_arguments(parser)`` (optional) and
``run(args, report)``. ``make bench ARGS="<name> [options]"`` starts PostgreSQL and Redis
(like the test command), migrates a fresh benchmark database and calls it. Figures go to the
terminal and to ``bench/results/<name>.json``.
"""

import json
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def percentile(samples: list[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) of ``samples`` by the nearest-rank method."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarize_ms(samples_s: list[float]) -> dict:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(statistics.fmean(ms), 3) if ms else None,
        "max_ms": round(max(ms), 3) if ms else None,
    }


def time_calls(fn: Callable[[], object], *, n: int, warmup: int = 5) -> list[float]:
    """Call ``fn`` ``warmup`` times untimed, then ``n`` times; return each call's seconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def run_clients(
    fn: Callable[[int, int], object], *, clients: int, calls_per_client: int
) -> tuple[list[float], float]:
    """Run ``fn(client_index, call_index)`` from ``clients`` threads at once.

    Each thread closes its own database connection at the end. Returns every call's seconds
    and the wall-clock seconds of the whole run.
    """
    from django.db import connection

    samples: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def worker(index: int):
        local = []
        try:
            barrier.wait()
            for call in range(calls_per_client):
                start = time.perf_counter()
                fn(index, call)
                local.append(time.perf_counter() - start)
        except BaseException as exc:  # reported after the run
            errors.append(exc)
        finally:
            connection.close()
            with lock:
                samples.extend(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed; first: {errors[0]!r}") from errors[0]
    return samples, wall


class Report:
    """Collects named figures, prints them as they come, and saves them as JSON.

    ``figure`` records an HTTP figure (throughput, percentiles, ratio to the floor) and
    ``check`` a target met or missed; both become rows of the summary table
    (``bench/results/summary.md`` after ``make bench ARGS="all"``).
    """

    def __init__(self, name: str):
        self.name = name
        self.figures: dict[str, object] = {}
        self.rows: list[dict] = []

    def add(self, key: str, value, note: str = ""):
        self.figures[key] = value
        print(f"  {key}: {value}{'  ' + note if note else ''}", flush=True)

    def check(self, key: str, ok: bool, detail: str, *, row: bool = True):
        """Record a target met or missed; a missed target makes the run exit non-zero."""
        self.figures.setdefault("targets", {})[key] = {"ok": bool(ok), "detail": detail}
        print(f"  [{'PASS' if ok else 'MISS'}] {key}: {detail}", flush=True)
        if row:
            self.rows.append(
                {
                    "benchmark": self.name,
                    "figure": key,
                    "measured": detail,
                    "ratio": None,
                    "target": "",
                    "ok": ok,
                }
            )

    def figure(self, key: str, stats: dict, *, target: float | None = None, rate_target: float | None = None):
        """An HTTP figure from ``bench.http.measure``: checked on its ratio to the floor (and on
        its rate when ``rate_target`` is given)."""
        self.figures[key] = stats
        ok = True
        targets = []
        if target is not None:
            ok = ok and stats["ratio"] >= target
            targets.append(f">= {target:g}x floor")
        if rate_target is not None:
            ok = ok and stats["rate"] >= rate_target
            targets.append(f">= {rate_target:,.0f} {stats['unit']}")
        measured = (
            f"{stats['rate']:,.1f} {stats['unit']}, p50/p95/p99 {stats['p50_ms']:g}/{stats['p95_ms']:g}/"
            f"{stats['p99_ms']:g} ms (floor {stats['floor_rps']:,.1f} req/s)"
        )
        print(f"  {key}: {measured}; ratio {stats['ratio']} (rounds {stats['ratios']})", flush=True)
        if targets:
            self.figures.setdefault("targets", {})[key] = {
                "ok": ok,
                "detail": f"{measured}; ratio {stats['ratio']}",
            }
            print(f"  [{'PASS' if ok else 'MISS'}] {key}: {', '.join(targets)}", flush=True)
        self.rows.append(
            {
                "benchmark": self.name,
                "figure": key,
                "measured": measured,
                "ratio": stats["ratio"],
                "target": ", ".join(targets),
                "ok": ok if targets else None,
            }
        )

    @property
    def ok(self) -> bool:
        return all(t["ok"] for t in self.figures.get("targets", {}).values())

    def save(self) -> Path:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"{self.name}.json"
        self.figures["summary_rows"] = self.rows
        path.write_text(json.dumps(self.figures, indent=2, default=str))
        return path


def summary_table(rows: list[dict]) -> str:
    """The summary as a Markdown table: benchmark, figure, measured, ratio, target, pass."""
    lines = [
        "| benchmark | figure | measured | ratio to floor | target | pass |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else ""
        passed = {True: "yes", False: "**no**", None: ""}[row["ok"]]
        cells = [row["benchmark"], row["figure"], row["measured"], ratio, row["target"], passed]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
