"""Copy at send time: the template of the user's tone, fresh weather and the plan's current numbers.

``Renderer`` is made once per sweep batch: it loads the active templates (compiled once), the
plan numbers of every plan in the batch (one aggregate query per local week in the batch) and the
weather of every location in it, so rendering a row costs no query.
"""

import datetime as dt
import hashlib
import importlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils.module_loading import import_string

from config.metrics import notification_copy_errors
from training.models import PlannedSession, SessionStatus, SessionType

from . import weather
from .copy_engine import compile_copy, describe_error, render_copy
from .delivery import PAYLOAD_VERSION
from .models import Kind, NotificationTemplate

logger = logging.getLogger(__name__)

FALLBACK = {
    Kind.KICKOFF_PRIMER: ("Your plan starts", "{{ plan.name }} is ready."),
    Kind.EVENING_BRIEF: ("Tomorrow: {{ session.title }}", "Around {{ start_local }}."),
    Kind.MORNING_HYPE: ("{{ session.title }} today", "Around {{ start_local }}."),
    Kind.COMPLETION_CELEBRATION: ("Session done", "{{ session.title }} is complete."),
    Kind.MISSED_FOLLOW_UP: ("Missed: {{ session.title }}", "Next: {{ next_session.title }}."),
    Kind.WEEKLY_DIGEST: ("Your week", "{{ stats.week_completed }} of {{ stats.week_planned }} sessions."),
    Kind.MILESTONE: ("{{ milestone.label }}", "{{ milestone.detail }}"),
}
SESSION_KINDS = {Kind.EVENING_BRIEF, Kind.MORNING_HYPE, Kind.COMPLETION_CELEBRATION, Kind.MISSED_FOLLOW_UP}
MILESTONES = {
    "first_week": ("First week done", "Every session of week one: the habit has started."),
    "halfway": ("Halfway there", "Half of the plan's sessions are done."),
    "longest_run": ("Longest run of the plan", "Your longest session of this plan so far."),
    "plan_completed": ("Plan completed", "Every session of the plan is behind you."),
}


# The copy the default-copy migration wrote for every kind and tone: what a row is sent with
# when its designer's template fails (it renders in the sandbox; tests/notifications pin that).
BUILTIN_COPY: dict[tuple[str, str], tuple[str, str]] = importlib.import_module(
    "notifications.migrations.0002_default_copy"
).COPY

_compiled: dict = {}


def compiled_templates() -> "CompiledTemplates":
    """The compiled copy, rebuilt only when a template changed (one small query per sweep)."""
    from django.db.models import Count, Max

    version = tuple(
        NotificationTemplate.objects.aggregate(
            n=Count("id"), active=Count("id", filter=Q(active=True)), at=Max("updated_at")
        ).values()
    )
    cached = _compiled.get("templates")
    if cached is None or cached[0] != version:
        cached = _compiled["templates"] = (version, CompiledTemplates())
    return cached[1]


class CompiledTemplates:
    """Active templates per (kind, tone), compiled once in the copy sandbox
    (``copy_engine``). A template that does not compile is left out and its error kept: rows of
    its kind and tone are sent with the built-in copy and the error is recorded on them."""

    def __init__(self):
        self.by_key = {}
        self.broken: dict[tuple[str, str], str] = {}
        self.uses_stats = {kind for kind, (title, body) in FALLBACK.items() if "stats" in title + body}
        for row in NotificationTemplate.objects.filter(active=True).values(
            "kind", "tone", "title", "body", "variants"
        ):
            key = (row["kind"], row["tone"])
            try:
                options = [(row["title"], row["body"])] + [
                    (v["title"], v["body"]) for v in row["variants"] or []
                ]
                self.by_key[key] = [(compile_copy(title), compile_copy(body)) for title, body in options]
            except Exception as exc:  # a designer's template: never let it stop the sweep
                self.broken[key] = describe_error(exc)
                logger.error("notification copy %s/%s does not compile: %s", *key, self.broken[key])
                continue
            if any("stats" in title + body for title, body in options):
                self.uses_stats.add(key)
        self.fallback = {
            kind: [(compile_copy(title), compile_copy(body))] for kind, (title, body) in FALLBACK.items()
        }
        self.builtin = {
            key: (compile_copy(title), compile_copy(body)) for key, (title, body) in BUILTIN_COPY.items()
        }
        for key, (title, body) in BUILTIN_COPY.items():
            if "stats" in title + body and key in self.broken:
                self.uses_stats.add(key)

    def needs_stats(self, kind: str, tone: str) -> bool:
        """Whether the copy for (kind, tone) reads the plan's numbers (so they are worth a query)."""
        if (kind, tone) in self.by_key or (kind, tone) in self.broken:
            return (kind, tone) in self.uses_stats
        return kind in self.uses_stats

    def pick(self, kind: str, tone: str, seed: int):
        options = self.by_key.get((kind, tone)) or self.fallback[kind]
        return options[seed % len(options)]

    def builtin_for(self, kind: str, tone: str):
        """The built-in copy of (kind, tone): the default copy, else the kind's plain fallback."""
        return self.builtin.get((kind, tone)) or self.fallback[kind][0]


