"""Log records as one JSON object per line (``LOG_FORMAT=json``), with the request id; secrets in
URLs redacted.

``RequestIdMiddleware`` (config/middleware.py) gives every request an id (the client's
``X-Request-ID`` if it sent a sane one, else a new UUID), answers it in the same header and keeps it
in a context variable for the records logged while the request runs.
"""

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


# Secrets that travel in a URL path, with what replaces them in every log line: the calendar feed
# token (``/api/v1/calendar/feed/<token>.ics``) is the feed's only credential.
SECRET_IN_PATH = re.compile(r"(/calendar/feed/)[^/\s?#\"'<>]+(\.ics)")


def redact(text: str) -> str:
    return SECRET_IN_PATH.sub(r"\1[redacted]\2", text)


class RedactingFormatter(logging.Formatter):
    """The plain format, secrets in URLs redacted (message, extras and tracebacks alike)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def install_request_id_on_records():
    """Every log record made while a request runs carries its ``request_id`` (called once, from
    ``PlatformConfig.ready``), whichever handler or formatter later writes it."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "adds_request_id", False):
        return

    def factory(*args, **kwargs):
        record = make_record(*args, **kwargs)
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return record

    factory.adds_request_id = True
    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    """``{"timestamp", "level", "logger", "message", "request_id"?, "exc_info"?, ...extra}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value
        return redact(json.dumps(entry, default=str, ensure_ascii=False))
