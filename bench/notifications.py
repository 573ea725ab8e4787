"""The notification sweep and the cadence analyzer at size.

    make bench ARGS="notifications"              # 10,000 users, 60 sessions each, 10,000 due rows
    make bench ARGS="notifications --users 2000" # a quick run

1. Loads users (with preferences in four zones and a device each), one active plan per user with
   60 completed sessions (about 06:00 local with some spread, a third of the users at 18:00) and
   one planned session tomorrow, and 10,000 due notifications: evening briefs for tomorrow's
   session, completion celebrations and milestones (sessions and plans are loaded with COPY).
2. One worker sweeps them through the in-memory backend: sends per second (target >= 1,000).
3. The rows are put back to ``scheduled`` and two workers (threads, each with its own database
   connection) sweep at once: every row sent exactly once (no duplicate), both workers did work.
4. The cadence analyzer over every active plan (users × 60 samples): seconds (target < 30).
"""

import datetime as dt
import random
import threading
import time
from collections import Counter

SEND_TARGET = 1000.0
ANALYZER_TARGET_S = 30.0
ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Tokyo"]


def add_arguments(parser):
    parser.add_argument("--users", type=int, default=10_000, help="users, each with one active plan (10,000)")
    parser.add_argument("--sessions", type=int, default=60, help="completed sessions per plan (60)")
    parser.add_argument("--due", type=int, default=10_000, help="due notifications to sweep (10,000)")
    parser.add_argument("--batch", type=int, default=500, help="rows claimed per sweep transaction (500)")
    parser.add_argument("--profile", action="store_true", help="print a profile of the one-worker sweep")


