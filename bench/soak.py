"""Soak: mixed client traffic against gunicorn, PostgreSQL and Redis for ``--duration`` seconds.

Builds a program of ``--blocks`` blocks, ``--learners`` learners (each with an API token, a
curriculum enrollment and the program's community), ``--scenarios`` public scenarios and a
curriculum of 3 steps x 4 plans; starts gunicorn on loopback (``--workers`` x ``--threads``) and
runs ``locust`` headless (``bench/locustfile_soak.py``) with ``--users`` simulated learners, each
waiting ``--wait-min``-``--wait-max`` seconds between requests: progress tree reads, event ingest,
scenario lists and saves, coach status (each learner enrolled in the curriculum) and reads of
the learner's own active 16-week training plan (`?zoom=week` and `?zoom=full`).

Reports requests served, failures (zero 5xx is a target, like p95 < 200 ms per endpoint),
p50/p95/p99 per endpoint, the web workers' resident memory after the warm-up and at the end (growth
<= 10%), and ends with every drift check: ``recompute_progress --dry-run``,
``reconcile_scenario_metadata --dry-run`` and ``rebuild_curriculum_stats --dry-run`` must report
zero. ``--small`` is the smoke variant the test suite runs (tiny data, 20 s).
"""

import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
P95_TARGET_MS = 200.0


def add_arguments(parser):
    parser.add_argument("--duration", type=int, default=600, help="seconds of traffic (default 600)")
    parser.add_argument("--users", type=int, default=24, help="simulated learners at once (default 24)")
    parser.add_argument(
        "--spawn-rate", type=float, default=4.0, help="learners started per second (default 4)"
    )
    parser.add_argument(
        "--wait-min", type=float, default=0.5, help="least pause between a user's requests (s)"
    )
    parser.add_argument(
        "--wait-max", type=float, default=1.5, help="longest pause between a user's requests (s)"
    )
    parser.add_argument("--learners", type=int, default=200, help="learners in the data (default 200)")
    parser.add_argument("--blocks", type=int, default=500, help="blocks in the program (default 500)")
    parser.add_argument("--scenarios", type=int, default=500, help="public scenarios (default 500)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="seconds of uncounted traffic first (default: a tenth of --duration, 5-60)",
    )
    parser.add_argument("--small", action="store_true", help="smoke run: tiny data, 20 s, 6 users")


# --- data ---------------------------------------------------------------------------------


def build_scenarios(count: int) -> list[int]:
    from scenarios.models import Difficulty, Role, Scenario, Visibility
    from scenarios.services import scenario_metadata_ensure

    tag = uuid.uuid4().hex[:6]
    roles, levels = list(Role.values), list(Difficulty.values)
    scenarios = Scenario.objects.bulk_create(
        [
            Scenario(
                title=f"Soak {tag} {i}",
                description="Order a coffee and ask about the pastries.",
                role=roles[i % len(roles)],
                difficulty=levels[i % len(levels)],
                instructions="Greet the barista and order.",
                context="A busy café on a Monday morning.",
                cefr_level="A2",
                visibility=Visibility.PUBLIC,
                is_active=True,
            )
            for i in range(count)
        ]
    )
    for scenario in scenarios:
        scenario_metadata_ensure(scenario=scenario)
    return [s.pk for s in scenarios]


def build_curriculum(users):
    from curriculum import services
    from curriculum.models import Alternative, Curriculum, Step

    tag = uuid.uuid4().hex[:6]
    curriculum = Curriculum.objects.create(slug=f"soak-{tag}", title=f"Soak {tag}", learner_noun="dogs")
    codes = ["A", "B", "C", "D"]
    for order in range(1, 4):
        step = Step.objects.create(curriculum=curriculum, order=order, title=f"Step {order}")
        Alternative.objects.bulk_create(
            [
                Alternative(
                    step=step,
                    order=i + 1,
                    code=code,
                    title=f"Plan {code}",
                    content={"instructions": ["Practise."]},
                    prior_success_rate=0.5,
                )
                for i, code in enumerate(codes)
            ]
        )
    services.curriculum_publish(user=None, curriculum=curriculum)
    enrollments = [
        services.enrollment_get_or_create(user=user, curriculum=curriculum, traits={})[0].pk for user in users
    ]
    return enrollments, codes


