"""Training: plan generation time and the full plan read under load.

* generation: ``generate`` (the pure generator) for a 16-week half-marathon plan, ``--calls``
  times (default 200) after a warm-up; target median < 50 ms. The whole ``plan_generate``
  service (profile and activities read, plan and its 112 sessions written) is reported too.
* plan read: ``GET /api/v1/training-plans/{id}/?zoom=full`` (every zoom level and the decision
  audit, about 40 KB) from ``--clients`` keep-alive connections (default 16), each runner reading
  their own plan, loaded by wrk against gunicorn on loopback (the approach of ``bench/progress.py``);
  ``--rounds`` rounds of ``--duration`` seconds, target checked on the median round: p95 < 50 ms.
  Without wrk (``--in-process``) the clients are threads calling Django's WSGI handler.
"""

import datetime as dt
import os
import shutil
import statistics
import subprocess
import tempfile
import uuid

from bench.harness import run_clients, summarize_ms, time_calls
from bench.progress import HttpClient, InProcessClient, WsgiClient, start_server


def add_arguments(parser):
    parser.add_argument("--calls", type=int, default=200, help="generations timed (default 200)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent readers (default 16)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of plan reads (default 3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk round (default 10)")
    parser.add_argument("--reads", type=int, default=60, help="reads per client without wrk (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="read with threads calling Django's WSGI handler instead of wrk against gunicorn",
    )


