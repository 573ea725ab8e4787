"""LOG_FORMAT=json: one JSON object per line, with the request id of the request that logged it."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.logging import JsonFormatter, request_id_var

ROOT = Path(__file__).resolve().parents[2]


def test_a_record_is_one_json_line_with_its_context():
    formatter = JsonFormatter()
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record = logging.getLogger("progress").makeRecord(
            "progress", logging.ERROR, __file__, 1, "drift %s rows", (3,), sys.exc_info(), extra={"job": "x"}
        )
    token = request_id_var.set("req-123")
    try:
        line = formatter.format(record)
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "progress"
    assert entry["message"] == "drift 3 rows"
    assert entry["request_id"] == "req-123"
    assert entry["job"] == "x"
    assert "ValueError: boom" in entry["exc_info"]
    assert entry["timestamp"].endswith("+00:00")


@pytest.mark.django_db
def test_requests_carry_an_id_into_their_log_lines_and_answer(client, caplog):
    caplog.set_level(logging.WARNING)
    response = client.get("/api/v1/scenarios/", HTTP_X_REQUEST_ID="abc-42")
    assert response.status_code == 401
    assert response["X-Request-ID"] == "abc-42"
    record = next(r for r in caplog.records if r.name == "django.request")
    assert json.loads(JsonFormatter().format(record))["request_id"] == "abc-42"
    generated = client.get("/healthz", HTTP_X_REQUEST_ID="not ok; injected")["X-Request-ID"]
    assert len(generated) == 32 and generated != "not ok; injected"


def test_log_format_json_switches_the_console_handler():
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    code = "import logging; logging.getLogger('coach').warning('hello %s', 'json')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**keep, "LOG_FORMAT": "json", "DATABASE_URL": os.environ["DATABASE_URL"]},
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(e["message"] == "hello json" and e["logger"] == "coach" for e in lines), result.stderr