def build_training_plans(users) -> list[int]:
    """Each learner a runner: a profile, eight weeks of runs and an active 16-week half plan."""
    from bench.training import make_profiles
    from training import services

    make_profiles(users, activity_every_days=4)
    plans = []
    for user in users:
        plan = services.plan_generate(user=user, goal_type="half", duration_weeks=16, target_time_s=6300)
        plans.append(services.plan_activate(user=user, plan=plan).pk)
    return plans


def build(args) -> dict:
    from bench.progress import VERBS, build_program, make_learners

    community, program, blocks = build_program(args.blocks)
    learners = make_learners(community, args.learners, "soak")
    enrollments, codes = build_curriculum([user for user, _ in learners])
    plans = build_training_plans([user for user, _ in learners])
    scenario_ids = build_scenarios(args.scenarios)
    rng = random.Random(11)
    shuffled = list(blocks)
    rng.shuffle(shuffled)
    return {
        "program": program.pk,
        "blocks": [
            {
                "id": b.pk,
                "verb": VERBS.get(b.block_type, ("viewed", {}))[0],
                "extra": VERBS.get(b.block_type, ("", {}))[1],
            }
            for b in shuffled
        ],
        "learners": [
            {"token": token, "enrollment": enrollment, "training_plan": plan}
            for (_, token), enrollment, plan in zip(learners, enrollments, plans, strict=True)
        ],
        "scenarios": scenario_ids,
        "plan_codes": codes,
        "events_per_batch": 5,
        "wait_min_s": args.wait_min,
        "wait_max_s": args.wait_max,
    }


# --- measuring ------------------------------------------------------------------------------


def worker_rss_mb(master_pid: int) -> dict[int, float]:
    """Resident memory (MB) of each gunicorn worker (the master's children)."""
    import psutil

    try:
        children = psutil.Process(master_pid).children()
    except psutil.NoSuchProcess:
        return {}
    sizes = {}
    for child in children:
        try:
            sizes[child.pid] = round(child.memory_info().rss / 2**20, 1)
        except psutil.NoSuchProcess:
            continue
    return sizes


def sample_rss(master_pid: int, samples: list, duration: int, every: int) -> None:
    """Append ``(seconds, {pid: MB})`` every ``every`` seconds for ``duration`` seconds."""
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < duration:
        samples.append((round(elapsed), worker_rss_mb(master_pid)))
        time.sleep(every)


def read_stats(prefix: str) -> tuple[dict, dict]:
    """Per-endpoint figures and failures by message from locust's CSV files."""
    endpoints = {}
    with open(f"{prefix}_stats.csv") as handle:
        for row in csv.DictReader(handle):
            endpoints[row["Name"] if row["Name"] != "Aggregated" else "all"] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "per_s": round(float(row["Requests/s"] or 0), 1),
            }
    failures: dict[str, int] = {}
    with open(f"{prefix}_failures.csv") as handle:
        for row in csv.DictReader(handle):
            failures[f"{row['Name']}: {row['Error']}"] = int(row["Occurrences"])
    return endpoints, failures


def drift_checks() -> dict[str, tuple[int, str]]:
    """Each drift command with ``--dry-run``: (drifted rows, its last line)."""
    from django.core.management import call_command

    from curriculum.services import curriculum_stats_rebuild
    from progress.services import progress_recompute
    from scenarios.services import scenario_metadata_reconcile

    results = {}
    for command, count in (
        ("recompute_progress", lambda: len(progress_recompute(dry_run=True).drift)),
        ("reconcile_scenario_metadata", lambda: scenario_metadata_reconcile(dry_run=True).corrected),
        ("rebuild_curriculum_stats", lambda: len(curriculum_stats_rebuild(dry_run=True))),
    ):
        out = io.StringIO()
        call_command(command, "--dry-run", stdout=out, stderr=io.StringIO())
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        results[command] = (count(), lines[-1] if lines else "")
    return results


