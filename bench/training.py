"""Training: plan generation time, and the full plan read next to the floor.

* generation: ``generate`` (the pure generator) for a 16-week half-marathon plan, ``--calls``
  times (default 200) after a warm-up; target median < 50 ms. The whole ``plan_generate``
  service (profile and activities read, plan and its 112 sessions written) is reported too.
* plan read: ``GET /api/v1/training-plans/{id}/?zoom=full`` (every zoom level and the decision
  audit, about 40 KB) of 16 runners' own 16-week plans, loaded by wrk against gunicorn
  (``bench.http``) next to the floor; target >= 0.6x the floor.

``--tiny`` times fewer generations for a smoke run.
"""

import datetime as dt
import os
import statistics
import uuid

from bench.harness import summarize_ms, time_calls
from bench.http import Load, add_http_arguments, load_kwargs, measure, server_for


def add_arguments(parser):
    parser.add_argument("--calls", type=int, default=200, help="generations timed (default 200)")
    parser.add_argument("--runners", type=int, default=16, help="runners whose plans are read (default 16)")
    parser.add_argument("--tiny", action="store_true", help="smoke scale: 20 generations")
    add_http_arguments(parser)


def make_profiles(users, *, activity_every_days: int = 2):
    """Each user a runner: a profile and eight weeks of runs (one every ``activity_every_days``)."""
    from training.models import Activity, RunnerProfile

    RunnerProfile.objects.bulk_create(
        [
            RunnerProfile(
                user=user,
                experience_level=("beginner", "intermediate", "advanced")[i % 3],
                recent_weekly_km=25 + i % 20,
                longest_recent_run_km=10 + i % 5,
                recent_race_distance_m=10000,
                recent_race_time_s=2700 - (i % 20) * 20,
                available_days=["mon", "tue", "thu", "sat", "sun"],
                long_run_day="sun",
                min_rest_days=2,
                time_zone=("Europe/Berlin", "America/New_York", "Asia/Tokyo")[i % 3],
            )
            for i, user in enumerate(users)
        ]
    )
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=56)
    Activity.objects.bulk_create(
        [
            Activity(
                user=user,
                started_at=start + dt.timedelta(days=day),
                duration_s=2400,
                distance_m=7000,
                time_zone="Europe/Berlin",
                perceived_effort=5,
            )
            for user in users
            for day in range(0, 56, activity_every_days)
        ]
    )


def make_runners(count):
    from django.contrib.auth import get_user_model

    from config.services import api_tokens_issue_many

    User = get_user_model()
    tag = uuid.uuid4().hex[:6]
    users = User.objects.bulk_create([User(username=f"runner-{tag}-{i}", password="!") for i in range(count)])
    make_profiles(users)
    tokens = api_tokens_issue_many(user_ids=[u.pk for u in users])
    return list(zip(users, tokens, strict=True))


def run(args, report):
    from training import generator, services

    if args.tiny:
        args.calls = 20
    from config.timezones import local_today
    from training.services.plans import plan_preview, runner_input_for

    report.add("cpus", os.cpu_count())
    report.add("load_average_at_start", [round(x, 2) for x in os.getloadavg()])
    runners = make_runners(args.runners)
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
        services.plan_activate(user=runner, plan=plan)
        pairs.append((token, f"/api/v1/training-plans/{plan.pk}/?zoom=full"))
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    probe = Client(HTTP_AUTHORIZATION=f"Token {pairs[0][0]}")
    probe.get(pairs[0][1])
    with CaptureQueriesContext(connection) as queries:
        answer = probe.get(pairs[0][1])
    assert answer.status_code == 200, answer.content[:300]
    report.add("plan_read_queries", len(queries), "per cached read (the token comes from the cache)")
    report.add("plan_read_bytes", len(answer.content))
    connection.close()

    with server_for(args) as server:
        report.add("server", server.describe())
        floor = server.floor_load([token for token, _ in pairs])
        measure(
            report,
            server,
            Load("plan read", pairs=pairs),
            floor,
            figure="plan read ?zoom=full, 16 weeks",
            target=0.6,
            **load_kwargs(args),
        )
