"""Learning progress: the progress tree read, event ingest and drift after concurrent ingest.

Builds one program of ``--blocks`` blocks (default 2,500: 2 courses x 25 WODs x 5 pages x 10
blocks) with bulk inserts, learners with history, then measures through the real API view
stack:

* tree read: ``GET /api/v1/progress/programs/{id}/`` from ``--clients`` concurrent clients
  (default 16); queries per read are counted once; target p95 < 50 ms;
* ingest: ``POST /api/v1/progress/events/`` in batches of ``--batch`` (100) from concurrent
  clients, each its own learner; target >= 3,000 events/s;
* drift: ``--drift-clients`` (32) clients ingest at once for the same few learners, then
  ``manage.py recompute_progress --dry-run`` must report zero drift.

By default the clients are threads of this process that call Django's WSGI application as a
WSGI server would: every request goes through the handler, the middleware, authentication and
the DRF view, without a socket. ``--server``
starts gunicorn on loopback (``--workers`` processes, ``--threads`` threads each) and the
clients speak HTTP with keep-alive instead (on a small machine the extra processes compete
with PostgreSQL and the clients for the same cores).
"""

import http.client
import io
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from bench.harness import run_clients, summarize_ms

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
    parser.add_argument(
        "--small", action="store_true", help="quick run: 250 blocks, fewer learners and calls"
    )
    parser.add_argument("--blocks", type=int, default=2500, help="blocks in the program (default 2500)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--reads", type=int, default=60, help="tree reads per client (default 60)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of tree reads (default 3)")
    parser.add_argument("--batch", type=int, default=100, help="events per ingest request (default 100)")
    parser.add_argument("--batches", type=int, default=12, help="ingest requests per client (default 12)")
    parser.add_argument("--drift-clients", type=int, default=32, help="clients in the drift run (default 32)")
    parser.add_argument("--drift-learners", type=int, default=4, help="learners they share (default 4)")
    parser.add_argument("--history", type=int, default=400, help="events of history per reader (default 400)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--server",
        dest="server",
        action="store_true",
        default=False,
        help="measure against gunicorn on loopback",
    )
    mode.add_argument(
        "--in-process",
        dest="server",
        action="store_false",
        help="measure with DRF's APIClient in threads of this process (default)",
    )
    parser.add_argument(
        "--wrk",
        action="store_true",
        help="with --server: load the tree read with wrk (a C load generator, Debian's "
        "wrk) instead of Python client threads, so the clients take little of the CPU",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk round (default 10)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")


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
    from rest_framework.authtoken.models import Token

    from progress.models import Membership

    User = get_user_model()
    tag = uuid.uuid4().hex[:6]
    users = User.objects.bulk_create(
        [User(username=f"{prefix}-{tag}-{i}", password="!") for i in range(count)]
    )
    Membership.objects.bulk_create([Membership(user=u, community=community) for u in users])
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
    return list(zip(users, [t.key for t in tokens], strict=True))


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


# --- clients ----------------------------------------------------------------------------


class HttpClient:
    """One keep-alive HTTP connection to the bench server."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Host": "127.0.0.1",
        }
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, body=None):
        payload = json.dumps(body) if body is not None else None
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=payload, headers=self.headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, data
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise RuntimeError("unreachable")


class WsgiClient:
    """Calls Django's WSGI application directly, as a WSGI server would (no socket)."""

    handler = None

    def __init__(self, token: str):
        if WsgiClient.handler is None:
            from django.core.handlers.wsgi import WSGIHandler

            WsgiClient.handler = WSGIHandler()
        self.auth = f"Token {token}"

    def request(self, method, path, body=None):
        payload = json.dumps(body).encode() if body is not None else b""
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": self.auth,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(payload)),
            "wsgi.input": io.BytesIO(payload),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        status = []
        chunks = self.handler(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            data = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return int(status[0].split()[0]), data


class InProcessClient:
    def __init__(self, token: str):
        from rest_framework.test import APIClient

        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    def request(self, method, path, body=None):
        if method == "GET":
            response = self.client.get(path)
        else:
            response = self.client.post(path, body, format="json")
        return response.status_code, response.content


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WRK_SCRIPT = """
local tokens = {%(tokens)s}
local i = 0
request = function()
  i = i %% #tokens + 1
  return wrk.format("GET", "%(path)s", {["Authorization"] = "Token " .. tokens[i], ["Host"] = "127.0.0.1"})
end
response = function(status, headers, body)
  if status ~= 200 then bad = (bad or 0) + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%.3f %%.3f %%.3f %%.3f %%.3f %%d\\n",
    summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000, e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def wrk_round(port: int, path: str, tokens: list[str], *, clients: int, seconds: int) -> dict:
    """One wrk run: ``clients`` keep-alive connections for ``seconds``, requests rotating over the
    readers' tokens. Returns the latency summary in ms and the request rate."""
    import tempfile

    script = WRK_SCRIPT % {"tokens": ", ".join(f'"{t}"' for t in tokens), "path": path}
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


def start_server(args):
    port = free_port()
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "LOG_LEVEL": "WARNING"}
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    proc = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the bench server did not start")


# --- run --------------------------------------------------------------------------------


def run(args, report):
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from progress.services import events_ingest

    if args.small:
        args.blocks, args.reads, args.batches, args.history = 250, 20, 4, 100
    if args.wrk:
        if not shutil.which("wrk"):
            raise SystemExit("--wrk needs Debian's wrk (apt-get install wrk)")
        args.server = True
    report.add(
        "mode",
        ("gunicorn on loopback" + (", tree reads loaded by wrk" if args.wrk else ""))
        if args.server
        else "Django's WSGI handler called from threads",
    )
    report.add("cpus", os.cpu_count())
    report.add("load_average_at_start", [round(x, 2) for x in os.getloadavg()])
    start = time.perf_counter()
    community, program, blocks = build_program(args.blocks)
    report.add("blocks", len(blocks))
    readers = make_learners(community, args.clients, "reader")
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
    report.add("setup_seconds", round(time.perf_counter() - start, 1))

    server = None
    if args.server:
        server, port = start_server(args)

        def client_for(token):
            return HttpClient(port, token)
    else:

        def client_for(token):
            return WsgiClient(token)

    try:
        # Queries per tree read (in-process, warm structure cache).
        path = f"/api/v1/progress/programs/{program.pk}/"
        probe = InProcessClient(readers[0][1])
        probe.request("GET", path)
        with CaptureQueriesContext(connection) as queries:
            status, body = probe.request("GET", path)
        assert status == 200, body[:300]
        report.add("tree_queries", len(queries), "per cached read (token, node with versions)")
        report.add("tree_bytes", len(body))

        clients = [client_for(token) for _, token in readers]
        for c in clients:  # warm each connection and worker
            c.request("GET", path)

        def read(index, call):
            status, body = clients[index].request("GET", path)
            if status != 200:
                raise RuntimeError(f"tree read {status}: {body[:200]!r}")

        # Several rounds, each reported; the target is checked on the median round, since
        # other work on the machine moves the tail from one round to the next.
        rounds = []
        for round_ in range(args.rounds):
            if args.wrk:
                stats = wrk_round(
                    port, path, [token for _, token in readers], clients=args.clients, seconds=args.duration
                )
            else:
                samples, wall = run_clients(read, clients=args.clients, calls_per_client=args.reads)
                stats = summarize_ms(samples)
                stats["reads_per_s"] = round(len(samples) / wall, 1)
            report.add(f"tree_read_round_{round_ + 1}", stats)
            rounds.append(stats)
        median = sorted(rounds, key=lambda r: r["p95_ms"])[len(rounds) // 2]
        report.check(
            "tree_read_p95",
            median["p95_ms"] < 50,
            f"median round p95 {median['p95_ms']} ms < 50 ms at {args.clients} clients",
        )

        if not args.server:
            # The same reads with the rendered-tree cache off: every read builds the tree.
            from django.test import override_settings

            with override_settings(PROGRESS_TREE_CACHE_S=0):
                with CaptureQueriesContext(connection) as queries:
                    probe.request("GET", path)
                report.add("tree_queries_uncached", len(queries), "token, node with versions, roll-ups")
                samples, wall = run_clients(
                    read, clients=args.clients, calls_per_client=max(5, args.reads // 3)
                )
            report.add("tree_read_uncached", summarize_ms(samples))

        # Ingest throughput: each client its own learner, batches of args.batch.
        writers = make_learners(community, args.clients, "writer")
        wclients = [client_for(token) for _, token in writers]
        stamp = timezone.now().isoformat()
        plans = []
        for index in range(args.clients):
            order = blocks[:]
            random.Random(index).shuffle(order)
            cycle = itertools.cycle(order)
            plans.append(
                [
                    [event_for(next(cycle), f"w{index}-{b}-{i}", stamp) for i in range(args.batch)]
                    for b in range(args.batches)
                ]
            )

        def ingest(index, call):
            status, body = wclients[index].request(
                "POST", "/api/v1/progress/events/", {"events": plans[index][call]}
            )
            if status != 200:
                raise RuntimeError(f"ingest {status}: {body[:300]!r}")

        samples, wall = run_clients(ingest, clients=args.clients, calls_per_client=args.batches)
        events = args.clients * args.batches * args.batch
        rate = round(events / wall, 1)
        report.add("ingest_batch", summarize_ms(samples))
        report.add("ingest_events_per_s", rate, f"{events} events in {wall:.2f} s")
        report.check("ingest_rate", rate >= 3000, f"{rate} events/s >= 3000 in batches of {args.batch}")

        # Drift after many clients ingest for the same learners at once.
        shared = make_learners(community, args.drift_learners, "shared")
        dclients = [client_for(shared[i % len(shared)][1]) for i in range(args.drift_clients)]
        drift_batches = max(2, args.batches // 3)
        dplans = []
        for index in range(args.drift_clients):
            order = blocks[:]
            random.Random(1000 + index).shuffle(order)
            cycle = itertools.cycle(order)
            # Half of each batch repeats keys other clients of the same learner also send.
            dplans.append(
                [
                    [
                        event_for(next(cycle), f"d{index}-{b}-{i}" if i % 2 else f"s{b}-{i}", stamp)
                        for i in range(args.batch)
                    ]
                    for b in range(drift_batches)
                ]
            )

        def contend(index, call):
            status, body = dclients[index].request(
                "POST", "/api/v1/progress/events/", {"events": dplans[index][call]}
            )
            if status not in (200, 400):
                raise RuntimeError(f"ingest {status}: {body[:300]!r}")
            if status == 400:
                raise RuntimeError(f"ingest 400: {body[:300]!r}")

        samples, wall = run_clients(contend, clients=args.drift_clients, calls_per_client=drift_batches)
        report.add(
            "contended_ingest_events_per_s",
            round(len(samples) * args.batch / wall, 1),
            f"{args.drift_clients} clients, {args.drift_learners} learners",
        )
        out = io.StringIO()
        call_command("recompute_progress", "--dry-run", "--community", community.slug, stdout=out)
        summary = out.getvalue().strip().splitlines()[-1]
        drift_rows = int(summary.split("drift: ")[1].split(" ")[0])
        report.add("recompute", summary)
        report.check("zero_drift", drift_rows == 0, f"{drift_rows} drifted roll-ups after concurrent ingest")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
