"""What to send when, for a plan's sessions: computed, never written. The scheduling services
persist these; ``preview_notifications`` and the admin's dry run print them.

Rules (all in the user's zone):

* **evening brief**: the evening before a session at the preferred time; earlier for someone whose
  day starts early (window before 07:00: 9½ hours before it, not before 17:00);
* **morning hype**: ``morning_hype_lead_min`` before the prime window (or before the session's own
  start time when it has one) on the session's day;
* **weekly digest**: Sundays at ``NOTIFICATIONS_DIGEST_TIME`` while the plan runs;
* **kickoff primer**, **completion celebration**, **milestone**: at once (see ``services``);
* **missed follow-up**: the morning after the missed day, not before ``NOTIFICATIONS_FOLLOW_UP_TIME``.

A time in quiet hours moves to their end; when that is after the session starts, the hype is
kept as suppressed (the audit shows why) instead of arriving late.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from config.timezones import DST_NONE, aware_local, local_date, resolve_local
from training.models import SessionStatus, SessionType

from . import cadence
from .models import Kind, Status
from .timing import local_label, minute_to_time, quiet_hours_end_after, time_to_minute

EARLY_START_MIN = 7 * 60  # windows starting before this count as early trainers
EARLY_BRIEF_LEAD_MIN = 9 * 60 + 30  # early trainers get the brief this long before the window
EARLIEST_BRIEF_MIN = 17 * 60
NOTIFIABLE_SESSION_STATUSES = (SessionStatus.PLANNED,)


@dataclass
class Prefs:
    """What the planner needs of ``NotificationPreferences`` (or the defaults)."""

    time_zone: str = "UTC"
    quiet_hours_start: dt.time = dt.time(22, 0)
    quiet_hours_end: dt.time = dt.time(7, 0)
    evening_brief_time: dt.time = dt.time(20, 0)
    morning_hype_lead_min: int = 60
    categories: dict = field(default_factory=dict)
    active_plan: bool = True

    @classmethod
    def of(cls, preferences, *, fallback_zone="UTC"):
        if preferences is None:
            return cls(time_zone=fallback_zone)
        return cls(
            time_zone=preferences.time_zone,
            quiet_hours_start=preferences.quiet_hours_start,
            quiet_hours_end=preferences.quiet_hours_end,
            evening_brief_time=preferences.evening_brief_time,
            morning_hype_lead_min=preferences.morning_hype_lead_min,
            categories=preferences.categories or {},
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def wants(self, kind: str) -> bool:
        from .models import ACCOUNTABILITY_KINDS

        if kind in ACCOUNTABILITY_KINDS and self.active_plan:
            return True
        return bool(self.categories.get(kind, True))


@dataclass
class Planned:
    kind: str
    send_at: dt.datetime
    local_date: dt.date
    dedupe_key: str
    user_id: int
    plan_id: int | None
    session_id: int | None
    decision: dict
    status: str = Status.SCHEDULED

    @property
    def reason(self) -> str:
        return self.decision.get("reason", "")


def default_minute(session_times: list[dt.time | None]) -> int:
    """The plan's default start: its most common session start time, else the setting."""
    times = Counter(t for t in session_times if t is not None)
    if times:
        return time_to_minute(times.most_common(1)[0][0])
    return time_to_minute(dt.time.fromisoformat(settings.NOTIFICATIONS_DEFAULT_START_TIME))


def _trace(*, reason, day, time, zone, source, profile, dst) -> dict:
    trace = {
        "reason": reason,
        "intended_local": f"{day.isoformat()}T{time.strftime('%H:%M')}",
        "time_zone": zone.key,
        "source": source,
        "dst": dst,
        "quiet_hours_shift": False,
        "events": [],
    }
    if profile and not profile.get("used_fallback"):
        trace["window_start"] = profile["window_start_min"]
        trace["window_end"] = profile["window_end_min"]
    if profile:
        trace["confidence"] = round(float(profile.get("confidence", 0.0)), 3)
    return trace