def deep_link(plan_id, session_id) -> str:
    if plan_id and session_id:
        return f"app://plans/{plan_id}/sessions/{session_id}"
    if plan_id:
        return f"app://plans/{plan_id}"
    return "app://notifications"


def actions_for(kind: str, has_planned_session: bool) -> list[str]:
    if kind in (Kind.EVENING_BRIEF, Kind.MORNING_HYPE) and has_planned_session:
        return ["open", "snooze", "move"]
    if kind == Kind.MISSED_FOLLOW_UP:
        return ["open", "move"]
    return ["open", "snooze"] if kind != Kind.COMPLETION_CELEBRATION else ["open"]


def plan_stats(plan_ids: set[int], local_today: dt.date) -> dict[int, dict]:
    """Adherence and volume per plan, for the week (Monday-Sunday) containing ``local_today``."""
    if not plan_ids:
        return {}
    week_start = local_today - dt.timedelta(days=local_today.weekday())
    week_end = week_start + dt.timedelta(days=6)
    next_start, next_end = week_end + dt.timedelta(days=1), week_end + dt.timedelta(days=7)
    done = Q(status=SessionStatus.COMPLETED)
    this_week = Q(date__range=(week_start, week_end))
    next_week = Q(date__range=(next_start, next_end))
    rows = (
        PlannedSession.objects.filter(plan_id__in=plan_ids)
        .exclude(session_type=SessionType.REST)
        .values("plan_id")
        .annotate(
            total=Count("id"),
            completed=Count("id", filter=done),
            due=Count("id", filter=Q(date__lt=local_today) | done),
            total_km=Sum("target_distance_km"),
            week_planned=Count("id", filter=this_week),
            week_completed=Count("id", filter=this_week & done),
            week_km=Sum("target_distance_km", filter=this_week & done),
            next_week_sessions=Count("id", filter=next_week),
            next_week_km=Sum("target_distance_km", filter=next_week),
        )
    )
    out = {}
    for row in rows:
        due = row["due"] or 0
        out[row["plan_id"]] = {
            "total": row["total"],
            "completed": row["completed"],
            "remaining": row["total"] - row["completed"],
            "due": due,
            "adherence_pct": round(100 * row["completed"] / due) if due else 100,
            "total_km": round(row["total_km"] or 0, 1),
            "week_planned": row["week_planned"],
            "week_completed": row["week_completed"],
            "week_km": round(row["week_km"] or 0, 1),
            "next_week_sessions": row["next_week_sessions"],
            "next_week_km": round(row["next_week_km"] or 0, 1),
        }
    return out


def _pace(seconds):
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds else ""


def session_context(session) -> dict | None:
    if session is None:
        return None
    return {
        "id": session.pk,
        "title": session.title,
        "date": session.date,
        "type": session.session_type,
        "target_distance_km": session.target_distance_km,
        "target_pace": _pace(session.target_pace_s_per_km),
        "start_time": session.start_time_local,
        "status": session.status,
    }


@dataclass
class Rendered:
    title: str
    body: str
    payload: dict
    error: str = ""  # why the designer's copy was not used (the built-in copy was sent instead)