WRK_SCRIPT = """
local tokens = {%(tokens)s}
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #tokens + 1
  return wrk.format("GET", paths[i], {["Authorization"] = "Token " .. tokens[i], ["Host"] = "127.0.0.1"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%.3f %%.3f %%.3f %%.3f %%.3f %%d\\n",
    summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000, e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def wrk_round(port, pairs, *, clients, seconds):
    script = WRK_SCRIPT % {
        "tokens": ", ".join(f'"{token}"' for token, _ in pairs),
        "paths": ", ".join(f'"{path}"' for _, path in pairs),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as handle:
        handle.write(script)
        handle.flush()
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(clients),
                "-d",
                f"{seconds}s",
                "--timeout",
                "5s",
                "-s",
                handle.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    line = next(row for row in out.splitlines() if row.startswith("WRK "))
    requests, duration_us, p50, p95, p99, mean, peak, errors = line.split()[1:]
    if int(errors):
        raise RuntimeError(f"wrk saw {errors} errors or non-200 answers:\n{out}")
    return {
        "n": int(requests),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "mean_ms": float(mean),
        "max_ms": float(peak),
        "reads_per_s": round(int(requests) / (int(duration_us) / 1e6), 1),
    }


def make_runners(count):
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from training.models import Activity, RunnerProfile

    User = get_user_model()
    tag = uuid.uuid4().hex[:6]
    users = User.objects.bulk_create([User(username=f"runner-{tag}-{i}", password="!") for i in range(count)])
    RunnerProfile.objects.bulk_create(
        [
            RunnerProfile(
                user=u,
                experience_level=("beginner", "intermediate", "advanced")[i % 3],
                recent_weekly_km=25 + i,
                longest_recent_run_km=10 + i % 5,
                recent_race_distance_m=10000,
                recent_race_time_s=2700 - i * 20,
                available_days=["mon", "tue", "thu", "sat", "sun"],
                long_run_day="sun",
                min_rest_days=2,
                time_zone="Europe/Berlin",
            )
            for i, u in enumerate(users)
        ]
    )
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=56)
    Activity.objects.bulk_create(
        [
            Activity(
                user=u,
                started_at=start + dt.timedelta(days=d),
                duration_s=2400,
                distance_m=7000,
                time_zone="Europe/Berlin",
                perceived_effort=5,
            )
            for u in users
            for d in range(0, 56, 2)
        ]
    )
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
    return list(zip(users, [t.key for t in tokens], strict=True))


def run(args, report):
    from training import generator, services
    from training.services.plans import local_today, plan_preview, runner_input_for

    report.add("cpus", os.cpu_count())
    report.add("load_average_at_start", [round(x, 2) for x in os.getloadavg()])
    runners = make_runners(args.clients)
    user = runners[0][0]

    # Generation: the pure generator, from inputs read once.
    today = local_today("Europe/Berlin")
    runner_input = runner_input_for(user=user, today=today)
    start = today + dt.timedelta(days=(7 - today.weekday()) % 7)
    request = generator.PlanRequest(
        goal_type="half",
        start_date=start,
        weeks=16,
        today=today,
        captured_at=dt.datetime.now(dt.UTC),
        target_time_s=6300,
    )
    samples = time_calls(lambda: generator.generate(runner_input, request), n=args.calls)
    stats = summarize_ms(samples)
    stats["median_ms"] = round(statistics.median(samples) * 1000, 3)
    report.add("generate_16_weeks", stats)
    report.check(
        "generate_median", stats["median_ms"] < 50, f"median {stats['median_ms']} ms < 50 ms (16 weeks)"
    )
    preview = summarize_ms(
        time_calls(
            lambda: plan_preview(user=user, goal_type="half", duration_weeks=16), n=max(20, args.calls // 10)
        )
    )
    report.add("plan_preview_with_reads", preview, "profile and 60 days of activities read, nothing written")
    service = summarize_ms(
        time_calls(
            lambda: services.plan_generate(user=user, goal_type="half", duration_weeks=16), n=20, warmup=2
        )
    )
    report.add("plan_generate_service", service, "generate + save the plan and its 112 sessions")

    # The full plan read.
    pairs = []
    for runner, token in runners:
        plan = services.plan_generate(user=runner, goal_type="half", duration_weeks=16, target_time_s=6300)
        pairs.append((token, f"/api/v1/training-plans/{plan.pk}/?zoom=full"))
    probe = InProcessClient(pairs[0][0])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    probe.request("GET", pairs[0][1])
    with CaptureQueriesContext(connection) as queries:
        status, body = probe.request("GET", pairs[0][1])
    assert status == 200, body[:300]
    report.add(
        "plan_read_queries",
        len(queries),
        "per cached read: the plan's version (the token comes from the cache)",
    )
    report.add("plan_read_bytes", len(body))

    use_wrk = not args.in_process
    if use_wrk and not shutil.which("wrk"):
        raise SystemExit("wrk is missing (apt-get install wrk), or pass --in-process")
    report.add(
        "mode", "wrk against gunicorn on loopback" if use_wrk else "Django's WSGI handler from threads"
    )
    server = None
    try:
        if use_wrk:
            server, port = start_server(args)
            for token, path in pairs * 3:  # every worker up and warm before the first round
                status, body = HttpClient(port, token).request("GET", path)
                if status != 200:
                    raise RuntimeError(f"plan read {status}: {body[:200]!r}")
        else:
            clients = [WsgiClient(token) for token, _ in pairs]

            def read(index, call):
                status, body = clients[index].request("GET", pairs[index][1])
                if status != 200:
                    raise RuntimeError(f"plan read {status}: {body[:200]!r}")

        rounds = []
        for round_ in range(args.rounds):
            if use_wrk:
                stats = wrk_round(port, pairs, clients=args.clients, seconds=args.duration)
            else:
                samples, wall = run_clients(read, clients=args.clients, calls_per_client=args.reads)
                stats = summarize_ms(samples)
                stats["reads_per_s"] = round(len(samples) / wall, 1)
            report.add(f"plan_read_round_{round_ + 1}", stats)
            rounds.append(stats)
        median = sorted(rounds, key=lambda r: r["p95_ms"])[len(rounds) // 2]
        report.check(
            "plan_read_p95",
            median["p95_ms"] < 50,
            f"median round p95 {median['p95_ms']} ms < 50 ms at {args.clients} clients (?zoom=full)",
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
