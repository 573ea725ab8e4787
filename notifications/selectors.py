"""Reads for notifications: querysets and summaries the API, admin and commands share."""

import datetime as dt

from training.models import PlannedSession, PlanStatus, SessionStatus, SessionType, TrainingPlan

from . import planner
from .models import (
    ACCOUNTABILITY_KINDS,
    KINDS,
    BehaviorProfile,
    Notification,
    NotificationPreferences,
    Status,
)


def preferences_get(*, user) -> NotificationPreferences:
    """The user's preferences, or the defaults (unsaved) if they never changed any."""
    prefs = NotificationPreferences.objects.filter(user=user).first()
    if prefs is None:
        from .services import _default_zone

        prefs = NotificationPreferences(user=user, time_zone=_default_zone(user))
    return prefs


def has_active_plan(*, user) -> bool:
    return TrainingPlan.objects.filter(user=user, status=PlanStatus.ACTIVE).exists()


def categories_of(prefs: NotificationPreferences) -> dict[str, bool]:
    return {kind: bool(prefs.categories.get(kind, True)) for kind in KINDS}


def locked_categories(*, active_plan: bool) -> list[str]:
    return sorted(ACCOUNTABILITY_KINDS) if active_plan else []


def inbox(*, user):
    """Sent notifications, newest first."""
    return (
        Notification.objects.filter(user=user, status=Status.SENT)
        .only("id", "kind", "payload", "plan_id", "session_id", "sent_at", "opened_at", "clicked_at")
        .order_by("-sent_at", "-id")
    )


def scheduled(*, user):
    """Upcoming notifications (scheduled, or being sent right now), soonest first."""
    return (
        Notification.objects.filter(user=user, status__in=(Status.SCHEDULED, Status.CLAIMED))
        .select_related("session")
        .only(
            "id",
            "kind",
            "send_at",
            "local_date",
            "decision",
            "plan_id",
            "session_id",
            "session__title",
            "session__date",
        )
        .order_by("send_at", "id")
    )


def preview_day(*, user, day: dt.date) -> list[planner.Planned]:
    """What the active plan would have sent on the user's local ``day``: computed, never written.

    Works for any day the plan covers (not only inside the scheduling horizon). Rows already in
    the outbox for that day that the planner does not produce (celebrations, milestones,
    follow-ups, kickoff) are listed too, with their status.
    """
    plan = TrainingPlan.objects.filter(user=user, status=PlanStatus.ACTIVE).first()
    if plan is None:
        return []
    prefs = planner.Prefs.of(
        NotificationPreferences.objects.filter(user=user).first(), fallback_zone=plan.time_zone
    )
    profile = (
        BehaviorProfile.objects.filter(user=user, plan=plan)
        .values("window_start_min", "window_end_min", "confidence", "used_fallback", "weekday_patterns")
        .first()
    )
    from .services import plan_default_minute

    sessions = list(
        PlannedSession.objects.filter(
            plan=plan,
            date__range=(day - dt.timedelta(days=1), day + dt.timedelta(days=1)),
            status__in=(SessionStatus.PLANNED,),
        ).exclude(session_type=SessionType.REST)
    )
    out = planner.for_days(
        plan,
        sessions,
        first=day,
        last=day,
        prefs=prefs,
        profile=profile,
        plan_default=plan_default_minute(plan),
    )
    keys = {p.dedupe_key for p in out}
    for row in Notification.objects.filter(user=user, local_date=day).exclude(dedupe_key__in=keys):
        out.append(
            planner.Planned(
                kind=row.kind,
                send_at=row.send_at,
                local_date=row.local_date,
                dedupe_key=row.dedupe_key,
                user_id=row.user_id,
                plan_id=row.plan_id,
                session_id=row.session_id,
                decision=row.decision,
                status=row.status,
            )
        )
    out.sort(key=lambda p: p.send_at)
    return out
