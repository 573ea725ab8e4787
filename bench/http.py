"""HTTP load for every benchmark: gunicorn on loopback, wrk as the client, a floor beside each figure.

Absolute request rates on a shared machine move with its load; the rate of the same server
answering the cheapest authenticated read does not move differently. So every HTTP figure is
measured next to a **floor** (``GET /api/v1/ping/``: an authenticated one-row read through the
same middleware, authentication and renderer), round by round, on the same server with the same
workers, client and connections, and reported as its **ratio to the floor** (throughput ratio).
Targets are checked on the median ratio over the rounds.

    with Server(workers=4) as server:
        floor = server.floor_load(tokens)
        stats = measure(report, server, Load("tree read", paths=[path], tokens=tokens), floor,
                        target=1.0, rounds=3, seconds=10)

The client is ``wrk`` (a C load generator: it takes little of the CPU the server needs). Writes
that need unique bodies or ``Idempotency-Key`` headers get them from the Lua script: ``{uniq}``
in a body template or ``idempotency=True`` is replaced by a string unique across threads,
requests and runs.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field

FLOOR_PATH = "/api/v1/ping/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this process uses (the benchmark's or a test run's)."""
    from django.db import connection

    s = connection.settings_dict
    if "postgresql" not in s["ENGINE"]:
        raise RuntimeError("HTTP benchmarks need PostgreSQL (DATABASE_URL)")
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Server:
    """gunicorn serving ``config.wsgi`` on a free loopback port, stopped on exit.

    Sync workers by default (one request at a time per process, as deployed); ``env`` adds
    settings for this server only (e.g. ``{"PROGRESS_TREE_CACHE_S": "0"}``).
    """

    def __init__(self, *, workers: int = 4, worker_class: str = "sync", threads: int = 1, env=None):
        self.workers, self.worker_class, self.threads = workers, worker_class, threads
        self.extra_env = dict(env or {})
        self.port = None
        self.proc = None

    def __enter__(self):
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore:No directory at",
            # as deployed (README, Production): one malloc arena per thread would grow a
            # threaded worker's memory with its thread count
            "MALLOC_ARENA_MAX": "2",
            **self.extra_env,
        }
        env.setdefault("SECRET_KEY", "bench-" + uuid.uuid4().hex)
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        command = [gunicorn, "config.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers)]
        command += [
            "-k",
            self.worker_class,
            "--timeout",
            "120",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads), "--keep-alive", "30"]
        self.proc = subprocess.Popen(command, env=env, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("the bench server did not start")

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def pids(self) -> list[int]:
        """The master's and its workers' process ids (for a profiler)."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        )
        return [self.proc.pid, *(int(p) for p in out.stdout.split())]

    def drain(self):
        """Wait until the requests a finished wrk run left queued are answered: one request per
        worker, all at once, queue behind them."""
        from concurrent.futures import ThreadPoolExecutor

        def healthz(_):
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=120) as answer:
                answer.read()

        with ThreadPoolExecutor(self.workers * self.threads) as pool:
            list(pool.map(healthz, range(self.workers * self.threads)))

    def describe(self) -> str:
        kind = f"{self.workers} {self.worker_class} workers"
        if self.worker_class == "gthread":
            kind += f" x {self.threads} threads"
        return f"gunicorn, {kind}, on loopback"

    def floor_load(self, tokens: list[str]) -> "Load":
        return Load("floor", paths=[FLOOR_PATH], tokens=tokens)


@dataclass
class Load:
    """What wrk sends. Requests rotate over ``pairs`` (token, path), or over ``tokens`` x ``paths``.

    ``body`` is a JSON template in which ``{uniq}`` becomes a unique string per request; a
    ``body_lua`` Lua expression (with ``uniq`` in scope) builds bodies a template cannot (e.g.
    a batch of events). The wrk threads interleave over the rotation and each run starts where
    the last one stopped, so with enough pairs no pair is sent twice (a save that is a real
    write each time).
    ``ok`` lists the statuses that count as answers; anything else fails the run.
    """

    name: str
    method: str = "GET"
    paths: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] | None = None
    body: str | None = None
    body_lua: str | None = None
    idempotency: bool = False
    lua_prelude: str = ""
    cursor: int = 0  # where the next run starts in the rotation (advanced by each run)

    def size(self) -> int:
        return len(self.pairs) if self.pairs else len(self.tokens) * len(self.paths)


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


WRK_SCRIPT = """
local tokens = {%(tokens)s}
local paths = {%(paths)s}
local pairs_ = {%(pairs)s}
local npairs = #pairs_
if npairs == 0 then npairs = #tokens * #paths end

-- the i-th request of the rotation (0-based): an explicit pair, or tokens x paths, token fastest
local function pair_at(i)
  i = i %% npairs
  if #pairs_ > 0 then return pairs_[i + 1] end
  return {tokens[i %% #tokens + 1], paths[math.floor(i / #tokens) + 1]}
end
local method = %(method)s
local run = %(run)s
local counter = 0
local start = %(start)d
tid = 0
local threads = {}
%(prelude)s

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
end

request = function()
  counter = counter + 1
  -- thread t takes every nthreads-th pair from the start: no two threads send the same pair
  local pair = pair_at(start + (counter - 1) * %(nthreads)d + tid - 1)
  local uniq = run .. "-" .. tid .. "-" .. counter
  local headers = {["Authorization"] = "Token " .. pair[1], ["Host"] = "127.0.0.1"}
  local body = nil
  %(body)s
  if body ~= nil then headers["Content-Type"] = "application/json" end
  %(idem)s
  return wrk.format(method, pair[2], headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%.3f %%.3f %%.3f %%.3f %%.3f %%d %%d\\n",
    summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
"""

WRK_THREADS = 2


def wrk_script(load: Load) -> str:
    if load.body_lua:
        body = f"body = {load.body_lua}"
    elif load.body is not None:
        body = f"body = string.gsub({_lua_string(load.body)}, '{{uniq}}', uniq)"
    else:
        body = ""
    return WRK_SCRIPT % {
        "tokens": ", ".join(_lua_string(t) for t in load.tokens),
        "paths": ", ".join(_lua_string(p) for p in load.paths),
        "pairs": ", ".join(f"{{{_lua_string(t)}, {_lua_string(p)}}}" for t, p in load.pairs or []),
        "method": _lua_string(load.method),
        "run": _lua_string(uuid.uuid4().hex[:10]),
        "prelude": load.lua_prelude,
        "nthreads": WRK_THREADS,
        "start": load.cursor % max(1, load.size()),
        "body": body,
        "idem": 'headers["Idempotency-Key"] = uniq' if load.idempotency else "",
    }


def wrk_run(server: Server, load: Load, *, connections: int, seconds: float) -> dict:
    """One wrk run of ``load``; returns throughput and latency percentiles (ms)."""
    if not shutil.which("wrk"):
        raise RuntimeError("HTTP benchmarks need wrk (apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as handle:
        handle.write(wrk_script(load))
        handle.flush()
        result = subprocess.run(
            [
                "wrk",
                "-t",
                str(WRK_THREADS),
                "-c",
                str(connections),
                "-d",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "10s",
            ]
            + ["-s", handle.name, f"http://127.0.0.1:{server.port}"],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
    server.drain()
    lines = [row for row in result.stdout.splitlines() if row.startswith("WRK ")]
    if result.returncode or not lines:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    requests, duration_us, p50, p95, p99, mean, peak, socket_errors, bad = lines[0].split()[1:]
    # The next run starts past every pair this one may have sent (answered or still in flight).
    load.cursor += (int(requests) + connections) * WRK_THREADS
    if int(bad):
        raise RuntimeError(f"{load.name}: {bad} of {requests} answers were errors (status >= 400)")
    return {
        "requests": int(requests),
        "rps": round(int(requests) / (int(duration_us) / 1e6), 1),
        "seconds": int(duration_us) / 1e6,
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "mean_ms": float(mean),
        "max_ms": float(peak),
        "socket_errors": int(socket_errors),
    }


def warm(server: Server, load: Load, *, connections: int, seconds: float = 2):
    """A short untimed run, so every worker has its connections and caches."""
    wrk_run(server, load, connections=connections, seconds=seconds)


def measure(
    report,
    server: Server,
    load: Load,
    floor: Load,
    *,
    figure: str,
    target: float | None = None,
    rounds: int = 3,
    seconds: float = 10,
    connections: int = 16,
    per_request: int = 1,
    unit: str = "requests/s",
    rate_target: float | None = None,
) -> dict:
    """Load ``floor`` and ``load`` for ``seconds`` each, ``rounds`` times; report the median.

    A round alternates the two in slices of about 2 seconds (floor first, then load first), so a
    burst of other work on the machine falls on both alike. The ratio of a round is the load's
    throughput over the floor's in that round (requests over seconds, summed over its slices); its
    p50/p95/p99 are the medians of its slices'. The figure is the round with the median ratio.
    ``per_request`` scales throughput to the figure's unit (e.g. 100 events per request);
    ``rate_target`` checks that rate too.
    """
    warm(server, floor, connections=connections, seconds=min(2, seconds))
    warm(server, load, connections=connections, seconds=min(2, seconds))
    slices = max(1, round(seconds / 2))
    per_round = []
    for index in range(rounds):
        runs = {"floor": [], "load": []}
        for part in range(slices):
            order = [("floor", floor), ("load", load)]
            for key, which in order if part % 2 == 0 else order[::-1]:
                runs[key].append(wrk_run(server, which, connections=connections, seconds=seconds / slices))
        floor_stats, stats = combine(runs["floor"]), combine(runs["load"])
        ratio = round(stats["rps"] / floor_stats["rps"], 3) if floor_stats["rps"] else 0.0
        per_round.append({"ratio": ratio, "floor": floor_stats, **stats})
        print(
            f"    {figure} round {index + 1}: {stats['rps']} req/s, p95 {stats['p95_ms']} ms; "
            f"floor {floor_stats['rps']} req/s; ratio {ratio}",
            flush=True,
        )
    median = sorted(per_round, key=lambda r: r["ratio"])[len(per_round) // 2]
    result = {
        "ratio": median["ratio"],
        "ratios": [r["ratio"] for r in per_round],
        "rate": round(median["rps"] * per_request, 1),
        "unit": unit,
        "rps": median["rps"],
        "p50_ms": median["p50_ms"],
        "p95_ms": median["p95_ms"],
        "p99_ms": median["p99_ms"],
        "floor_rps": median["floor"]["rps"],
        "floor_p95_ms": median["floor"]["p95_ms"],
        "connections": connections,
        "server": server.describe(),
        "rounds": per_round,
    }
    report.figure(figure, result, target=target, rate_target=rate_target)
    return result


def combine(runs: list[dict]) -> dict:
    """One figure from several wrk runs: throughput over their total time, median percentiles."""
    import statistics

    total = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    out = {"requests": total, "rps": round(total / seconds, 1) if seconds else 0.0, "seconds": seconds}
    for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms"):
        out[key] = round(statistics.median(r[key] for r in runs), 3)
    out["max_ms"] = max(r["max_ms"] for r in runs)
    out["slices"] = len(runs)
    return out


def add_http_arguments(parser):
    """Options every HTTP benchmark takes (``make bench ARGS="NAME --rounds 1 --seconds 3"``)."""
    group = parser.add_argument_group("load (wrk against gunicorn)")
    group.add_argument("--rounds", type=int, default=3, help="rounds of floor + load (default 3)")
    group.add_argument("--seconds", type=float, default=10, help="seconds of each wrk run (default 10)")
    group.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    group.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    group.add_argument(
        "--worker-class", default="sync", choices=["sync", "gthread"], help="gunicorn worker class"
    )
    group.add_argument("--threads", type=int, default=1, help="threads per gthread worker")


def server_for(args, env=None) -> Server:
    return Server(workers=args.workers, worker_class=args.worker_class, threads=args.threads, env=env)


def load_kwargs(args) -> dict:
    return {"rounds": args.rounds, "seconds": args.seconds, "connections": args.connections}
