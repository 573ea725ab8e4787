"""Curriculum: ranked alternatives under a large outcome history, and coach status at once.

Builds one curriculum (``--steps`` steps of ``--alternatives`` plans each), ``--learners``
learners spread over 9 trait segments with ``--history`` outcomes each (bulk-created), then:

* rebuilds the statistics from that history (``rebuild_curriculum_stats``) and times it;
* times ``GET /api/v1/enrollments/{id}/steps/{order}/alternatives/`` (``--requests`` calls);
* runs ``--clients`` threads posting ``STOPPED`` / ``SUCCESS`` to ``POST /api/v1/coach/status`` on
  the same hot plans at once, then checks the statistics still match the history exactly.

``--small`` scales everything down for a quick run.
"""

import random
import time

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from bench.harness import run_clients, summarize_ms, time_calls
from curriculum import services
from curriculum.models import Alternative, Curriculum, Enrollment, OutcomeEvent, Step

LEVELS = ["low", "medium", "high"]
TRAITS = {
    "type": "object",
    "properties": {
        "energy_level": {"type": "string", "enum": LEVELS, "x-segment": True},
        "food_motivation": {"type": "string", "enum": LEVELS, "x-segment": True},
    },
}


def add_arguments(parser):
    parser.add_argument("--learners", type=int, default=20000, help="learners with a history (default 20000)")
    parser.add_argument("--history", type=int, default=10, help="outcomes per learner (default 10)")
    parser.add_argument("--steps", type=int, default=6, help="steps in the curriculum (default 6)")
    parser.add_argument("--alternatives", type=int, default=8, help="plans per step (default 8)")
    parser.add_argument("--requests", type=int, default=500, help="timed alternatives requests (default 500)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent status clients (default 16)")
    parser.add_argument("--calls", type=int, default=25, help="status calls per client (default 25)")
    parser.add_argument(
        "--small", action="store_true", help="quick run: 1000 learners, 100 requests, 4 clients"
    )


def build(args, run_id):
    User = get_user_model()
    curriculum = Curriculum.objects.create(
        slug=f"bench-{run_id}", title=f"Bench {run_id}", learner_noun="dogs", trait_schema=TRAITS
    )
    plans = {}
    for order in range(1, args.steps + 1):
        step = Step.objects.create(curriculum=curriculum, order=order, title=f"Step {order}")
        plans[order] = Alternative.objects.bulk_create(
            [
                Alternative(
                    step=step,
                    order=i + 1,
                    code=chr(ord("A") + i),
                    title=f"Plan {chr(ord('A') + i)}",
                    content={"instructions": ["Practise."]},
                    prior_success_rate=0.5,
                )
                for i in range(args.alternatives)
            ]
        )
    services.curriculum_publish(user=None, curriculum=curriculum)
    rng = random.Random(7)
    users = User.objects.bulk_create(
        [User(username=f"bench-{run_id}-{i}", password="!") for i in range(args.learners)], batch_size=5000
    )
    first = curriculum.steps.get(order=1)
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                user=user,
                curriculum=curriculum,
                current_step=first,
                traits={"energy_level": rng.choice(LEVELS), "food_motivation": rng.choice(LEVELS)},
            )
            for user in users
        ],
        batch_size=5000,
    )
    events = []
    for enrollment in enrollments:
        segment = curriculum.segment_for(enrollment.traits)
        for _ in range(args.history):
            order = rng.randint(1, args.steps)
            events.append(
                OutcomeEvent(
                    enrollment=enrollment,
                    step_id=plans[order][0].step_id,
                    alternative=rng.choice(plans[order]),
                    outcome=rng.choice(["SUCCESS", "STOPPED"]),
                    segment=segment,
                )
            )
        if len(events) >= 20000:
            OutcomeEvent.objects.bulk_create(events)
            events = []
    OutcomeEvent.objects.bulk_create(events)
    return curriculum, enrollments


def run(args, report):
    if args.small:
        args.learners, args.requests, args.clients, args.calls = 1000, 100, 4, 10
    run_id = str(int(time.time()))
    start = time.perf_counter()
    curriculum, enrollments = build(args, run_id)
    report.add("setup_seconds", round(time.perf_counter() - start, 1))
    report.add("history_rows", OutcomeEvent.objects.filter(enrollment__curriculum=curriculum).count())

    start = time.perf_counter()
    drift = services.curriculum_stats_rebuild()
    report.add("rebuild_seconds", round(time.perf_counter() - start, 2), f"({len(drift)} rows written)")

    rng = random.Random(11)
    client = APIClient()

    def fetch():
        enrollment = rng.choice(enrollments)
        client.force_authenticate(enrollment.user)
        response = client.get(
            f"/api/v1/enrollments/{enrollment.pk}/steps/{rng.randint(1, args.steps)}/alternatives/"
        )
        assert response.status_code == 200, response.content

    samples = summarize_ms(time_calls(fetch, n=args.requests))
    report.add("alternatives_endpoint", samples)
    report.check("alternatives_p95_under_50ms", samples["p95_ms"] < 50, f"p95 {samples['p95_ms']} ms")

    # Status writers: each client has its own fresh enrollment on step 1, all on the same plans.
    User = get_user_model()
    writers = []
    for i in range(args.clients):
        user = User.objects.create(username=f"bench-{run_id}-writer-{i}", password="!")
        enrollment, _ = services.enrollment_get_or_create(
            user=user,
            curriculum=curriculum,
            traits={"energy_level": "high", "food_motivation": LEVELS[i % 3]},
        )
        writers.append(enrollment)
    connection.close()

    def post(index, call):
        enrollment = writers[index]
        state = enrollment.step_states.select_related("current_alternative").get(step__order=1)
        local = APIClient()
        local.force_authenticate(enrollment.user)
        response = local.post(
            "/api/v1/coach/status",
            {
                "enrollment": enrollment.pk,
                "step": 1,
                "plan_id": state.current_alternative.code,
                "outcome": "STOPPED",
            },
            format="json",
        )
        assert response.status_code == 201, response.content

    samples, wall = run_clients(post, clients=args.clients, calls_per_client=args.calls)
    summary = summarize_ms(samples)
    report.add("coach_status_concurrent", summary)
    report.add("coach_status_per_second", round(len(samples) / wall, 1))
    # The clients are threads of this one process, so they share one interpreter: latency
    # grows with --clients; the point here is that every write lands and nothing is lost.
    report.check("coach_status_p95_under_1s", summary["p95_ms"] < 1000, f"p95 {summary['p95_ms']} ms")

    drift = services.curriculum_stats_rebuild(dry_run=True)
    report.check("statistics_exact_after_concurrent_writes", not drift, f"{len(drift)} drifted rows")
