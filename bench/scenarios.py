"""Scenario rankings at size over HTTP, the old per-attempt model, and saves under contention.

    make bench ARGS="scenarios"            # 100,000 scenarios, 1,000,000 progress rows
    make bench ARGS="scenarios --small"    # 5,000 / 50,000: a quick run

1. Bulk-loads scenarios, users, user progress and the matching metadata with COPY, plus an
   equivalent bench-only per-attempt table (``bench_scenario_outcomes``, one row per attempt,
   like the old ``scenario_outcomes``).
2. Loads gunicorn with wrk (``bench.http``), each figure next to the floor: the ranked lists
   (trending, top rated, filtered by role + difficulty + CEFR), 20 a page, as 16 users with
   progress on the page (target >= 0.6x the floor each); ``PUT /scenarios/{id}/save/``, every
   request a new (user, scenario) pair (target >= 0.5x).
3. Times the old model's aggregate ("most saved" and "top rated" by GROUP BY over the
   per-attempt rows) and the new model's ranked query, and reports the ratio.
4. 32 clients save and unsave one scenario at once: the final saved count must equal the
   number of users whose last action was a save, with no drift against a recount.
"""

import math
import random
import time
from datetime import UTC, datetime, timedelta

from bench.harness import run_clients, summarize_ms, time_calls
from bench.http import Load, add_http_arguments, load_kwargs, measure, server_for

ROLES = ["tutor", "character", "friend", "expert"]
DIFFICULTIES = ["beginner", "intermediate", "advanced"]
CEFR = ["A1", "A2", "B1", "B2", "C1", "C2"]
LIST_TARGET_MS = 30.0
VERBS = ["ordering", "asking", "booking", "negotiating", "explaining"]
THINGS = ["coffee", "tickets", "a flat", "a salary", "symptoms", "directions"]


def add_arguments(parser):
    parser.add_argument("--scenarios", type=int, default=100_000, help="scenarios to load (default 100,000)")
    parser.add_argument("--progress", type=int, default=1_000_000, help="progress rows (default 1,000,000)")
    parser.add_argument("--per-user", type=int, default=50, help="progress rows per user (default 50)")
    parser.add_argument("--samples", type=int, default=200, help="timed runs of each new-model query")
    parser.add_argument("--old-samples", type=int, default=10, help="timed runs of each old-model query")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients saving one scenario")
    parser.add_argument("--toggles", type=int, default=50, help="save/unsave calls per client")
    parser.add_argument("--small", action="store_true", help="5,000 scenarios and 50,000 progress rows")
    parser.add_argument("--tiny", action="store_true", help="smoke scale: 2,000 scenarios, 10,000 rows")
    parser.add_argument("--users", type=int, default=16, help="users whose tokens the load rotates over")
    parser.add_argument("--load-only", action="store_true", help="load the data and stop (for profiling)")
    add_http_arguments(parser)


# --- loading ----------------------------------------------------------------------------


