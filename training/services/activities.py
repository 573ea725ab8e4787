"""Activities: record one (typed in or sent by a client), import a watch file; match to the plan."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Invalid, TooLarge
from config.metrics import record_activity_file

from ..importers import ImportFailed, parse, read_capped
from ..models import Activity, ActivitySource, PlannedSession, PlanStatus, SessionStatus, SessionType
from .completion import mark_completed
from .profiles import runner_profile_get

FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def _match_session(*, user, activity: Activity) -> PlannedSession | None:
    """The planned (or missed) session of the activity's local day in the user's active plan."""
    return (
        PlannedSession.objects.select_for_update(of=("self",))
        .filter(
            user=user,
            date=activity.local_date,
            status__in=(SessionStatus.PLANNED, SessionStatus.MISSED),
            plan__status=PlanStatus.ACTIVE,
        )
        .exclude(session_type=SessionType.REST)
        .order_by("-is_key_session", "id")
        .first()
    )


@transaction.atomic
def activity_record(
    *,
    user,
    started_at: dt.datetime,
    duration_s: int,
    distance_m: int,
    kind: str = "run",
    avg_heart_rate: int | None = None,
    max_heart_rate: int | None = None,
    elevation_gain_m: int | None = None,
    avg_cadence: int | None = None,
    perceived_effort: int | None = None,
    source: str = ActivitySource.MANUAL,
    time_zone: str | None = None,
    notes: str = "",
    fingerprint: str = "",
    match_session: bool = True,
) -> Activity:
    """Record an activity; with ``match_session``, it completes the session planned that day."""
    if started_at is None or timezone.is_naive(started_at):
        raise Invalid({"started_at": ["Give the start with its UTC offset."]})
    if started_at > timezone.now() + FUTURE_TOLERANCE:
        raise Invalid({"started_at": ["The start is in the future."]})
    activity = Activity(
        user=user,
        kind=kind,
        started_at=started_at.astimezone(dt.UTC),
        duration_s=duration_s,
        distance_m=distance_m,
        avg_heart_rate=avg_heart_rate,
        max_heart_rate=max_heart_rate,
        elevation_gain_m=elevation_gain_m,
        avg_cadence=avg_cadence,
        perceived_effort=perceived_effort,
        source=source,
        time_zone=time_zone or runner_profile_get(user=user).time_zone,
        notes=notes or "",
        fingerprint=fingerprint,
    )
    activity.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    if distance_m and duration_s and duration_s / (distance_m / 1000) < 100:
        raise Invalid({"distance_m": ["Faster than 1:40/km: no runner covers that distance in that time."]})
    activity.save()
    if match_session:
        session = _match_session(user=user, activity=activity)
        if session is not None:
            mark_completed(session, activity)
    return activity


@dataclass(frozen=True)
class FileImport:
    """What importing one file did: the activity (the earlier one for a duplicate), whether it was
    created now, and what was skipped inside the file."""

    activity: Activity
    created: bool
    warnings: tuple[str, ...] = ()


def activity_import_file(*, user, file, via: str = "file") -> FileImport:
    """Record the activity in an uploaded GPX, TCX or FIT file.

    The upload is read and hashed in chunks and refused (``TooLarge``) as soon as it passes
    ``ACTIVITY_IMPORT_MAX_BYTES``; the rest is ``activity_import_bytes``.
    """
    try:
        data, fingerprint = read_capped(file)
    except ImportFailed as error:
        record_activity_file(via=via, outcome="refused", reason=error.code)
        raise TooLarge(str(error), code="file_too_large") from error
    return activity_import_bytes(
        user=user, name=getattr(file, "name", "") or "", data=data, fingerprint=fingerprint, via=via
    )


def activity_import_bytes(
    *, user, name: str, data: bytes, fingerprint: str = "", via: str = "file"
) -> FileImport:
    """Record the activity in one file's content; the single-file import and every archive entry
    come through here.

    The file's SHA-256 is the activity's fingerprint, so importing the same file again returns
    the activity recorded the first time (``created`` false). A file that cannot be read is
    ``Invalid`` on ``file`` with the reason, and nothing is recorded. Counted in
    ``activity_files_total``.
    """
    fingerprint = fingerprint or hashlib.sha256(data).hexdigest()
    existing = Activity.objects.filter(user=user, fingerprint=fingerprint).first()
    if existing is not None:
        record_activity_file(via=via, outcome="duplicate")
        return FileImport(existing, False)
    try:
        parsed = parse(name, data)
    except ImportFailed as error:
        record_activity_file(via=via, outcome="refused", reason=error.code)
        raise Invalid({"file": [str(error)]}) from error
    try:
        with transaction.atomic():
            activity = activity_record(
                user=user,
                kind=parsed.kind,
                started_at=parsed.started_at,
                duration_s=parsed.duration_s,
                distance_m=parsed.distance_m,
                avg_heart_rate=parsed.avg_heart_rate,
                max_heart_rate=parsed.max_heart_rate,
                elevation_gain_m=parsed.elevation_gain_m,
                avg_cadence=parsed.avg_cadence,
                source=parsed.source,
                fingerprint=fingerprint,
            )
    except IntegrityError:  # the same file imported by a concurrent request
        existing = Activity.objects.filter(user=user, fingerprint=fingerprint).first()
        if existing is None:
            raise
        record_activity_file(via=via, outcome="duplicate")
        return FileImport(existing, False)
    except Invalid as error:
        record_activity_file(via=via, outcome="refused", reason="invalid_values")
        messages = [f"{field}: {'; '.join(msgs)}" for field, msgs in error.message_dict.items()]
        raise Invalid({"file": messages}) from error
    record_activity_file(via=via, outcome="imported")
    return FileImport(activity, True, parsed.warnings)
