"""Achievements and learning analytics at community scale.

Builds one community with a 50-block course, ``--learners`` members, ``--events`` logged events
over eight weeks and block completions, plus ``--achievements`` definitions; then measures:

* computing the weekly analytics of the whole community (first run and the idempotent re-run);
* ingesting one event for a learner with no active achievement, then with all of them, timing
  the awards hook (milestones, certificates, achievements) inside each ingest;
* ``GET /api/v1/achievements/``, ``GET /api/v1/analytics/me/`` and
  ``GET /api/v1/analytics/communities/{id}/`` latency.

    make bench ARGS="progress_awards"            # 2,000 learners, 200,000 events
    make bench ARGS="progress_awards --small"    # 200 learners, 10,000 events
"""

import random
import uuid
from datetime import timedelta
from decimal import Decimal

API_TARGET_P95_MS = 200
ANALYTICS_TARGET_S = 30


def add_arguments(parser):
    parser.add_argument("--learners", type=int, default=2000, help="members of the community (default 2000)")
    parser.add_argument("--events", type=int, default=200_000, help="logged events (default 200000)")
    parser.add_argument("--achievements", type=int, default=20, help="achievement definitions (default 20)")
    parser.add_argument("--calls", type=int, default=200, help="timed calls per endpoint (default 200)")
    parser.add_argument("--small", action="store_true", help="200 learners, 10000 events, 50 calls")


def build(args, rng):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from progress.models import (
        Achievement,
        Block,
        BlockProgress,
        BlockState,
        BlockType,
        Community,
        Course,
        CourseEnrollment,
        CourseWod,
        Membership,
        MembershipRole,
        Page,
        ProgressEvent,
        PublishStatus,
        Wod,
    )

    User = get_user_model()
    tag = uuid.uuid4().hex[:8]  # other benchmarks may share the database
    community = Community.objects.create(name=f"Bench Gym {tag}", slug=f"bench-gym-{tag}")
    course = Course.objects.create(community=community, title="Bench course", status=PublishStatus.PUBLISHED)
    blocks = []
    for w in range(5):
        wod = Wod.objects.create(community=community, title=f"Bench WOD {w}", status=PublishStatus.PUBLISHED)
        CourseWod.objects.create(course=course, wod=wod, order=w)
        for p in range(2):
            page = Page.objects.create(wod=wod, title=f"Page {p}", order=p)
            for b in range(5):
                blocks.append(
                    Block.objects.create(
                        page=page,
                        block_type=BlockType.RICH_TEXT,
                        order=b,
                        content={"format": "markdown", "body": "Bench."},
                    )
                )
    users = User.objects.bulk_create(
        [User(username=f"bench-awards-{tag}-{i}", password="!") for i in range(args.learners)],
        batch_size=2000,
    )
    roles = [MembershipRole.ADMIN] + [MembershipRole.LEARNER] * (len(users) - 1)
    Membership.objects.bulk_create(
        [Membership(community=community, user=u, role=r) for u, r in zip(users, roles, strict=True)],
        batch_size=2000,
    )
    CourseEnrollment.objects.bulk_create(
        [CourseEnrollment(user=u, course=course, community=community) for u in users], batch_size=2000
    )
    now = timezone.now()
    events = []
    for i in range(args.events):
        user = users[rng.randrange(len(users))]
        events.append(
            ProgressEvent(
                user=user,
                community=community,
                block=blocks[rng.randrange(len(blocks))],
                verb="viewed",
                idempotency_key=f"bench-{i}",
                time_spent_s=Decimal(rng.randint(5, 600)),
                state_after="completed",
                occurred_at=now - timedelta(minutes=rng.randint(60, 8 * 7 * 24 * 60)),
            )
        )
        if len(events) == 5000:
            ProgressEvent.objects.bulk_create(events)
            events = []
    ProgressEvent.objects.bulk_create(events)
    progress = []
    for user in users:
        for block in rng.sample(blocks, rng.randint(0, 20)):
            done = now - timedelta(minutes=rng.randint(60, 8 * 7 * 24 * 60))
            progress.append(
                BlockProgress(
                    user=user,
                    block=block,
                    community=community,
                    state=BlockState.COMPLETED,
                    progress=1,
                    time_spent_s=Decimal(rng.randint(5, 600)),
                    interaction_count=1,
                    first_interaction_at=done,
                    last_interaction_at=done,
                    completed_at=done,
                )
            )
    BlockProgress.objects.bulk_create(progress, batch_size=5000)
    kinds = ["blocks_completed", "wods_completed", "time_spent", "active_day_streak", "mastery_count"]
    for i in range(args.achievements):
        Achievement.objects.create(
            community=community,
            name=f"Bench achievement {i}",
            points=10,
            criteria={"all": [{"type": kinds[i % len(kinds)], "count": 1000 + i}]},
        )
    return community, course, users, blocks


