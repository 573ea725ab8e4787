"""Curriculum over HTTP: ranked alternatives under a large outcome history, coach status at once.

Builds one curriculum (``--steps`` steps of ``--alternatives`` plans each), ``--learners``
learners spread over 9 trait segments with ``--history`` outcomes each (bulk-created; 200,000
rows by default), rebuilds the statistics from that history (timed), then loads gunicorn with
wrk (``bench.http``), each figure next to the floor:

* ``GET /api/v1/enrollments/{id}/steps/{order}/alternatives/`` of 16 learners, every step;
  target >= 0.6x the floor;
* ``POST /api/v1/coach/status`` (``STOPPED`` on the current plan, a new ``Idempotency-Key``
  each time) from 16 learners of the same curriculum on the same plans; target >= 0.3x; the
  statistics must still match the history exactly afterwards.

``--tiny`` scales everything down for a smoke run.
"""

import json
import random
import time

from django.contrib.auth import get_user_model
from django.db import connection

from bench.http import Load, add_http_arguments, load_kwargs, measure, server_for
from config.services import api_tokens_issue_many
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
    parser.add_argument(
        "--users", type=int, default=16, help="learners whose tokens the load uses (default 16)"
    )
    parser.add_argument("--tiny", action="store_true", help="smoke scale: 500 learners")
    add_http_arguments(parser)


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
    if args.tiny:
        args.learners = 500
    run_id = str(int(time.time()))
    start = time.perf_counter()
    curriculum, enrollments = build(args, run_id)
    report.add("setup_seconds", round(time.perf_counter() - start, 1))
    report.add("history_rows", OutcomeEvent.objects.filter(enrollment__curriculum=curriculum).count())

    start = time.perf_counter()
    drift = services.curriculum_stats_rebuild()
    report.add("rebuild_seconds", round(time.perf_counter() - start, 2), f"({len(drift)} rows written)")

    readers = random.Random(11).sample(enrollments, args.users)
    pairs = []
    for enrollment in readers:
        token = api_tokens_issue_many(user_ids=[enrollment.user_id])[0]
        pairs += [
            (token, f"/api/v1/enrollments/{enrollment.pk}/steps/{order}/alternatives/")
            for order in range(1, args.steps + 1)
        ]
    random.Random(5).shuffle(pairs)

    # Status writers: each learner a fresh enrollment on step 1, all on the same plans.
    User = get_user_model()
    bodies = {}
    for i in range(args.users):
        user = User.objects.create(username=f"bench-{run_id}-writer-{i}", password="!")
        enrollment, _ = services.enrollment_get_or_create(
            user=user,
            curriculum=curriculum,
            traits={"energy_level": "high", "food_motivation": LEVELS[i % 3]},
        )
        state = enrollment.step_states.select_related("current_alternative").get(step__order=1)
        token = api_tokens_issue_many(user_ids=[user.pk])[0]
        bodies[token] = json.dumps(
            {
                "enrollment": enrollment.pk,
                "step": 1,
                "plan_id": state.current_alternative.code,
                "outcome": "STOPPED",
            }
        )
    connection.close()
    lua_bodies = ", ".join(f"[{json.dumps(t)}] = {json.dumps(b)}" for t, b in bodies.items())
    status = Load(
        "coach status",
        method="POST",
        paths=["/api/v1/coach/status"],
        tokens=list(bodies),
        body_lua="bodies[pair[1]]",
        idempotency=True,
        lua_prelude=f"local bodies = {{{lua_bodies}}}",
    )
    with server_for(args) as server:
        report.add("server", server.describe())
        floor = server.floor_load([t for t, _ in pairs])
        alternatives = Load("alternatives", pairs=pairs)
        measure(
            report, server, alternatives, floor, figure="ranked alternatives", target=0.6, **load_kwargs(args)
        )
        measure(
            report,
            server,
            status,
            floor,
            figure=f"coach status, {args.users} learners",
            target=0.3,
            **load_kwargs(args),
        )

    drift = services.curriculum_stats_rebuild(dry_run=True)
    report.check("statistics exact after concurrent status writes", not drift, f"{len(drift)} drifted rows")
