"""Writes for notifications: keyword-only, atomic functions named <entity>_<verb>.

Scheduling writes rows of the outbox (``Notification``) from the planner's answers. Every row has
a unique dedupe key (``morning_hype:<session>:<session date>``, ``weekly_digest:<plan>:<sunday>``,
``kickoff_primer:<plan>`` ...), so scheduling the same thing twice (a retried task, the hourly
horizon roll, two workers) leaves one row. Rescheduling moves a row that is still ``scheduled``
(or revives one ``cancelled``) and never touches a row a sweep has claimed or finished.

The sweep lives in ``notifications.sweep``; the analyzer's writes in ``notifications.analyzer``.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.errors import Conflict, Invalid, NotFound
from config.outbox import enqueue_on_commit
from training.models import PlannedSession, PlanStatus, SessionStatus, SessionType, TrainingPlan

from . import planner
from .models import (
    ACCOUNTABILITY_KINDS,
    KINDS,
    BehaviorProfile,
    Device,
    Kind,
    Notification,
    NotificationPreferences,
    Status,
    Tone,
)
from .planner import Planned, Prefs
from .sweep import sweep

SESSION_REMINDER_KINDS = (Kind.EVENING_BRIEF, Kind.MORNING_HYPE)
MAX_SNOOZE = dt.timedelta(hours=24)
STREAKS = (5, 10, 20, 30, 50)

# --- preferences, devices, snooze, analytics --------------------------------------------

PREFERENCE_FIELDS = (
    "time_zone",
    "quiet_hours_start",
    "quiet_hours_end",
    "evening_brief_time",
    "morning_hype_lead_min",
    "tone",
    "categories",
    "daily_budget",
    "weather_location",
)


def active_plan_of(user) -> TrainingPlan | None:
    return TrainingPlan.objects.filter(user=user, status=PlanStatus.ACTIVE).first()


def preferences_update(*, user, **changes) -> NotificationPreferences:
    """Change a user's preferences (creating them on first use), then reschedule the active plan.

    While a plan is active its accountability kinds (evening brief, morning hype, missed
    follow-up) cannot be switched off.
    """
    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        raise Invalid({name: ["Not a preference."] for name in sorted(unknown)})
    with transaction.atomic():
        prefs, _ = NotificationPreferences.objects.select_for_update(of=("self",)).get_or_create(
            user=user, defaults={"time_zone": _default_zone(user)}
        )
        categories = changes.get("categories")
        if categories is not None:
            unknown_kinds = sorted(set(categories) - set(KINDS))
            if unknown_kinds:
                raise Invalid({"categories": [f"Unknown kind: {', '.join(unknown_kinds)}."]})
            plan = active_plan_of(user)
            off = sorted(k for k in ACCOUNTABILITY_KINDS if categories.get(k) is False)
            if off and plan is not None:
                raise Invalid(
                    {
                        "categories": [
                            f"{', '.join(off)} cannot be switched off while your plan "
                            f"“{plan.name}” is active: "
                            "a plan is a commitment to show up. Quiet hours, snooze and moving a session "
                            "still apply; pause the plan to stop them."
                        ]
                    }
                )
            changes["categories"] = {**prefs.categories, **categories}
        if "tone" in changes and changes["tone"] not in Tone.values:
            raise Invalid({"tone": [f"Unknown tone; one of {', '.join(Tone.values)}."]})
        for name, value in changes.items():
            setattr(prefs, name, value)
        prefs.full_clean()
        prefs.save()
        plan = active_plan_of(user)
        if plan is not None:
            enqueue_on_commit("notifications.tasks.reschedule_plan", plan.pk)
    return prefs


def _default_zone(user) -> str:
    plan = TrainingPlan.objects.filter(user=user).only("time_zone").first()
    if plan is not None:
        return plan.time_zone
    profile = getattr(user, "runner_profile", None)
    return profile.time_zone if profile is not None else "UTC"


def preferences_ensure(*, user, **defaults) -> NotificationPreferences:
    prefs, _ = NotificationPreferences.objects.get_or_create(
        user=user, defaults={"time_zone": _default_zone(user), **defaults}
    )
    return prefs


def snooze_set(*, user, until: dt.datetime, now: dt.datetime | None = None) -> NotificationPreferences:
    """Hold every notification until ``until`` (at most 24 hours ahead); the sweep moves due rows there."""
    now = now or timezone.now()
    if until <= now:
        raise Invalid({"until": ["Snooze until a time in the future."]})
    if until - now > MAX_SNOOZE:
        raise Invalid({"until": ["Snooze for at most 24 hours."]})
    prefs = preferences_ensure(user=user)
    prefs.snoozed_until = until
    prefs.save(update_fields=["snoozed_until", "updated_at"])
    return prefs


@transaction.atomic
def device_register(*, user, platform: str, token: str) -> tuple[Device, bool]:
    """Register a push token, or reactivate one of this user's. A token registered to another
    user stays theirs: a ``Conflict`` (409 ``device_token_taken``), so nobody can take over
    someone else's pushes by posting their token. An app signing out forgets its token
    (``DELETE /devices/{id}/``) so the next account on the phone can register it."""
    device, created = Device.objects.select_for_update(of=("self",)).get_or_create(
        token=token, defaults={"user": user, "platform": platform, "active": True}
    )
    if device.user_id != user.pk:
        raise Conflict("This push token is registered to another account.", code="device_token_taken")
    if not created and (device.platform != platform or not device.active):
        device.platform, device.active = platform, True
        device.save(update_fields=["platform", "active", "updated_at"])
    return device, created


def device_delete(*, user, device_id: int) -> None:
    deleted, _ = Device.objects.filter(user=user, pk=device_id).delete()
    if not deleted:
        raise NotFound("No such device among yours.")


def notification_mark(
    *, user, notification_id: int, event: str, now: dt.datetime | None = None
) -> Notification:
    """Record that a sent notification was opened or its action tapped; the first time counts."""
    now = now or timezone.now()
    field = {"opened": "opened_at", "clicked": "clicked_at"}[event]
    notification = Notification.objects.filter(user=user, pk=notification_id, status=Status.SENT).first()
    if notification is None:
        raise NotFound("No such sent notification among yours.")
    updates = {field: now}
    if event == "clicked" and notification.opened_at is None:
        updates["opened_at"] = now  # a tap opens it
    Notification.objects.filter(pk=notification.pk, **{f"{field}__isnull": True}).update(**updates)
    notification.refresh_from_db()
    return notification


# --- scheduling ---------------------------------------------------------------------------


def _prefs_for(plan) -> Prefs:
    preferences = NotificationPreferences.objects.filter(user_id=plan.user_id).first()
    prefs = Prefs.of(preferences, fallback_zone=plan.time_zone)
    prefs.active_plan = plan.status == PlanStatus.ACTIVE
    return prefs


def _profile_of(plan) -> dict | None:
    return (
        BehaviorProfile.objects.filter(user_id=plan.user_id, plan=plan)
        .values("window_start_min", "window_end_min", "confidence", "used_fallback", "weekday_patterns")
        .first()
    )


def plan_default_minute(plan) -> int:
    times = list(
        PlannedSession.objects.filter(plan=plan, start_time_local__isnull=False).values_list(
            "start_time_local", flat=True
        )[:200]
    )
    return planner.default_minute(times)


def persist(planned: list[Planned], *, now: dt.datetime) -> int:
    """Write planned rows: new keys are inserted, ``scheduled``/``cancelled`` rows with a key move
    to the new time; claimed and finished rows are never touched. Returns rows inserted or moved."""
    if not planned:
        return 0
    by_key = {p.dedupe_key: p for p in planned}
    existing = {
        row["dedupe_key"]: row
        for row in Notification.objects.filter(dedupe_key__in=list(by_key)).values(
            "id", "dedupe_key", "status", "send_at"
        )
    }
    new = [
        Notification(
            user_id=p.user_id,
            kind=p.kind,
            plan_id=p.plan_id,
            session_id=p.session_id,
            dedupe_key=p.dedupe_key,
            send_at=p.send_at,
            local_date=p.local_date,
            status=p.status,
            decision=p.decision,
            outcome="" if p.status == Status.SCHEDULED else "hype would arrive after the session starts",
        )
        for key, p in by_key.items()
        if key not in existing
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    changed = len(new)
    for key, row in existing.items():
        p = by_key[key]
        if row["status"] not in (Status.SCHEDULED, Status.CANCELLED):
            continue
        if row["status"] == p.status and row["send_at"] == p.send_at:
            continue
        p.decision["events"].append(
            {
                "at": now.isoformat(),
                "what": "rescheduled",
                "detail": f"was {row['status']} at {row['send_at'].isoformat()}",
            }
        )
        changed += Notification.objects.filter(pk=row["id"], status=row["status"]).update(
            status=p.status, send_at=p.send_at, local_date=p.local_date, decision=p.decision, outcome=""
        )
    return changed


def cancel_pending(queryset, *, why: str) -> int:
    """Cancel rows that are still only scheduled (a claimed row is re-checked by its sweep)."""
    return queryset.filter(status=Status.SCHEDULED).update(
        status=Status.CANCELLED, outcome=why[:200], claimed_until=None
    )


@dataclass
class ScheduleResult:
    written: int
    cancelled: int
    due_ids: list[int] = field(default_factory=list)  # rows to deliver at once


def plan_schedule_horizon(*, plan_id: int, now: dt.datetime | None = None) -> ScheduleResult:
    """Keep the next ``NOTIFICATIONS_HORIZON_DAYS`` days of an active plan scheduled: briefs, hype
    and digests; rows for sessions that are no longer planned there are cancelled."""
    now = now or timezone.now()
    plan = TrainingPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        return ScheduleResult(0, 0)
    if plan.status != PlanStatus.ACTIVE:
        return ScheduleResult(0, cancel_pending(plan.notifications.all(), why=f"plan {plan.status}"))
    prefs = _prefs_for(plan)
    today = now.astimezone(prefs.zone).date()
    last = today + dt.timedelta(days=settings.NOTIFICATIONS_HORIZON_DAYS)
    sessions = list(
        PlannedSession.objects.filter(
            plan=plan, date__range=(today, last + dt.timedelta(days=1)), status=SessionStatus.PLANNED
        ).exclude(session_type=SessionType.REST)
    )
    planned = planner.for_days(
        plan,
        sessions,
        first=today,
        last=last,
        prefs=prefs,
        profile=_profile_of(plan),
        plan_default=plan_default_minute(plan),
    )
    planned = [p for p in planned if p.send_at > now or p.status != Status.SCHEDULED]
    with transaction.atomic():
        written = persist(planned, now=now)
        stale = Notification.objects.filter(
            plan=plan,
            kind__in=(*SESSION_REMINDER_KINDS, Kind.WEEKLY_DIGEST),
            send_at__gt=now,
            local_date__lte=last,
        ).exclude(dedupe_key__in=[p.dedupe_key for p in planned])
        cancelled = cancel_pending(stale, why="no longer planned at this time")
    return ScheduleResult(written, cancelled)


def plan_activated_notify(*, plan_id: int, now: dt.datetime | None = None) -> ScheduleResult:
    """A plan became active: the kickoff primer at once, then the next days' reminders."""
    now = now or timezone.now()
    plan = TrainingPlan.objects.filter(pk=plan_id, status=PlanStatus.ACTIVE).first()
    if plan is None:
        return ScheduleResult(0, 0)
    prefs = _prefs_for(plan)
    written = 0
    if prefs.wants(Kind.KICKOFF_PRIMER):
        kickoff = planner.immediate(
            Kind.KICKOFF_PRIMER,
            user_id=plan.user_id,
            plan_id=plan.pk,
            session_id=None,
            dedupe_key=f"kickoff_primer:{plan.pk}",
            now=now,
            prefs=prefs,
            reason=f"plan “{plan.name}” activated",
        )
        first = (
            plan.sessions.filter(status=SessionStatus.PLANNED).exclude(session_type=SessionType.REST).first()
        )
        kickoff.session_id = first.pk if first else None
        written += persist([kickoff], now=now)
    result = plan_schedule_horizon(plan_id=plan.pk, now=now)
    due = list(
        Notification.objects.filter(
            dedupe_key=f"kickoff_primer:{plan.pk}", status=Status.SCHEDULED, send_at__lte=now
        ).values_list("id", flat=True)
    )
    return ScheduleResult(written + result.written, result.cancelled, due)


