"""Learning progress over HTTP: the tree read (cached, and right after an event), event ingest.

Builds one program of ``--blocks`` blocks (default 2,500: 2 courses x 25 WODs x 5 pages x 10
blocks) with bulk inserts and learners with history, then loads gunicorn on loopback with wrk
(``bench.http``), each figure next to the floor in the same rounds:

* tree read, cached: ``GET /api/v1/progress/programs/{id}/`` rotating over 16 readers;
  target >= 1x the floor;
* tree read right after an event: the same read on a server whose rendered-tree cache is off
  (``PROGRESS_TREE_CACHE_S=0``), which is what every read after an event does: the learner's
  roll-up version moved, so the tree is rebuilt from the structure cache and the roll-ups;
  target >= 0.5x;
* ingest: ``POST /api/v1/progress/events/`` with batches of ``--batch`` (100) events, unique
  idempotency keys, each request with its own ``Idempotency-Key``, 16 writers; target >= 5,000
  events/s; then the same load on 4 shared learners, and ``recompute_progress --dry-run`` must
  find zero drifted roll-ups.
"""

import io
import json
import os
import random
import time
import uuid
from datetime import timedelta

from bench.http import Load, add_http_arguments, load_kwargs, server_for

CONTENT = {
    "video": {"url": "https://videos.example.com/bench.mp4", "provider": "file", "duration_s": 300},
    "agent": {"agent_name": "Coach", "opening_message": "What are we automating today?"},
    "quiz": {"questions": [{"prompt": "Pick one", "choices": ["A", "B"], "correct_index": 0}]},
    "rich_text": {"format": "markdown", "body": "Some **text**."},
    "section_header": {"heading": "Section"},
    "document": {"url": "https://docs.example.com/bench.pdf", "file_type": "pdf"},
    "list": {"style": "bulleted", "items": ["one", "two"]},
    "divider": {"style": "line"},
    "accordion": {"sections": [{"title": "Q", "body": "A"}]},
    "prompt": {"question": "Your answer?"},
    "user_submission": {"instructions": "Upload it.", "submission_type": "link"},
    "image": {"url": "https://img.example.com/bench.png", "alt": "diagram"},
    "callout": {"tone": "tip", "text": "Tip."},
}


def add_arguments(parser):
    parser.add_argument("--tiny", action="store_true", help="smoke scale: 100 blocks, 4 learners")
    parser.add_argument("--blocks", type=int, default=2500, help="blocks in the program (default 2500)")
    parser.add_argument("--learners", type=int, default=16, help="readers and writers (default 16)")
    parser.add_argument("--history", type=int, default=400, help="events of history per reader (default 400)")
    parser.add_argument("--batch", type=int, default=100, help="events per ingest request (default 100)")
    parser.add_argument("--shared", type=int, default=4, help="learners of the contended ingest (default 4)")
    add_http_arguments(parser)


# --- data ---------------------------------------------------------------------------------