def run_locust(args, port: int, config_path: Path, prefix: Path, *, seconds: int) -> None:
    """Run locust headless for ``seconds``; its CSV files start with ``prefix``."""
    result = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "locust"),
            "-f",
            str(BENCH_DIR / "locustfile_soak.py"),
            "--headless",
            "--only-summary",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--loglevel",
            "WARNING",
        ],
        env={**os.environ, "SOAK_CONFIG": str(config_path)},
        capture_output=True,
        text=True,
        timeout=seconds + 180,
    )
    if result.returncode not in (0, 1):  # 1: some requests failed (counted from the CSV files)
        raise RuntimeError(f"locust exited with {result.returncode}:\n{result.stdout}{result.stderr}")


# --- run --------------------------------------------------------------------------------------


def run(args, report):
    from django.db import connection

    from bench.http import Server

    if args.small:
        args.duration = min(args.duration, 20)
        args.users, args.learners, args.blocks, args.scenarios = 6, 6, 100, 20
        args.spawn_rate = 6.0
    warmup = args.warmup if args.warmup is not None else min(120, max(5, args.duration // 5))

    started = time.perf_counter()
    config = build(args)
    report.add("data", {k: len(config[k]) for k in ("learners", "blocks", "scenarios")})
    report.add("build_seconds", round(time.perf_counter() - started, 1))
    connection.close()

    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    server = Server(workers=args.workers, worker_class="gthread", threads=args.threads).__enter__()
    proc, port = server.proc, server.port
    try:
        rss_cold = worker_rss_mb(proc.pid)
        # Warm-up: the same traffic, not counted (first requests load code and fill caches).
        run_locust(args, port, config_path, workdir / "warmup", seconds=warmup)
        rss_warm = worker_rss_mb(proc.pid)
        samples = []
        sampler = threading.Thread(
            target=sample_rss, args=(proc.pid, samples, args.duration, min(60, max(5, args.duration // 10)))
        )
        sampler.start()
        run_locust(args, port, config_path, workdir / "soak", seconds=args.duration)
        sampler.join()
        rss_end = worker_rss_mb(proc.pid)
    finally:
        server.__exit__(None, None, None)

    endpoints, failures = read_stats(str(workdir / "soak"))
    total = endpoints.pop("all")
    report.add(
        "load",
        {
            "duration_s": args.duration,
            "users": args.users,
            "warmup_s_not_counted": warmup,
            "wait_s": [args.wait_min, args.wait_max],
            "gunicorn": f"{args.workers} workers x {args.threads} threads",
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
    )
    report.add("requests_served", total["requests"])
    report.add("requests_per_second", total["per_s"])
    report.add("all_endpoints", total)
    for name, figures in sorted(endpoints.items()):
        report.add(f"endpoint: {name}", figures)
    report.add("failures", failures or "none")
    server_errors = sum(n for message, n in failures.items() if ": status 5" in message)
    report.check("zero_5xx", server_errors == 0, f"{server_errors} answers 5xx")
    report.check("zero_failures", total["failures"] == 0, f"{total['failures']} unexpected answers")
    slow = {name: f["p95_ms"] for name, f in endpoints.items() if f["p95_ms"] >= P95_TARGET_MS}
    report.check(
        "p95_under_200ms_each_endpoint",
        not slow,
        "all under 200 ms" if not slow else f"over: {slow}",
    )

    report.add("worker_rss_mb", {"cold": rss_cold, "after_warmup": rss_warm, "end": rss_end})
    report.add("worker_rss_mb_during_run", {f"{t}s": sizes for t, sizes in samples})
    growth = {
        pid: round((rss_end[pid] - rss_warm[pid]) / rss_warm[pid] * 100, 1)
        for pid in rss_warm
        if pid in rss_end and rss_warm[pid]
    }
    report.check(
        "worker_rss_growth_at_most_10pct",
        bool(growth) and max(growth.values()) <= 10.0,
        f"growth per worker from the end of the warm-up (%): {growth}",
    )

    for command, (rows, line) in drift_checks().items():
        report.check(f"{command} --dry-run: zero drift", rows == 0, f"{rows} drifted rows ({line})")