def run(args, report):
    from django.utils import timezone
    from rest_framework.test import APIClient

    from bench.harness import summarize_ms, time_calls
    from config.services import api_tokens_issue_many
    from progress.services import events_ingest
    from progress.services.analytics import learning_analytics_compute

    if args.small:
        args.learners, args.events, args.calls = 200, 10_000, 50
    rng = random.Random(7)
    report.add("learners", args.learners)
    report.add("events", args.events)
    report.add("achievements", args.achievements)
    community, course, users, blocks = build(args, rng)

    import time

    today = timezone.now().date()
    for label in ("first", "rerun"):
        start = time.perf_counter()
        result = learning_analytics_compute(
            period="weekly", day=today - timedelta(days=7), community=community
        )
        seconds = round(time.perf_counter() - start, 2)
        report.add(f"weekly_analytics_{label}_s", seconds, f"{result.rows} rows")
    report.check(
        "weekly analytics of the community",
        seconds < ANALYTICS_TARGET_S,
        f"{seconds} s (target < {ANALYTICS_TARGET_S} s)",
    )
    for week in range(2, 9):
        learning_analytics_compute(period="weekly", day=today - timedelta(weeks=week), community=community)

    learner = users[1]
    counter = iter(range(10**9))

    def ingest():
        events_ingest(
            user=learner,
            events=[
                {
                    "block": blocks[next(counter) % len(blocks)].pk,
                    "event": "viewed",
                    "time_spent_s": 5,
                    "occurred_at": timezone.now(),
                    "idempotency_key": f"timed-{next(counter)}",
                }
            ],
        )

    from progress.models import Achievement
    from progress.services import awards, hooks

    Achievement.objects.filter(community=community).update(is_active=False)
    baseline_ms = summarize_ms(time_calls(ingest, n=args.calls))
    report.add("ingest_one_event_no_active_achievement", baseline_ms)
    Achievement.objects.filter(community=community).update(is_active=True)
    hook_samples = []

    def timed_hook(*, user, result):
        start = time.perf_counter()
        awards.awards_evaluate_after_ingest(user=user, result=result)
        hook_samples.append(time.perf_counter() - start)

    saved = list(hooks.INGEST_HOOKS)
    hooks.INGEST_HOOKS[:] = [timed_hook if h is awards.awards_evaluate_after_ingest else h for h in saved]
    try:
        ingest_ms = summarize_ms(time_calls(ingest, n=args.calls))
    finally:
        hooks.INGEST_HOOKS[:] = saved
    hook_ms = summarize_ms(hook_samples[-args.calls :])
    report.add("ingest_one_event_with_achievements", ingest_ms)
    report.add(
        "awards_hook_inside_ingest", hook_ms, "milestones, certificates and achievements of one ingest"
    )
    report.check(
        "ingest with 20 achievements evaluated (p95)",
        ingest_ms["p95_ms"] < API_TARGET_P95_MS,
        f"{ingest_ms['p95_ms']} ms (target < {API_TARGET_P95_MS} ms)",
    )

    def client_for(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_tokens_issue_many(user_ids=[user.pk])[0]}")
        return client

    learner_client, admin_client = client_for(learner), client_for(users[0])
    endpoints = {
        "achievements_list": (learner_client, "/api/v1/achievements/"),
        "analytics_me": (learner_client, "/api/v1/analytics/me/?period=weekly"),
        "analytics_community": (admin_client, f"/api/v1/analytics/communities/{community.pk}/?period=weekly"),
    }
    for name, (client, url) in endpoints.items():
        assert client.get(url).status_code == 200, url
        figures = summarize_ms(time_calls(lambda c=client, u=url: c.get(u), n=args.calls))
        report.add(name, figures)
        report.check(
            f"{name} p95",
            figures["p95_ms"] < API_TARGET_P95_MS,
            f"{figures['p95_ms']} ms (target < {API_TARGET_P95_MS} ms)",
        )