def build_program(n_blocks: int):
    from progress.models import (
        Block,
        BlockType,
        Community,
        Course,
        CourseWod,
        Page,
        Program,
        ProgramCourse,
        PublishStatus,
        Wod,
    )
    from progress.services.content import bump_content_version

    tag = uuid.uuid4().hex[:8]
    community = Community.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    published = PublishStatus.PUBLISHED
    program = Program.objects.create(community=community, title="Bench program", status=published)
    courses = Course.objects.bulk_create(
        [Course(community=community, title=f"Course {i + 1}", status=published) for i in range(2)]
    )
    ProgramCourse.objects.bulk_create(
        [ProgramCourse(program=program, course=c, order=i) for i, c in enumerate(courses)]
    )
    per_page, pages_per_wod = 10, 5
    n_wods = max(2, n_blocks // (per_page * pages_per_wod))
    wods = Wod.objects.bulk_create(
        [
            Wod(community=community, title=f"WOD {i + 1}", status=published, categories=["bench"])
            for i in range(n_wods)
        ]
    )
    CourseWod.objects.bulk_create(
        [CourseWod(course=courses[i * 2 // n_wods], wod=w, order=i) for i, w in enumerate(wods)]
    )
    pages = Page.objects.bulk_create(
        [Page(wod=w, title=f"Page {p + 1}", order=p) for w in wods for p in range(pages_per_wod)]
    )
    types = list(BlockType.values)
    blocks = []
    for page in pages:
        for b in range(per_page):
            block_type = types[len(blocks) % len(types)]
            blocks.append(
                Block(
                    page=page,
                    block_type=block_type,
                    title=f"Block {len(blocks)}",
                    order=b,
                    content=CONTENT[block_type],
                    required=len(blocks) % 7 != 3,
                )
            )
    blocks = Block.objects.bulk_create(blocks, batch_size=1000)
    bump_content_version(community.pk)
    return community, program, blocks


def make_learners(community, count: int, prefix: str):
    from django.contrib.auth import get_user_model

    from config.services import api_tokens_issue_many
    from progress.models import Membership

    User = get_user_model()
    tag = uuid.uuid4().hex[:6]
    users = User.objects.bulk_create(
        [User(username=f"{prefix}-{tag}-{i}", password="!") for i in range(count)]
    )
    Membership.objects.bulk_create([Membership(user=u, community=community) for u in users])
    tokens = api_tokens_issue_many(user_ids=[u.pk for u in users])
    return list(zip(users, tokens, strict=True))


VERBS = {
    "video": ("progressed", {"progress": 1.0}),
    "quiz": ("answered", {"score": 0.9}),
    "prompt": ("submitted", {}),
    "user_submission": ("submitted", {}),
    "agent": ("completed", {}),
}


def event_for(block, key: str, when: str):
    verb, extra = VERBS.get(block.block_type, ("viewed", {}))
    return {
        "block": block.pk,
        "event": verb,
        "time_spent_s": 3.5,
        "occurred_at": when,
        "idempotency_key": key,
        **extra,
    }


# --- loads ------------------------------------------------------------------------------


def ingest_load(name, tokens, blocks, *, batch: int, stamp: str) -> Load:
    """Batches of ``batch`` events on random blocks, every event key and Idempotency-Key unique."""
    rows = []
    for block in blocks:
        verb, extra = VERBS.get(block.block_type, ("viewed", {}))
        tail = "".join(f',"{k}":{json.dumps(v)}' for k, v in extra.items())
        rows.append(f'{{{block.pk}, "{verb}", {json.dumps(tail)}}}')
    prelude = f"""
local blocks = {{{", ".join(rows)}}}
local function batch(uniq)
  local parts = {{}}
  for i = 1, {batch} do
    local b = blocks[math.random(#blocks)]
    parts[i] = '{{"block":' .. b[1] .. ',"event":"' .. b[2] .. '","time_spent_s":3.5,"occurred_at":"{stamp}",'
      .. '"idempotency_key":"' .. uniq .. '-' .. i .. '"' .. b[3] .. '}}'
  end
  return '{{"events":[' .. table.concat(parts, ",") .. ']}}'
end
"""
    return Load(
        name,
        method="POST",
        paths=["/api/v1/progress/events/"],
        tokens=tokens,
        body_lua="batch(uniq)",
        idempotency=True,
        lua_prelude=prelude,
    )


def drift_rows(community) -> tuple[int, str]:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("recompute_progress", "--dry-run", "--community", community.slug, stdout=out)
    summary = out.getvalue().strip().splitlines()[-1]
    return int(summary.split("drift: ")[1].split(" ")[0]), summary


# --- run --------------------------------------------------------------------------------


def run(args, report):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from bench.http import measure
    from progress.services import events_ingest

    if args.tiny:
        args.blocks, args.learners, args.history, args.shared = 100, 4, 20, 2
    report.add("cpus", os.cpu_count())
    report.add("load_average_at_start", [round(x, 2) for x in os.getloadavg()])
    start = time.perf_counter()
    community, program, blocks = build_program(args.blocks)
    report.add("blocks", len(blocks))
    readers = make_learners(community, args.learners, "reader")
    now = timezone.now()
    rng = random.Random(7)
    for user, _ in readers:
        chosen = rng.sample(blocks, min(args.history, len(blocks)))
        for offset in range(0, len(chosen), 500):
            events_ingest(
                user=user,
                events=[
                    {**event_for(b, f"h-{b.pk}", now), "occurred_at": now - timedelta(hours=1)}
                    for b in chosen[offset : offset + 500]
                ],
            )
    writers = make_learners(community, args.learners, "writer")
    shared = make_learners(community, args.shared, "shared")
    report.add("setup_seconds", round(time.perf_counter() - start, 1))

    path = f"/api/v1/progress/programs/{program.pk}/"
    probe = APIClient()
    probe.credentials(HTTP_AUTHORIZATION=f"Token {readers[0][1]}")
    probe.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = probe.get(path)
    assert response.status_code == 200, response.content[:300]
    report.add("tree_queries", len(queries), "per cached read in process (token, node with versions)")
    report.add("tree_bytes", len(response.content))
    connection.close()

    tokens = [token for _, token in readers]
    tree = Load("tree read", paths=[path], tokens=tokens)
    with server_for(args) as server:
        floor = server.floor_load(tokens)
        measure(report, server, tree, floor, figure="tree read, cached", target=1.0, **load_kwargs(args))
        stamp = timezone.now().isoformat()
        ingest = ingest_load("ingest", [t for _, t in writers], blocks, batch=args.batch, stamp=stamp)
        measure(
            report,
            server,
            ingest,
            floor,
            figure=f"events ingest, batches of {args.batch}",
            per_request=args.batch,
            unit="events/s",
            rate_target=5000,
            **load_kwargs(args),
        )
        contended = ingest_load("contended", [t for _, t in shared], blocks, batch=args.batch, stamp=stamp)
        measure(
            report,
            server,
            contended,
            floor,
            figure=f"events ingest, {args.shared} shared learners",
            per_request=args.batch,
            unit="events/s",
            **load_kwargs(args),
        )
    drifted, summary = drift_rows(community)
    report.add("recompute", summary)
    report.check(
        "roll-ups exact after ingest", drifted == 0, f"{drifted} drifted roll-ups (recompute --dry-run)"
    )

    with server_for(args, env={"PROGRESS_TREE_CACHE_S": "0"}) as server:
        measure(
            report,
            server,
            tree,
            server.floor_load(tokens),
            figure="tree read after an event (rebuilt)",
            target=0.5,
            **load_kwargs(args),
        )
