"""Request plumbing: a request id for the logs, and a database outage answered as a 503."""

import logging
import re
import uuid

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from .errors import Unavailable
from .logging import request_id_var

logger = logging.getLogger("config.unavailable")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Tag the request (and its log lines) with ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        # Kept until the response is finished (``forget_request_id``), so Django's own
        # "django.request" line, written after the middleware returns, has it too.
        request_id_var.set(request.request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


def forget_request_id(**kwargs):
    """``request_finished``: the thread's next log lines belong to no request."""
    request_id_var.set(None)


DATABASE_ERRORS = (OperationalError, InterfaceError)


def unavailable_response(exc=None) -> JsonResponse:
    """The API's 503 for a server the request needed (``{"detail", "code"}``, JSON)."""
    error = Unavailable()
    return JsonResponse(error.as_payload(), status=error.status_code, headers={"Retry-After": "5"})


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is unreachable answers 503 in the error shape.

    API views get the same answer from the DRF exception handler; this covers the others (admin,
    certificates' HTML, ...). The connection is closed so the next request reconnects: the app
    recovers by itself when the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, DATABASE_ERRORS):
            log_unavailable(exc, request)
            return unavailable_response(exc)
        return None


def log_unavailable(exc, request=None):
    from django.db import connections

    logger.error(
        "database unavailable: %s: %s",
        exc.__class__.__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
        extra={"path": getattr(request, "path", None)},
    )
    # Outside a transaction, drop a broken connection now so the next request reconnects
    # (request_finished does the same in a server; this also covers callers that skip it).
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()