def apply_quiet_hours(send_at: dt.datetime, prefs: Prefs, decision: dict) -> dt.datetime:
    moved = quiet_hours_end_after(send_at, prefs.zone, prefs.quiet_hours_start, prefs.quiet_hours_end)
    if moved is None:
        return send_at
    decision["quiet_hours_shift"] = True
    decision["events"].append(
        {
            "at": send_at.isoformat(),
            "what": "quiet_hours_shift",
            "detail": f"{local_label(send_at, prefs.zone)} is in quiet hours; "
            f"moved to {local_label(moved, prefs.zone)}",
        }
    )
    return moved


def session_start_minute(session, *, profile, plan_default: int) -> tuple[int, str]:
    """When the session is expected to start (local minute) and why."""
    if session.start_time_local is not None:
        return time_to_minute(session.start_time_local), "session_start"
    return cadence.window_start_for(
        weekday=session.date.weekday(), profile=profile, default_minute=plan_default
    )


def for_session(session, *, prefs: Prefs, profile: dict | None, plan_default: int) -> list[Planned]:
    """The evening brief and the morning hype of one planned session."""
    if session.status not in NOTIFIABLE_SESSION_STATUSES or session.session_type == SessionType.REST:
        return []
    zone = prefs.zone
    start_min, source = session_start_minute(session, profile=profile, plan_default=plan_default)
    start_at = aware_local(session.date, minute_to_time(start_min), zone)
    out = []
    about = {
        "session_start": start_at.isoformat(),
        "start_local": minute_to_time(start_min).strftime("%H:%M"),
    }

    if prefs.wants(Kind.EVENING_BRIEF):
        brief_min = time_to_minute(prefs.evening_brief_time)
        reason = f"evening before {session.title} (usual start {minute_to_time(start_min):%H:%M})"
        if start_min < EARLY_START_MIN:
            early = max(EARLIEST_BRIEF_MIN, start_min + 1440 - EARLY_BRIEF_LEAD_MIN)
            if early < brief_min:
                brief_min = early
                reason += f"; early trainer, brief {EARLY_BRIEF_LEAD_MIN // 60}.5 h before"
        day = session.date - dt.timedelta(days=1)
        time = minute_to_time(brief_min)
        send_at, dst = resolve_local(day, time, zone)
        decision = _trace(
            reason=reason, day=day, time=time, zone=zone, source=source, profile=profile, dst=dst
        )
        decision.update(about)
        send_at = apply_quiet_hours(send_at, prefs, decision)
        out.append(_planned(Kind.EVENING_BRIEF, send_at, zone, session, decision))

    if prefs.wants(Kind.MORNING_HYPE):
        hype_min = start_min - prefs.morning_hype_lead_min
        day = session.date
        if hype_min < 0:
            hype_min = 0
        time = minute_to_time(hype_min)
        send_at, dst = resolve_local(day, time, zone)
        reason = f"{prefs.morning_hype_lead_min} min before {minute_to_time(start_min):%H:%M} ({source})"
        decision = _trace(
            reason=reason, day=day, time=time, zone=zone, source=source, profile=profile, dst=dst
        )
        decision.update(about)
        send_at = apply_quiet_hours(send_at, prefs, decision)
        planned = _planned(Kind.MORNING_HYPE, send_at, zone, session, decision)
        if send_at >= start_at:
            planned.status = Status.SUPPRESSED
            decision["events"].append(
                {
                    "at": send_at.isoformat(),
                    "what": "after_start",
                    "detail": "quiet hours end after the session starts; the evening brief covers it",
                }
            )
        out.append(planned)
    return out


def _planned(kind, send_at, zone, session, decision) -> Planned:
    return Planned(
        kind=kind,
        send_at=send_at,
        local_date=local_date(send_at, zone),
        dedupe_key=f"{kind}:{session.pk}:{session.date.isoformat()}",
        user_id=session.user_id,
        plan_id=session.plan_id,
        session_id=session.pk,
        decision=decision,
    )


