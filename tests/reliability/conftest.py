"""Servers of the suite's own, to stop and start without touching the shared test Redis."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=20.0, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


class RedisServer:
    """A redis-server process on a loopback port of its own that a test can stop and start again."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _pings(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self._pings), "redis-server did not start"

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        assert wait_for(lambda: not self._pings())


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (make test installs it)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def redis_cache_settings(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "reliability",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def _pg_bin() -> str:
    initdb = os.path.realpath(shutil.which("initdb") or "/nonexistent/x")
    for folder in (os.path.dirname(initdb), "/usr/lib/postgresql/15/bin"):
        if os.path.exists(os.path.join(folder, "pg_ctl")):
            return folder
    pytest.fail("PostgreSQL binaries are missing (make test installs them)")


class PostgresServer:
    """A PostgreSQL cluster of the test's own on a loopback port, holding a copy of the test
    database, that a test can stop and start again like an operator (``pg_ctl stop -m fast``)."""

    def __init__(self):
        self.bin = _pg_bin()
        self.folder = tempfile.mkdtemp(prefix="coach-pg-")
        os.chmod(self.folder, 0o755)
        self.as_user = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            shutil.chown(self.folder, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.data = os.path.join(self.folder, "pg")
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "coach")

    def run(self, tool, *args):
        subprocess.run(
            [*self.as_user, os.path.join(self.bin, tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def copy_database(self, settings_dict):
        """Schema and rows of the test database, loaded into this cluster's ``coach``."""
        source = [
            "-h",
            settings_dict["HOST"] or "127.0.0.1",
            "-p",
            str(settings_dict["PORT"] or 5432),
            "-U",
            settings_dict["USER"] or "postgres",
            settings_dict["NAME"],
        ]
        dump = subprocess.run(
            [os.path.join(self.bin, "pg_dump"), "--no-owner", "--no-privileges", *source],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""},
        ).stdout
        subprocess.run(
            [os.path.join(self.bin, "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"]
            + ["-p", str(self.port), "-U", "postgres", "coach"],
            input=dump,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            "pg_ctl", "-D", self.data, "-l", os.path.join(self.folder, "log"), "-w", "-o", options, "start"
        )

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def close(self):
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def postgres_server():
    server = PostgresServer()
    yield server
    server.close()
