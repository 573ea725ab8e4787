"""Retries made safe: the ``Idempotency-Key`` request header on every recording ``POST``.

A client that is not sure a ``POST`` went through sends it again with the same
``Idempotency-Key`` header (any string of 1-255 printable ASCII characters, e.g. a UUID it made
for this action). The first request runs; its status and body are stored per (user, key) for
``IDEMPOTENCY_KEY_TTL_H`` hours (at least 24) and replayed to every retry, marked with the
response header ``Idempotent-Replayed: true``. The same key with a different request (method,
path or body) is a 422 ``idempotency_key_reused``; a retry that arrives while the first request
is still running is a 409 ``idempotency_key_in_progress`` with ``Retry-After``: two requests with
one key never both run.

Use it on a view method, below ``@extend_schema`` / ``@action``::

    class CoachStatusView(APIView):
        @extend_schema(...)
        @idempotent
        def post(self, request): ...

The schema (``config/api/schema.py``) then documents the header and the 409/422 answers.

Only answers below 500 are stored. A request that fails with an exception has its writes rolled
back (the view runs in one transaction with the stored answer; ``request.idempotency_record`` is
set while it does) and its key released, so a retry runs it again. A key left "in progress" by a
process that died is taken over after ``IDEMPOTENCY_LOCK_S`` seconds: that request's transaction
never committed, so nothing of it is there to protect.
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import JSONField, Value
from django.db.models.functions import Cast
from django.http.request import RawPostDataException
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from config.errors import Conflict, Invalid, Unprocessable

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# 1-255 printable ASCII characters, at least one of them not a space (the schema's pattern).
KEY_PATTERN = r"^[ -~]*[!-~][ -~]*$"
_KEY = re.compile(KEY_PATTERN.replace("$", r"\Z"))


def ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_H)


def clean_key(raw: str) -> str:
    """The key of a header value that matches ``KEY_PATTERN`` within ``MAX_KEY_LENGTH``; surrounding
    spaces are not part of it."""
    if len(raw) > MAX_KEY_LENGTH or not _KEY.match(raw):
        raise Invalid({HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable ASCII characters, e.g. a UUID."]})
    return raw.strip()


def _body_parts(request):
    """The request body as byte strings: uploads chunk by chunk, JSON by content, not key order."""
    if request.content_type.startswith("multipart/"):
        for name in sorted(request.data.keys()):
            for value in request.data.getlist(name):
                yield name.encode()
                if hasattr(value, "chunks"):
                    yield (value.name or "").encode()
                    yield from value.chunks()
                    value.seek(0)
                else:
                    yield str(value).encode()
        return
    try:
        body = request.body
    except RawPostDataException:  # already parsed: compare what was parsed
        yield json.dumps(request.data, sort_keys=True, cls=JSONEncoder).encode()
        return
    if request.content_type == "application/json" and body:
        try:
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            pass  # the view answers the malformed body; compare the bytes
    yield body


def request_fingerprint(request) -> str:
    """SHA-256 of the method, path and body a key is used with."""
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    for part in _body_parts(request):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def idempotency_begin(*, user, key: str, method: str, path: str, fingerprint: str) -> IdempotencyRecord:
    """Claim ``key`` for this request, or explain why it cannot run.

    Returns the claimed (in-progress) record, or a completed one to replay. Raises ``Unprocessable``
    when the key was used with another request and ``Conflict`` while the first is still running.
    Commits on its own, so concurrent requests see the claim at once.
    """
    now = timezone.now()
    # The usual case, a new key, is one INSERT committed on its own: outside a transaction
    # (autocommit) it is a single statement, no BEGIN and COMMIT around it; inside one (a caller's
    # or a test's) a savepoint keeps a duplicate key from breaking it. Only a key already there
    # takes the lock below. A claim released between the two steps (its request failed) is
    # simply claimed again.
    while True:
        try:
            if transaction.get_connection().in_atomic_block:
                with transaction.atomic():
                    return _create_claim(user, key, method, path, fingerprint, now)
            return _create_claim(user, key, method, path, fingerprint, now)
        except IntegrityError:
            pass
        with transaction.atomic():
            record = (
                IdempotencyRecord.objects.select_for_update(of=("self",)).filter(user=user, key=key).first()
            )
            if record is not None:
                return _claim_existing(record, method=method, path=path, fingerprint=fingerprint, now=now)


def _create_claim(user, key, method, path, fingerprint, now) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        user=user, key=key, method=method, path=path, fingerprint=fingerprint, created_at=now
    )


def _claim_existing(record, *, method, path, fingerprint, now) -> IdempotencyRecord:
    expired = record.created_at < now - ttl()
    abandoned = record.in_progress and record.created_at < now - timedelta(
        seconds=settings.IDEMPOTENCY_LOCK_S
    )
    if expired or abandoned:
        record.method, record.path, record.fingerprint = method, path, fingerprint
        record.status_code = record.response_body = record.completed_at = None
        record.created_at = now
        record.save(
            update_fields=[
                "method",
                "path",
                "fingerprint",
                "status_code",
                "response_body",
                "completed_at",
                "created_at",
            ]
        )
        return record
    if record.fingerprint != fingerprint:
        raise Unprocessable(
            f"This {HEADER} was already used with a different request; use a new key for a new request.",
            code="idempotency_key_reused",
        )
    if record.in_progress:
        raise Conflict(
            f"A request with this {HEADER} is still being processed; retry shortly.",
            code="idempotency_key_in_progress",
            retry_after=1,
        )
    return record


def idempotency_complete(*, record: IdempotencyRecord, status_code: int, body) -> None:
    """Store the answer (inside the request's own transaction).

    The body is encoded once, with the API's encoder, and sent as text the database reads as
    the JSON document (not decoded and encoded again on the way)."""
    text = json.dumps(body, cls=JSONEncoder, separators=(",", ":")) if body is not None else None
    record.status_code = status_code
    record.completed_at = timezone.now()
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=status_code,
        response_body=None if text is None else Cast(Value(text), output_field=JSONField()),
        completed_at=record.completed_at,
    )
    record.response_body = json.loads(text) if text is not None else None


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed, so that a retry runs it."""
    IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def idempotency_purge(*, now=None) -> int:
    """Delete records older than the retention period; returns how many."""
    cutoff = (now or timezone.now()) - ttl()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(view_method):
    """Make a DRF view method honour the ``Idempotency-Key`` header (see the module docstring)."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None or not request.user.is_authenticated:
            return view_method(view, request, *args, **kwargs)
        record = idempotency_begin(
            user=request.user,
            key=clean_key(raw),
            method=request.method,
            path=request.path,
            fingerprint=request_fingerprint(request),
        )
        if not record.in_progress:
            return replay(record)
        request.idempotency_record = record  # the view runs in the transaction that stores its answer
        try:
            with transaction.atomic():
                response = view_method(view, request, *args, **kwargs)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                else:
                    idempotency_complete(
                        record=record, status_code=response.status_code, body=getattr(response, "data", None)
                    )
        except BaseException:
            idempotency_release(record=record)
            raise
        if response.status_code >= 500:
            idempotency_release(record=record)
        return response

    wrapper.idempotent = True
    return wrapper