def weekly_digest(plan, day: dt.date, *, prefs: Prefs) -> Planned | None:
    """The digest on a Sunday the plan covers (its first week included)."""
    if day.weekday() != 6 or not prefs.wants(Kind.WEEKLY_DIGEST):
        return None
    if not (plan.start_date <= day <= plan.end_date + dt.timedelta(days=6)):
        return None
    zone = prefs.zone
    time = dt.time.fromisoformat(settings.NOTIFICATIONS_DIGEST_TIME)
    send_at, dst = resolve_local(day, time, zone)
    decision = _trace(
        reason="Sunday evening: the week in review",
        day=day,
        time=time,
        zone=zone,
        source="fixed",
        profile=None,
        dst=dst,
    )
    send_at = apply_quiet_hours(send_at, prefs, decision)
    return Planned(
        kind=Kind.WEEKLY_DIGEST,
        send_at=send_at,
        local_date=local_date(send_at, zone),
        dedupe_key=f"weekly_digest:{plan.pk}:{day.isoformat()}",
        user_id=plan.user_id,
        plan_id=plan.pk,
        session_id=None,
        decision=decision,
    )


def immediate(
    kind: str, *, user_id, plan_id, session_id, dedupe_key, now: dt.datetime, prefs: Prefs, reason: str
) -> Planned:
    """A notification due at once (quiet hours still apply)."""
    zone = prefs.zone
    local = now.astimezone(zone)
    decision = _trace(
        reason=reason,
        day=local.date(),
        time=local.time(),
        zone=zone,
        source="immediate",
        profile=None,
        dst=DST_NONE,
    )
    send_at = apply_quiet_hours(now, prefs, decision)
    return Planned(
        kind=kind,
        send_at=send_at,
        local_date=local_date(send_at, zone),
        dedupe_key=dedupe_key,
        user_id=user_id,
        plan_id=plan_id,
        session_id=session_id,
        decision=decision,
    )


def missed_follow_up(session, *, now: dt.datetime, prefs: Prefs) -> Planned:
    """The morning after the missed day (or now, if that has passed)."""
    zone = prefs.zone
    day = session.date + dt.timedelta(days=1)
    time = dt.time.fromisoformat(settings.NOTIFICATIONS_FOLLOW_UP_TIME)
    send_at, dst = resolve_local(day, time, zone)
    reason = f"{session.title} on {session.date:%a %d %b} was missed"
    decision = _trace(reason=reason, day=day, time=time, zone=zone, source="fixed", profile=None, dst=dst)
    if send_at < now:
        send_at = now
        decision["source"] = "immediate"
    send_at = apply_quiet_hours(send_at, prefs, decision)
    return Planned(
        kind=Kind.MISSED_FOLLOW_UP,
        send_at=send_at,
        local_date=local_date(send_at, zone),
        dedupe_key=f"missed_follow_up:{session.pk}:{session.date.isoformat()}",
        user_id=session.user_id,
        plan_id=session.plan_id,
        session_id=session.pk,
        decision=decision,
    )


def for_days(
    plan, sessions, *, first: dt.date, last: dt.date, prefs: Prefs, profile, plan_default
) -> list[Planned]:
    """Everything a plan's sessions and Sundays ask for with a local send date in [first, last]."""
    out = []
    for session in sessions:
        for planned in for_session(session, prefs=prefs, profile=profile, plan_default=plan_default):
            if first <= planned.local_date <= last:
                out.append(planned)
    day = first
    while day <= last:
        digest = weekly_digest(plan, day, prefs=prefs)
        if digest is not None and first <= digest.local_date <= last:
            out.append(digest)
        day += dt.timedelta(days=1)
    out.sort(key=lambda p: (p.send_at, p.kind))
    return out