def plan_activated_deliver(*, plan_id: int) -> int:
    """``plan_activated_notify``, then the kickoff primer delivered at once; returns rows written."""
    result = plan_activated_notify(plan_id=plan_id)
    if result.due_ids:
        sweep(ids=result.due_ids)
    return result.written


def plan_deactivated_notify(
    *, plan_id: int, new_status: str, now: dt.datetime | None = None
) -> ScheduleResult:
    """Paused, abandoned or completed: pending rows are cancelled; completing is a milestone."""
    now = now or timezone.now()
    plan = TrainingPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        return ScheduleResult(0, 0)
    cancelled = cancel_pending(
        plan.notifications.exclude(kind__in=(Kind.COMPLETION_CELEBRATION, Kind.MILESTONE)),
        why=f"plan {new_status}",
    )
    written = 0
    if new_status == PlanStatus.COMPLETED:
        written = persist([_milestone(plan, "plan_completed", now=now)], now=now)
    return ScheduleResult(written, cancelled)


def session_reschedule(*, session_id: int, now: dt.datetime | None = None) -> ScheduleResult:
    """A session moved (or its plan was realigned): its reminders follow it."""
    now = now or timezone.now()
    session = PlannedSession.objects.select_related("plan").filter(pk=session_id).first()
    if session is None:
        return ScheduleResult(0, 0)
    plan = session.plan
    if plan.status != PlanStatus.ACTIVE:
        return ScheduleResult(0, cancel_pending(session.notifications.all(), why=f"plan {plan.status}"))
    prefs = _prefs_for(plan)
    horizon_end = now.astimezone(prefs.zone).date() + dt.timedelta(days=settings.NOTIFICATIONS_HORIZON_DAYS)
    planned = []
    if session.date <= horizon_end + dt.timedelta(days=1):
        planned = planner.for_session(
            session, prefs=prefs, profile=_profile_of(plan), plan_default=plan_default_minute(plan)
        )
        planned = [p for p in planned if p.send_at > now or p.status != Status.SCHEDULED]
    with transaction.atomic():
        written = persist(planned, now=now)
        cancelled = cancel_pending(
            session.notifications.filter(kind__in=SESSION_REMINDER_KINDS).exclude(
                dedupe_key__in=[p.dedupe_key for p in planned]
            ),
            why="session moved",
        )
    return ScheduleResult(written, cancelled)