def _copy(cursor, table, columns, rows):
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _setval(cursor, table):
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def load(args, report):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from config.timezones import aware_local
    from notifications.models import Device, Notification, NotificationPreferences
    from training.models import TrainingPlan

    User = get_user_model()
    rng = random.Random(11)
    now = timezone.now()
    today = now.date()
    start = time.perf_counter()
    with transaction.atomic():
        Notification.objects.all().delete()
        TrainingPlan.objects.all().delete()
        User.objects.filter(username__startswith="bench-n-").delete()
        users = User.objects.bulk_create(
            [User(username=f"bench-n-{i:06d}", password="!") for i in range(args.users)], batch_size=5000
        )
        zones = {u.pk: ZONES[i % len(ZONES)] for i, u in enumerate(users)}
        NotificationPreferences.objects.bulk_create(
            [
                NotificationPreferences(
                    user=u,
                    time_zone=zones[u.pk],
                    quiet_hours_start=dt.time(0, 0),
                    quiet_hours_end=dt.time(0, 0),
                    daily_budget=20,
                    tone=["drill_sergeant", "supportive_friend", "data_nerd", "minimalist"][u.pk % 4],
                )
                for u in users
            ],
            batch_size=5000,
        )
        Device.objects.bulk_create(
            [Device(user=u, platform="fcm", token=f"bench-token-{u.pk}") for u in users], batch_size=5000
        )
        plans = TrainingPlan.objects.bulk_create(
            [
                TrainingPlan(
                    user=u,
                    name="Bench plan",
                    goal_type="half",
                    start_date=today - dt.timedelta(days=args.sessions),
                    end_date=today + dt.timedelta(days=30),
                    duration_weeks=14,
                    status="active",
                    time_zone=zones[u.pk],
                    activated_at=now,
                )
                for u in users
            ],
            batch_size=5000,
        )
        columns = [
            "plan_id",
            "user_id",
            "date",
            "week_number",
            "session_type",
            "title",
            "description",
            "target_distance_km",
            "is_key_session",
            "purpose",
            "steps",
            "start_time_local",
            "time_zone",
            "status",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        from zoneinfo import ZoneInfo

        zone_objects = {name: ZoneInfo(name) for name in ZONES}

        def session_rows():
            for plan in plans:
                zone = zone_objects[plan.time_zone]
                habit = 18 * 60 if plan.user_id % 3 == 0 else 6 * 60
                for k in range(args.sessions):
                    day = today - dt.timedelta(days=args.sessions - k)
                    minute = habit + rng.randint(-25, 25)
                    done = aware_local(day, dt.time(minute // 60, minute % 60), zone)
                    yield (
                        plan.pk,
                        plan.user_id,
                        day,
                        k // 7 + 1,
                        "easy",
                        "Easy run",
                        "",
                        6.0,
                        False,
                        "",
                        "[]",
                        None,
                        plan.time_zone,
                        "completed",
                        done,
                        now,
                        now,
                    )
                yield (
                    plan.pk,
                    plan.user_id,
                    today + dt.timedelta(days=1),
                    9,
                    "long",
                    "Long run",
                    "",
                    16.0,
                    True,
                    "",
                    "[]",
                    dt.time(12, 0),
                    plan.time_zone,
                    "planned",
                    None,
                    now,
                    now,
                )

        with connection.cursor() as cursor:
            _copy(cursor, "training_plannedsession", columns, session_rows())
            _setval(cursor, "training_plannedsession")
    with connection.cursor() as cursor:  # what autovacuum would do after a load like this
        for table in ("auth_user", "training_trainingplan", "training_plannedsession"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("ANALYZE notifications_notificationpreferences")
        cursor.execute("ANALYZE notifications_device")
    report.add("load_seconds", round(time.perf_counter() - start, 1))
    return plans


def make_due(args, plans):
    """``args.due`` due rows: 70 % evening briefs, 20 % celebrations, 10 % milestones."""
    from django.db import connection
    from django.utils import timezone

    from notifications.models import Notification
    from training.models import PlannedSession

    now = timezone.now()
    Notification.objects.all().delete()
    upcoming = dict(PlannedSession.objects.filter(status="planned").values_list("plan_id", "id"))
    done = {}
    for plan_id, session_id in (
        PlannedSession.objects.filter(status="completed")
        .order_by("plan_id", "-date")
        .values_list("plan_id", "id")
    ):
        done.setdefault(plan_id, session_id)
    rows = []
    for i in range(args.due):
        plan = plans[i % len(plans)]
        which = i % 10
        if which < 7:
            kind, session, key = "evening_brief", upcoming[plan.pk], f"evening_brief:{plan.pk}:{i}"
        elif which < 9:
            kind, session, key = (
                "completion_celebration",
                done[plan.pk],
                f"completion_celebration:{plan.pk}:{i}",
            )
        else:
            kind, session, key = "milestone", None, f"milestone:{plan.pk}:halfway:{i}"
        rows.append(
            (
                plan.user_id,
                kind,
                plan.pk,
                session,
                key,
                now - dt.timedelta(minutes=1),
                now.date(),
                "scheduled",
                0,
                "{}",
                "",
                "",
                '{"reason": "bench", "events": [], "time_zone": "UTC"}',
                "",
                "",
                "",
                now,
                now,
            )
        )
    columns = [
        "user_id", "kind", "plan_id", "session_id", "dedupe_key", "send_at", "local_date", "status",
        "attempts", "payload", "tone", "channel", "decision", "provider_id", "error", "outcome",
        "created_at", "updated_at",
    ]  # fmt: skip
    with connection.cursor() as cursor:
        _copy(cursor, "notifications_notification", columns, rows)
        _setval(cursor, "notifications_notification")
        cursor.execute("ANALYZE notifications_notification")


def run(args, report):
    import os

    from django.db import connection

    from notifications.analyzer import profiles_recompute
    from notifications.delivery import InMemoryBackend
    from notifications.models import BehaviorProfile, Notification
    from notifications.sweep import sweep

    report.add("load_average_at_start", [round(x, 1) for x in os.getloadavg()])
    plans = load(args, report)
    report.add("users", args.users)
    report.add("sessions", args.users * (args.sessions + 1))

    # 1. one worker
    make_due(args, plans)
    InMemoryBackend.outbox = []
    start, cpu = time.perf_counter(), time.process_time()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(sweep, backend=InMemoryBackend(), batch_size=args.batch)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    else:
        result = sweep(backend=InMemoryBackend(), batch_size=args.batch)
    elapsed = time.perf_counter() - start
    report.add(
        "one_worker_cpu_seconds",
        round(time.process_time() - cpu, 2),
        "(this process; the database not counted)",
    )
    rate = result.sent / elapsed
    report.add("one_worker_seconds", round(elapsed, 2))
    report.add("one_worker_result", result.as_dict())
    report.add("one_worker_sends_per_s", round(rate))
    report.check(
        "one worker >= 1,000 sends/s",
        result.sent == args.due and rate >= SEND_TARGET,
        f"{result.sent} sent in {elapsed:.2f} s = {rate:.0f}/s",
    )

    # 2. two workers at once
    make_due(args, plans)
    InMemoryBackend.outbox = []
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(sweep(backend=InMemoryBackend(), batch_size=args.batch))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    per_row = Counter(m.notification_id for m in InMemoryBackend.outbox)
    duplicates = sum(1 for n in per_row.values() if n > 1)
    sent_rows = Notification.objects.filter(status="sent").count()
    report.add("two_workers_seconds", round(elapsed, 2))
    report.add("two_workers_sent", [r.sent for r in results])
    report.add("two_workers_sends_per_s", round(sum(r.sent for r in results) / elapsed))
    report.check(
        "two workers: no duplicate",
        duplicates == 0
        and sent_rows == args.due
        and len(per_row) == args.due
        and all(r.sent for r in results),
        f"{len(per_row)} rows delivered, {duplicates} more than once, {sent_rows} marked sent",
    )
    InMemoryBackend.outbox = []

    # 3. the analyzer
    BehaviorProfile.objects.all().delete()
    start, cpu = time.perf_counter(), time.process_time()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        analyzed = profiler.runcall(profiles_recompute)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    else:
        analyzed = profiles_recompute()
    elapsed = time.perf_counter() - start
    report.add("analyzer_cpu_seconds", round(time.process_time() - cpu, 2), "(this process)")
    report.add("analyzer_seconds", round(elapsed, 2))
    report.add("analyzer_profiles", analyzed.profiles)
    report.add("analyzer_fallbacks", analyzed.fallbacks)
    two_habits = BehaviorProfile.objects.filter(deviation_flags__contains=["two_habits"]).count()
    report.add("analyzer_two_habit_profiles", two_habits)
    report.check(
        f"analyzer {args.users:,} users x {args.sessions} sessions < 30 s",
        analyzed.profiles == args.users and elapsed < ANALYZER_TARGET_S,
        f"{analyzed.profiles} profiles in {elapsed:.1f} s",
    )
    report.add("load_average_at_end", [round(x, 1) for x in os.getloadavg()])