class Renderer:
    def __init__(self, *, templates: CompiledTemplates | None = None):
        self.templates = templates or compiled_templates()
        self.hook = (
            import_string(settings.NOTIFICATIONS_COPY_HOOK) if settings.NOTIFICATIONS_COPY_HOOK else None
        )
        self.stats: dict[tuple[int, dt.date], dict] = {}
        self.weather: dict[str, dict] = {}

    def prepare(self, items, *, now: dt.datetime):
        """Load plan numbers and weather for ``items`` ((notification, prefs dict, local date))."""
        by_day: dict[dt.date, set[int]] = {}
        locations = set()
        for notification, prefs, local_day in items:
            tone = prefs.get("tone") or "supportive_friend"
            if notification.plan_id and self.templates.needs_stats(notification.kind, tone):
                by_day.setdefault(local_day, set()).add(notification.plan_id)
            if prefs.get("weather_location"):
                locations.add(prefs["weather_location"])
        for day, plan_ids in by_day.items():
            for plan_id, stats in plan_stats(plan_ids, day).items():
                self.stats[(plan_id, day)] = stats
        if locations:
            try:
                self.weather = weather.provider().forecast_for(locations, now)
            except Exception:  # weather is decoration: never fail a send for it
                logger.exception("weather provider failed")
                self.weather = {}

    def context_for(
        self, notification, *, prefs: dict, local_day: dt.date, extra: dict | None = None
    ) -> dict:
        """The variables copy templates see (``copy_engine.SAMPLE_CONTEXT`` names the same ones)."""
        session = notification.session
        plan = notification.plan
        decision = notification.decision or {}
        start_local = decision.get("start_local") or (
            session.start_time_local.strftime("%H:%M") if session and session.start_time_local else ""
        )
        return {
            "first_name": notification.user.first_name or notification.user.username,
            "user": {"username": notification.user.username},
            "plan": {"id": plan.pk, "name": plan.name, "duration_weeks": plan.duration_weeks}
            if plan
            else None,
            "session": session_context(session),
            "next_session": (extra or {}).get("next_session"),
            "stats": self.stats.get((notification.plan_id, local_day), {}),
            "weather": self.weather.get(prefs.get("weather_location") or ""),
            "milestone": (extra or {}).get("milestone"),
            "start_local": start_local,
            "confidence_pct": round(100 * float(decision.get("confidence") or 0)),
        }

    def copy_for(self, kind: str, tone: str, seed: int, context: dict) -> tuple[str, str, str]:
        """(title, body, error): the designer's copy, or the built-in copy of the kind and tone
        with the reason when the designer's does not compile or render. Counted in
        ``notification_copy_errors_total``."""
        error = self.templates.broken.get((kind, tone), "")
        if not error:
            title_t, body_t = self.templates.pick(kind, tone, seed)
            try:
                return render_copy(title_t, context), render_copy(body_t, context), ""
            except Exception as exc:  # a designer's template: the built-in copy goes out instead
                error = describe_error(exc)
                logger.warning("notification copy %s/%s failed to render: %s", kind, tone, error)
        notification_copy_errors.labels(kind=kind, tone=tone).inc()
        title_t, body_t = self.templates.builtin_for(kind, tone)
        return render_copy(title_t, context), render_copy(body_t, context), error

    def render(self, notification, *, prefs: dict, local_day: dt.date, extra: dict | None = None) -> Rendered:
        tone = prefs.get("tone") or "supportive_friend"
        session = notification.session
        context = self.context_for(notification, prefs=prefs, local_day=local_day, extra=extra)
        seed = int(hashlib.blake2b(str(notification.pk).encode(), digest_size=4).hexdigest(), 16)
        title, body, error = self.copy_for(notification.kind, tone, seed, context)
        if self.hook is not None:
            try:
                replaced = self.hook(notification.kind, tone, context, title, body)
                if replaced:
                    title, body = replaced
            except Exception:  # the hook is optional and never required
                logger.exception("copy hook failed; template copy used")
        has_planned = bool(session and session.status == SessionStatus.PLANNED)
        payload = {
            "version": PAYLOAD_VERSION,
            "kind": notification.kind,
            "title": title,
            "body": body,
            "deep_link": deep_link(notification.plan_id, notification.session_id),
            "category": f"coach.{notification.kind}",
            "actions": actions_for(notification.kind, has_planned),
            "notification_id": notification.pk,
        }
        if notification.plan_id:
            payload["plan_id"] = notification.plan_id
        if notification.session_id:
            payload["session_id"] = notification.session_id
        return Rendered(title, body, payload, error)


def milestone_context(dedupe_key: str) -> dict | None:
    """``milestone:<plan>:<name>`` → label and detail."""
    name = dedupe_key.rsplit(":", 1)[-1]
    if name.startswith("streak_"):
        count = name.removeprefix("streak_")
        return {
            "name": name,
            "label": f"{count} sessions in a row",
            "detail": f"{count} planned sessions, none missed.",
        }
    label, detail = MILESTONES.get(name, (name.replace("_", " ").capitalize(), ""))
    return {"name": name, "label": label, "detail": detail}