def session_skipped_notify(*, session_id: int) -> ScheduleResult:
    cancelled = cancel_pending(Notification.objects.filter(session_id=session_id), why="session skipped")
    return ScheduleResult(0, cancelled)


def session_missed_notify(*, session_id: int, now: dt.datetime | None = None) -> ScheduleResult:
    """The day ended without the session: pending reminders go, the follow-up comes next morning."""
    now = now or timezone.now()
    session = PlannedSession.objects.select_related("plan").filter(pk=session_id).first()
    if session is None or session.status != SessionStatus.MISSED:
        return ScheduleResult(0, 0)
    with transaction.atomic():
        cancelled = cancel_pending(
            session.notifications.filter(kind__in=SESSION_REMINDER_KINDS), why="session missed"
        )
        written = 0
        # A session found missed long after its day (the detector was down) is not followed up.
        recent = now - session.day_ends_at() <= dt.timedelta(hours=36)
        if session.plan.status == PlanStatus.ACTIVE and recent:
            prefs = _prefs_for(session.plan)
            written = persist([planner.missed_follow_up(session, now=now, prefs=prefs)], now=now)
    return ScheduleResult(written, cancelled)


def session_completed_notify(*, session_id: int, now: dt.datetime | None = None) -> list[int]:
    """Celebrate at once, cancel the session's pending hype, brief and missed follow-up, and award
    milestones. Returns the ids of the rows to deliver now."""
    now = now or timezone.now()
    session = PlannedSession.objects.select_related("plan", "activity").filter(pk=session_id).first()
    if session is None or session.status != SessionStatus.COMPLETED:
        return []
    plan = session.plan
    prefs = _prefs_for(plan)
    planned = []
    if prefs.wants(Kind.COMPLETION_CELEBRATION):
        planned.append(
            planner.immediate(
                Kind.COMPLETION_CELEBRATION,
                user_id=session.user_id,
                plan_id=plan.pk,
                session_id=session.pk,
                dedupe_key=f"completion_celebration:{session.pk}:{session.date.isoformat()}",
                now=now,
                prefs=prefs,
                reason=f"{session.title} completed",
            )
        )
    if prefs.wants(Kind.MILESTONE):
        planned.extend(_milestone(plan, name, now=now, prefs=prefs) for name in milestones_reached(session))
    with transaction.atomic():
        cancel_pending(
            session.notifications.filter(kind__in=(*SESSION_REMINDER_KINDS, Kind.MISSED_FOLLOW_UP)),
            why="session completed",
        )
        persist(planned, now=now)
    return list(
        Notification.objects.filter(
            dedupe_key__in=[p.dedupe_key for p in planned], status=Status.SCHEDULED, send_at__lte=now
        ).values_list("id", flat=True)
    )