def _copy(cursor, table, columns, rows):
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _setval(cursor, table):
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def load(args, report):
    from django.conf import settings
    from django.db import connection, transaction

    from scenarios.scoring import TRENDING_EMPTY, bayesian_score, trending_exponent, trending_log_add

    rng = random.Random(42)
    n_scenarios, n_progress = args.scenarios, args.progress
    n_users = max(args.clients, math.ceil(n_progress / args.per_user))
    now = datetime.now(UTC)
    start = time.perf_counter()

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM auth_user")
        first_user = cursor.fetchone()[0] + 1
    user_ids = list(range(first_user, first_user + n_users))

    with transaction.atomic(), connection.cursor() as cursor:
        _copy(
            cursor,
            "auth_user",
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            ((uid, "!", False, f"bench-{uid}", "", "", "", False, True, now) for uid in user_ids),
        )
        _setval(cursor, "auth_user")

        # Each scenario's filter columns, which its metadata row copies.
        copies = [None] * (n_scenarios + 1)

        def scenario_rows():
            for sid in range(1, n_scenarios + 1):
                private = rng.random() < 0.05
                created = now - timedelta(minutes=n_scenarios - sid)
                title = f"Scenario {sid}: {rng.choice(VERBS)} {rng.choice(THINGS)}"
                role, difficulty = rng.choice(ROLES), rng.choice(DIFFICULTIES)
                rating, cefr = rng.randint(1, 10), rng.choice(CEFR)
                owner = rng.choice(user_ids) if private else None
                active = rng.random() > 0.02
                copies[sid] = (active, role, difficulty, cefr)
                yield (
                    sid,
                    title,
                    "A practice conversation.",
                    role,
                    difficulty,
                    "Talk it through.",
                    "Somewhere busy.",
                    "",
                    "",
                    "[]",
                    rating,
                    cefr,
                    "",
                    owner,
                    "private" if private else "public",
                    active,
                    created,
                    created,
                )

        _copy(
            cursor,
            "scenarios_scenario",
            [
                "id",
                "title",
                "description",
                "role",
                "difficulty",
                "instructions",
                "context",
                "expected_outcome",
                "learning_goal",
                "learning_objectives",
                "difficulty_rating",
                "cefr_level",
                "cefr_recommendation",
                "created_by_id",
                "visibility",
                "is_active",
                "created_at",
                "updated_at",
            ],
            scenario_rows(),
        )
        _setval(cursor, "scenarios_scenario")

        saved = [0] * (n_scenarios + 1)
        attempts = [0] * (n_scenarios + 1)
        used = [0] * (n_scenarios + 1)
        rsum = [0] * (n_scenarios + 1)
        rcount = [0] * (n_scenarios + 1)
        spent = [0] * (n_scenarios + 1)
        trend = [None] * (n_scenarios + 1)
        old_rows = []

        def progress_rows():
            remaining = n_progress
            for uid in user_ids:
                if remaining <= 0:
                    break
                take = min(args.per_user, remaining, n_scenarios)
                remaining -= take
                picked = set()
                while len(picked) < take:  # skewed: a few scenarios are very popular
                    picked.add(1 + int(n_scenarios * rng.random() ** 3))
                for sid in picked:
                    tried = rng.choice((1, 1, 1, 2, 2, 3, 5))
                    done = rng.randint(0, tried)
                    is_saved = rng.random() < 0.3
                    rating = rng.choice((None, None, None, 3, 4, 4, 5, 5, 2, 1))
                    time_spent = done * rng.randint(60, 900)
                    last = now - timedelta(hours=rng.uniform(0, 24 * 60))
                    completed_at = last + timedelta(minutes=10) if done else None
                    saved[sid] += is_saved
                    attempts[sid] += tried
                    used[sid] += done
                    spent[sid] += time_spent
                    if rating:
                        rsum[sid] += rating
                        rcount[sid] += 1
                    trend[sid] = trending_log_add(trend[sid], trending_exponent(last) + math.log2(tried))
                    for k in range(tried):  # the old model: one row per attempt
                        old_rows.append(
                            (
                                uid,
                                sid,
                                is_saved and k == tried - 1,
                                k < done,
                                rating if k == tried - 1 else None,
                                last - timedelta(days=tried - 1 - k),
                            )
                        )
                    yield (
                        uid,
                        sid,
                        is_saved,
                        last if is_saved else None,
                        tried,
                        done,
                        last,
                        completed_at,
                        rating,
                        "",
                        time_spent,
                        "",
                        last,
                        last,
                    )

        _copy(
            cursor,
            "scenarios_userscenarioprogress",
            [
                "user_id",
                "scenario_id",
                "is_saved",
                "saved_at",
                "times_attempted",
                "times_completed",
                "last_attempt_at",
                "last_completed_at",
                "rating",
                "notes",
                "total_time_spent_s",
                "variant_id",
                "created_at",
                "updated_at",
            ],
            progress_rows(),
        )
        _copy(
            cursor,
            "scenarios_scenariometadata",
            [
                "scenario_id",
                "saved_count",
                "times_used",
                "attempts",
                "ratings_sum",
                "ratings_count",
                "time_spent_total_s",
                "bayesian_score",
                "trending_score",
                "created_at",
                "updated_at",
                "is_active",
                "role",
                "difficulty",
                "cefr_level",
            ],
            (
                (
                    sid,
                    saved[sid],
                    used[sid],
                    attempts[sid],
                    rsum[sid],
                    rcount[sid],
                    spent[sid],
                    bayesian_score(rsum[sid], rcount[sid]),
                    trend[sid] if trend[sid] is not None else TRENDING_EMPTY,
                    now,
                    now,
                    *copies[sid],
                )
                for sid in range(1, n_scenarios + 1)
            ),
        )
        cursor.execute("DROP TABLE IF EXISTS bench_scenario_outcomes")
        cursor.execute(
            "CREATE TABLE bench_scenario_outcomes (id bigserial PRIMARY KEY, user_id integer NOT NULL, "
            "scenario_id bigint NOT NULL, saved boolean NOT NULL, completed boolean NOT NULL, "
            "rating smallint NULL, created_at timestamptz NOT NULL)"
        )
        _copy(
            cursor,
            "bench_scenario_outcomes",
            ["user_id", "scenario_id", "saved", "completed", "rating", "created_at"],
            old_rows,
        )
        # The old model's best case: indexed on the join and the filter.
        cursor.execute("CREATE INDEX bench_outcomes_scenario_idx ON bench_scenario_outcomes (scenario_id)")
        cursor.execute(
            "CREATE INDEX bench_outcomes_saved_idx ON bench_scenario_outcomes (scenario_id, user_id) "
            "WHERE saved"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    report.add("scenarios", n_scenarios)
    report.add("progress_rows", n_progress)
    report.add("users", n_users)
    report.add("old_model_rows", len(old_rows))
    report.add("load_seconds", round(time.perf_counter() - start, 1))
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    return user_ids


# --- ranked lists -----------------------------------------------------------------------


def bench_http(args, report, user_ids):
    from django.db import connection

    from config.services import api_tokens_issue_many

    with connection.cursor() as cursor:  # users with private scenarios and progress rows
        cursor.execute(
            "SELECT DISTINCT s.created_by_id FROM scenarios_scenario s JOIN scenarios_userscenarioprogress p "
            "ON p.user_id = s.created_by_id WHERE s.created_by_id IS NOT NULL LIMIT %s",
            [args.users],
        )
        readers = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT id FROM scenarios_scenario WHERE visibility = 'public' AND is_active ORDER BY id"
        )
        public = [row[0] for row in cursor.fetchall()]
    readers += [u for u in user_ids if u not in readers][: args.users - len(readers)]
    tokens = api_tokens_issue_many(user_ids=readers)
    savers = user_ids[-args.users :]
    save_tokens = api_tokens_issue_many(user_ids=savers)
    connection.close()

    lists = {
        "trending": "sort=trending",
        "top rated": "sort=top_rated",
        "filtered (role, difficulty, CEFR)": "sort=trending&role=tutor&difficulty=advanced&cefr=B2",
    }
    with server_for(args) as server:
        report.add("server", server.describe())
        floor = server.floor_load(tokens)
        for label, query in lists.items():
            load = Load(label, paths=[f"/api/v1/scenarios/?{query}&page_size=20"], tokens=tokens)
            measure(
                report,
                server,
                load,
                floor,
                figure=f"list {label}, 20 a page",
                target=0.6,
                **load_kwargs(args),
            )
        # Every (user, scenario) pair once: each save is a real write.
        save = Load(
            "save", method="PUT", paths=[f"/api/v1/scenarios/{i}/save/" for i in public], tokens=save_tokens
        )
        measure(report, server, save, floor, figure="save (PUT .../save/)", target=0.5, **load_kwargs(args))


