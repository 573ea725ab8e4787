"""Activities: record one (typed in or sent by a client), import a watch file; match to the plan."""

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Invalid

from ..importers import ImportFailed, parse
from ..models import Activity, ActivitySource, PlannedSession, PlanStatus, SessionStatus, SessionType
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
        from .sessions import mark_completed

        session = _match_session(user=user, activity=activity)
        if session is not None:
            mark_completed(session, activity)
    return activity


def activity_import_file(*, user, file) -> tuple[Activity, bool]:
    """Record the activity in a GPX, TCX or FIT file; (activity, created).

    The file's SHA-256 is the activity's fingerprint, so importing the same file again returns
    the activity recorded the first time. A file that cannot be read is ``Invalid`` on ``file``
    and nothing is recorded.
    """
    data = file.read()
    name = getattr(file, "name", "") or ""
    fingerprint = hashlib.sha256(data).hexdigest()
    existing = Activity.objects.filter(user=user, fingerprint=fingerprint).first()
    if existing is not None:
        return existing, False
    try:
        parsed = parse(name, data)
    except ImportFailed as error:
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
                source=parsed.source,
                fingerprint=fingerprint,
            )
    except IntegrityError:  # the same file imported by a concurrent request
        existing = Activity.objects.filter(user=user, fingerprint=fingerprint).first()
        if existing is None:
            raise
        return existing, False
    except Invalid as error:
        messages = [f"{field}: {'; '.join(msgs)}" for field, msgs in error.message_dict.items()]
        raise Invalid({"file": messages}) from error
    return activity, True