def session_completed_deliver(*, session_id: int) -> int:
    """``session_completed_notify``, then what is due delivered at once; returns how many were sent."""
    ids = session_completed_notify(session_id=session_id)
    return sweep(ids=ids).sent if ids else 0


def _milestone(plan, name: str, *, now, prefs: Prefs | None = None) -> Planned:
    prefs = prefs or _prefs_for(plan)
    return planner.immediate(
        Kind.MILESTONE,
        user_id=plan.user_id,
        plan_id=plan.pk,
        session_id=None,
        dedupe_key=f"milestone:{plan.pk}:{name}",
        now=now,
        prefs=prefs,
        reason=f"milestone {name}",
    )


def milestones_reached(session) -> list[str]:
    """Milestones the plan reached with this completed session (each is awarded once by its key)."""
    rows = list(
        PlannedSession.objects.filter(plan_id=session.plan_id)
        .exclude(session_type=SessionType.REST)
        .order_by("date", "id")
        .values("id", "date", "week_number", "status", "target_distance_km", "activity__distance_m")
    )
    done = [r for r in rows if r["status"] == SessionStatus.COMPLETED]
    names = []
    week_one = [r for r in rows if r["week_number"] == 1]
    if (
        session.week_number == 1
        and week_one
        and all(r["status"] == SessionStatus.COMPLETED for r in week_one)
    ):
        names.append("first_week")
    if rows and len(done) * 2 >= len(rows) > (len(done) - 1) * 2:
        names.append("halfway")

    def km(r):
        return (r["activity__distance_m"] or 0) / 1000 or (r["target_distance_km"] or 0)

    others = [km(r) for r in done if r["id"] != session.pk]
    if len(others) >= 3 and km(next(r for r in rows if r["id"] == session.pk)) > max(others):
        names.append("longest_run")
    if rows and len(done) == len(rows):
        names.append("plan_completed")
    streak = 0
    for r in rows:
        if r["date"] > session.date:
            break
        streak = streak + 1 if r["status"] == SessionStatus.COMPLETED else 0
    if streak in STREAKS:
        names.append(f"streak_{streak}")
    return names


def weekly_digests_schedule(*, now: dt.datetime | None = None) -> int:
    """Make sure every active plan has its coming Sunday's digest row."""
    now = now or timezone.now()
    written = 0
    for plan in TrainingPlan.objects.filter(status=PlanStatus.ACTIVE).iterator():
        prefs = _prefs_for(plan)
        today = now.astimezone(prefs.zone).date()
        sunday = today + dt.timedelta(days=(6 - today.weekday()))
        digest = planner.weekly_digest(plan, sunday, prefs=prefs)
        if digest is not None and digest.send_at > now:
            written += persist([digest], now=now)
    return written


def horizon_roll(*, now: dt.datetime | None = None) -> int:
    """The beat task's work: every active plan's horizon, one plan at a time."""
    now = now or timezone.now()
    written = 0
    for plan_id in (
        TrainingPlan.objects.filter(status=PlanStatus.ACTIVE).values_list("id", flat=True).iterator()
    ):
        written += plan_schedule_horizon(plan_id=plan_id, now=now).written
    return written