# --- old model vs new -------------------------------------------------------------------

OLD_MOST_SAVED = """
SELECT s.id, s.title, COUNT(DISTINCT so.user_id) AS total_saves
FROM scenarios_scenario s
LEFT JOIN bench_scenario_outcomes so ON s.id = so.scenario_id
WHERE so.saved = true
GROUP BY s.id
ORDER BY total_saves DESC, s.id DESC
LIMIT 50
"""
OLD_TOP_RATED = """
SELECT s.id, s.title, AVG(so.rating) AS average_rating, COUNT(so.rating) AS ratings
FROM scenarios_scenario s
JOIN bench_scenario_outcomes so ON s.id = so.scenario_id
GROUP BY s.id
ORDER BY (3.5 * 10 + COALESCE(SUM(so.rating), 0)) / (10 + COUNT(so.rating)) DESC, s.id DESC
LIMIT 50
"""
NEW_MOST_SAVED = """
SELECT s.id, s.title, m.saved_count
FROM scenarios_scenariometadata m JOIN scenarios_scenario s ON s.id = m.scenario_id
ORDER BY m.saved_count DESC, m.scenario_id DESC
LIMIT 50
"""
NEW_TOP_RATED = """
SELECT s.id, s.title, m.average_rating, m.ratings_count
FROM scenarios_scenariometadata m JOIN scenarios_scenario s ON s.id = m.scenario_id
ORDER BY m.bayesian_score DESC, m.scenario_id DESC
LIMIT 50
"""


