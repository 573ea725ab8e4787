"""Planned sessions: complete, skip, move, and the sweep that marks the ones whose day ended missed."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.errors import Conflict, Invalid, NotFound
from config.timezones import local_today

from .. import events
from ..models import Activity, PlannedSession, PlanStatus, SessionStatus, SessionType, TrainingPlan
from ..workouts import HARD_TYPES
from .activities import activity_record
from .completion import check_missed_keys_on_commit, mark_completed
from .plans import plan_realign

UNSET = object()
MISSED_KEY_TRIGGER = 3
MISSED_KEY_WINDOW_DAYS = 14


def _locked_session(*, user, session) -> PlannedSession:
    locked = (
        PlannedSession.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(pk=session.pk, user=user)
        .first()
    )
    if locked is None:
        raise NotFound("No such session among yours.")
    return locked


def _require_running_plan(session: PlannedSession):
    if session.plan.status not in (PlanStatus.ACTIVE, PlanStatus.PAUSED, PlanStatus.DRAFT):
        raise Conflict(f"The plan is {session.plan.status}.", code=f"plan_{session.plan.status}")


@transaction.atomic
def session_complete(
    *,
    user,
    session: PlannedSession,
    activity: Activity | None = None,
    activity_id: int | None = None,
    actuals: dict | None = None,
):
    """Mark ``session`` done, by one of the user's activities (``activity`` or its id) or by
    ``actuals`` (which records one).

    ``actuals``: ``duration_s``, ``distance_m`` and optionally ``avg_heart_rate``,
    ``perceived_effort``, ``started_at``, ``kind``.
    """
    session = _locked_session(user=user, session=session)
    _require_running_plan(session)
    if session.session_type == SessionType.REST:
        raise Conflict("A rest day is not completed; it is rested.", code="rest_day")
    if session.status == SessionStatus.COMPLETED:
        raise Conflict("The session is already completed.", code="session_completed")
    if session.status == SessionStatus.SKIPPED:
        raise Conflict("The session was skipped.", code="session_skipped")
    if activity is not None:
        activity_id = activity.pk
    if activity_id is not None and actuals:
        raise Invalid({"non_field_errors": ["Give an activity or the actuals, not both."]})
    if activity_id is not None:
        activity = Activity.objects.filter(pk=activity_id, user=user).first()
        if activity is None:
            raise Invalid({"activity_id": ["No such activity among yours."]})
    elif actuals:
        values = dict(actuals)
        if values.get("started_at") is None:
            values["started_at"] = session.start_at() or _local_noon(session)
        activity = activity_record(user=user, match_session=False, time_zone=session.time_zone, **values)
    mark_completed(session, activity)
    return session


def _local_noon(session: PlannedSession) -> dt.datetime:
    from config.timezones import aware_local

    moment = aware_local(session.date, dt.time(12, 0), session.zone)
    return min(moment, timezone.now())


@transaction.atomic
def session_skip(*, user, session: PlannedSession, reason: str = "") -> PlannedSession:
    """The runner decides not to do a planned session (it is not counted as missed)."""
    session = _locked_session(user=user, session=session)
    _require_running_plan(session)
    if session.status != SessionStatus.PLANNED:
        raise Conflict(f"The session is {session.status}.", code=f"session_{session.status}")
    session.status = SessionStatus.SKIPPED
    if reason:
        session.description = f"{session.description}\nSkipped: {reason}".strip()
    session.save(update_fields=["status", "description", "updated_at"])
    events.emit("session_skipped", session.pk)
    if session.is_key_session:
        check_missed_keys_on_commit(session)
    return session


# Statuses that hold a day: a skipped session leaves its day free.
HOLDS_DAY = (SessionStatus.PLANNED, SessionStatus.COMPLETED, SessionStatus.MISSED)


@transaction.atomic
def session_move(*, user, session: PlannedSession, date=None, start_time_local=UNSET) -> PlannedSession:
    """Move a planned session to another day of its week and/or another start time (``None`` clears it).

    Every day of a plan holds one session (a rest day is a rest session), and a move keeps it so:

    * a run moved onto a rest day swaps with it (the rest session takes the run's old day);
    * a run moved onto a day that holds another run (planned, completed or missed) is ``Invalid``
      on ``date``: move that one first, or pick a rest day;
    * a rest session moved onto a planned run swaps with it the same way (the run takes the
      rest's old day, which must not be in the past); onto a completed or missed run it is
      ``Invalid``.

    A move that puts a hard session (tempo, intervals, repetition, goal pace, hills, long run,
    race) next to another one is allowed: the returned session's ``warnings`` name both.

    Moves of one plan are serialized on the plan's row (locked before the session, the order
    realign locks them in), so two moves onto the same rest day cannot both take it.
    """
    TrainingPlan.objects.select_for_update(of=("self",)).filter(pk=session.plan_id, user=user).first()
    session = _locked_session(user=user, session=session)
    _require_running_plan(session)
    if session.status != SessionStatus.PLANNED:
        raise Conflict(
            f"Only a planned session moves; this one is {session.status}.", code=f"session_{session.status}"
        )
    session.warnings = []
    old_date, old_time = session.date, session.start_time_local
    today = local_today(session.time_zone)
    swapped: list[PlannedSession] = []
    if date is not None and date != session.date:
        plan = session.plan
        week_start = plan.start_date + dt.timedelta(weeks=session.week_number - 1)
        week_end = week_start + dt.timedelta(days=6)
        if not week_start <= date <= week_end:
            raise Invalid({"date": [f"A session moves within its week ({week_start} to {week_end})."]})
        if date > plan.end_date:
            raise Invalid({"date": ["The plan ends before that day."]})
        if date < today:
            raise Invalid({"date": ["That day is in the past."]})
        swapped = _make_room(session, date=date, old_date=old_date, today=today)
        session.date = date
    if start_time_local is not UNSET:
        session.start_time_local = start_time_local
    if (session.date, session.start_time_local) == (old_date, old_time):
        return session
    session.save(update_fields=["date", "start_time_local", "updated_at"])
    for other in swapped:
        other.date = old_date
        other.save(update_fields=["date", "updated_at"])
        if other.session_type != SessionType.REST:
            events.emit("session_moved", other.pk)
    events.emit("session_moved", session.pk)
    moved = ([session] if session.date != old_date else []) + swapped
    session.warnings = _back_to_back_warnings(session.plan_id, moved)
    return session


def _make_room(session: PlannedSession, *, date, old_date, today) -> list[PlannedSession]:
    """The sessions on ``date`` that swap to ``old_date`` when ``session`` moves there (locked);
    ``Invalid`` on ``date`` when the day is taken by a run that cannot give way."""
    occupants = list(
        PlannedSession.objects.select_for_update(of=("self",))
        .filter(plan_id=session.plan_id, date=date, status__in=HOLDS_DAY)
        .exclude(pk=session.pk)
        .order_by("id")
    )
    runs = [o for o in occupants if o.session_type != SessionType.REST]
    if session.session_type != SessionType.REST:
        if runs:
            raise Invalid(
                {
                    "date": [
                        f"{date:%A %d %B} already holds {_named(runs[0])} ({runs[0].status}); "
                        "move that one first or pick a rest day."
                    ]
                }
            )
        return occupants  # the rest session(s) of that day take the old day
    fixed = [o for o in runs if o.status != SessionStatus.PLANNED]
    if fixed:
        raise Invalid(
            {"date": [f"{date:%A %d %B} holds {_named(fixed[0])}, which is {fixed[0].status}; it stays."]}
        )
    if runs and old_date < today:
        raise Invalid({"date": [f"{_named(runs[0])} would move into the past ({old_date:%A %d %B})."]})
    return occupants


def _named(session: PlannedSession) -> str:
    if session.target_distance_km:
        return f"{session.title} ({session.target_distance_km:g} km)"
    return session.title


def _back_to_back_warnings(plan_id: int, moved: list[PlannedSession]) -> list[str]:
    """A sentence for each hard session among ``moved`` that now has a hard session next to it."""
    hard_moved = [s for s in moved if s.session_type in HARD_TYPES]
    if not hard_moved:
        return []
    days = {s.date + dt.timedelta(days=offset) for s in hard_moved for offset in (-1, 1)}
    neighbours = list(
        PlannedSession.objects.filter(
            plan_id=plan_id,
            date__in=days,
            session_type__in=HARD_TYPES,
            status__in=(SessionStatus.PLANNED, SessionStatus.COMPLETED),
        ).order_by("date", "id")
    )
    warnings, seen = [], set()
    for moved_session in hard_moved:
        for other in neighbours:
            if other.pk == moved_session.pk or abs((other.date - moved_session.date).days) != 1:
                continue
            pair = frozenset((moved_session.pk, other.pk))
            if pair in seen:
                continue
            seen.add(pair)
            first, second = sorted((moved_session, other), key=lambda s: s.date)
            warnings.append(
                f"{_named(first)} on {first.date:%A %d %B} and {_named(second)} on "
                f"{second.date:%A %d %B} are hard sessions on consecutive days; the second will be run "
                "on tired legs, so keep one of them easy or move it."
            )
    return warnings


def sessions_mark_missed(*, now: dt.datetime | None = None) -> int:
    """Mark missed every planned session of an active plan whose local day has ended.

    Safe to run twice and concurrently: rows are claimed with ``SKIP LOCKED`` and changed only
    while still planned. Sends ``session_missed`` per session after commit; plans whose last day
    ended become completed; three missed key sessions within 14 days realign the plan.
    Returns the number of sessions marked.
    """
    now = now or timezone.now()
    latest_date = now.astimezone(dt.UTC).date()  # no zone is more than a day ahead of UTC
    marked_plans: set[int] = set()
    count = 0
    with transaction.atomic():
        candidates = list(
            PlannedSession.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                status=SessionStatus.PLANNED,
                date__lte=latest_date,
                plan__status=PlanStatus.ACTIVE,
            )
            .exclude(session_type=SessionType.REST)
            .order_by("date", "id")
        )
        due = [s for s in candidates if s.day_ends_at() <= now]
        if due:
            PlannedSession.objects.filter(pk__in=[s.pk for s in due], status=SessionStatus.PLANNED).update(
                status=SessionStatus.MISSED, updated_at=now
            )
        for session in due:
            session.status = SessionStatus.MISSED
            events.emit("session_missed", session.pk)
            if session.is_key_session:
                marked_plans.add(session.plan_id)
            count += 1
    _complete_finished_plans(now=now)
    for plan_id in sorted(marked_plans):
        _realign_after_missed_keys(plan_id=plan_id, now=now)
    return count


def _complete_finished_plans(*, now):
    latest_date = now.astimezone(dt.UTC).date()
    for plan in TrainingPlan.objects.filter(status=PlanStatus.ACTIVE, end_date__lt=latest_date):
        if local_today(plan.time_zone, now) <= plan.end_date:
            continue
        with transaction.atomic():
            locked = (
                TrainingPlan.objects.select_for_update(of=("self",))
                .filter(pk=plan.pk, status=PlanStatus.ACTIVE)
                .first()
            )
            if locked is None:
                continue
            locked.status = PlanStatus.COMPLETED
            locked.save(update_fields=["status", "updated_at"])
            events.emit("plan_deactivated", locked.pk, str(PlanStatus.COMPLETED))


# A key session that was not done: missed, skipped, or run to less than half of it.
NOT_DONE = (
    Q(status=SessionStatus.MISSED)
    | Q(status=SessionStatus.SKIPPED)
    | Q(status=SessionStatus.COMPLETED, compliance__verdict="partial")
)


def sessions_check_missed_keys(*, plan_id: int, now: dt.datetime | None = None) -> bool:
    """Realign the active plan when three of its key sessions within 14 days (since its last
    realign) were not done: missed, skipped or completed ``partial``. Returns whether it realigned."""
    return _realign_after_missed_keys(plan_id=plan_id, now=now or timezone.now())


def _realign_after_missed_keys(*, plan_id: int, now) -> bool:
    plan = TrainingPlan.objects.filter(pk=plan_id, status=PlanStatus.ACTIVE).select_related("user").first()
    if plan is None:
        return False
    today = local_today(plan.time_zone, now)
    since = today - dt.timedelta(days=MISSED_KEY_WINDOW_DAYS)
    if plan.realigned_at is not None:
        since = max(since, plan.realigned_at.astimezone(plan.zone).date() + dt.timedelta(days=1))
    missed = plan.sessions.filter(NOT_DONE, is_key_session=True, date__gte=since).count()
    if missed >= MISSED_KEY_TRIGGER and today <= plan.end_date:
        try:
            plan_realign(user=plan.user, plan=plan, reason="missed_key_sessions", today=today)
        except Conflict:
            return False
        return True
    return False