def bench_old_vs_new(args, report):
    from django.db import connection

    def timed(sql, n, warmup):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql)
                cursor.fetchall()

        return summarize_ms(time_calls(run, n=n, warmup=warmup))

    for name, old_sql, new_sql in (
        ("most_saved", OLD_MOST_SAVED, NEW_MOST_SAVED),
        ("top_rated", OLD_TOP_RATED, NEW_TOP_RATED),
    ):
        old = timed(old_sql, args.old_samples, 1)
        new = timed(new_sql, args.samples, 5)
        report.add(f"old_model_{name}_sql", old)
        report.add(f"new_model_{name}_sql", new)
        report.add(f"old_over_new_{name}_p50", round(old["p50_ms"] / max(new["p50_ms"], 1e-6), 1), "x slower")


# --- contention -------------------------------------------------------------------------


def bench_contention(args, report, user_ids):
    from django.contrib.auth import get_user_model

    from scenarios import services
    from scenarios.models import Scenario, ScenarioMetadata

    scenario = Scenario.objects.filter(visibility="public", is_active=True).order_by("id").first()
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench-contention-{index}", password="!") for index in range(args.clients)]
    )
    before = ScenarioMetadata.objects.get(scenario=scenario).saved_count
    last_action = {}

    def toggle(client, call):
        rng = random.Random(client * 100_003 + call)
        if rng.random() < 0.5:
            services.scenario_save(user=users[client], scenario=scenario)
            last_action[client] = "save"
        else:
            services.scenario_unsave(user=users[client], scenario=scenario)
            last_action[client] = "unsave"

    samples, wall = run_clients(toggle, clients=args.clients, calls_per_client=args.toggles)
    after = ScenarioMetadata.objects.get(scenario=scenario).saved_count
    expected = before + sum(1 for action in last_action.values() if action == "save")
    report.add("contention_clients", args.clients)
    report.add("contention_ops", len(samples))
    report.add("contention_ops_per_s", round(len(samples) / wall, 1))
    report.add("contention_latency", summarize_ms(samples))
    report.check(
        "saved count equals users whose last action was a save",
        after == expected,
        f"saved_count {after - before} (beyond {before} already saved), expected {expected - before}",
    )
    drift = services.scenario_metadata_reconcile(scenario_ids=[scenario.pk], dry_run=True).corrected
    report.check("no drift after contention", drift == 0, f"{drift} row(s) differ from a recount")


def run(args, report):
    if args.small:
        args.scenarios, args.progress = 5_000, 50_000
        args.samples = min(args.samples, 100)
    if args.tiny:
        args.scenarios, args.progress, args.per_user = 2_000, 10_000, 20
        args.samples, args.old_samples, args.clients, args.toggles = 10, 2, 4, 5
    print(f"-- loading {args.scenarios:,} scenarios and {args.progress:,} progress rows", flush=True)
    user_ids = load(args, report)
    if args.load_only:
        return
    print("-- ranked lists and saves over HTTP", flush=True)
    bench_http(args, report, user_ids)
    print("-- old model (GROUP BY over per-attempt rows) vs new model", flush=True)
    bench_old_vs_new(args, report)
    print(f"-- {args.clients} clients saving and unsaving one scenario", flush=True)
    bench_contention(args, report, user_ids)
