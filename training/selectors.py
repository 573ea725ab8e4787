"""Reads for training: querysets and summaries the API, admin and commands share."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from config import jsonbytes
from config.errors import Invalid
from config.lru import LocalLRU

from .generator import predictions, training_paces, vdot_from_race
from .models import Activity, PlannedSession, TrainingPlan


def plans_of(*, user, status: str | None = None) -> QuerySet[TrainingPlan]:
    queryset = TrainingPlan.objects.filter(user=user)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


# The list leaves the large JSON documents in the database.
PLAN_LIST_DEFER = (
    "season_view",
    "weekly_plan",
    "runner_snapshot",
    "phases",
    "load_parameters",
    "target_paces",
    "decisions",
    "safeguard_applications",
)


def plan_list(*, user, status: str | None = None) -> QuerySet[TrainingPlan]:
    return plans_of(user=user, status=status).defer(*PLAN_LIST_DEFER)


def plan_sessions(*, plan: TrainingPlan, week: int | None = None) -> QuerySet[PlannedSession]:
    queryset = PlannedSession.objects.filter(plan=plan)
    if week is not None:
        queryset = queryset.filter(week_number=week)
    return queryset.order_by("date", "id")


def sessions_of(*, user) -> QuerySet[PlannedSession]:
    return PlannedSession.objects.filter(user=user).select_related("plan")


def activities_of(*, user) -> QuerySet[Activity]:
    return Activity.objects.filter(user=user).order_by("-started_at", "-id")


def plan_progression(plan: TrainingPlan, *, today: dt.date | None = None) -> list[dict]:
    """The seed's ProgressionChart shape: ``week``, ``volume`` (planned km), ``actual`` (km run,
    ``None`` for a week not begun), ``intensity``, ``recovery``, ``label``."""
    actual = plan_actual_km(plan, today=today)
    return [
        {
            "week": week["week_number"],
            "volume": week["volume_km"],
            "actual": actual.get(week["week_number"]),
            "intensity": week["intensity_score"],
            "recovery": week["is_recovery_week"],
            "label": week.get("week_label") or "",
        }
        for week in plan.weekly_plan
    ]


def plan_actual_km(plan: TrainingPlan, *, today: dt.date | None = None) -> dict[int, float | None]:
    """Km the runner actually ran in each week of the plan, by week number (one query).

    Every run recorded in the week counts (typed in, imported or sent by an app, matched to a
    session or not: it is load all the same), and any other activity (a ruck) that completed one
    of the plan's sessions. Skipped and missed sessions add nothing. The current week counts what
    was run so far; a week that has not begun is ``None``. Weeks are the weekly plan's dates, days
    the activity's local date.
    """
    from django.db.models import Q

    from config.timezones import local_span_bounds, local_today

    today = today or local_today(plan.zone)
    day = dt.date.fromisoformat
    weeks = [(w["week_number"], day(w["week_start_date"]), day(w["week_end_date"])) for w in plan.weekly_plan]
    started = [(number, start, end) for number, start, end in weeks if start <= today]
    totals: dict[int, float | None] = {number: None for number, _, _ in weeks}
    if not started:
        return totals
    first = min(start for _, start, _ in started)
    last = min(max(end for _, _, end in started), today)
    # A day either side: activities keep their own zone, which may differ from the plan's.
    begin, end = local_span_bounds(first - dt.timedelta(days=1), last + dt.timedelta(days=1), plan.zone)
    rows = (
        Activity.objects.filter(user_id=plan.user_id, started_at__gte=begin, started_at__lt=end)
        .filter(Q(kind="run") | Q(planned_sessions__plan_id=plan.pk))
        .distinct()
        .only("id", "started_at", "time_zone", "distance_m")
    )
    metres = {number: 0 for number, _, _ in started}
    for activity in rows:
        local = activity.local_date
        if local > today:
            continue
        for number, start, end in started:
            if start <= local <= end:
                metres[number] += activity.distance_m
                break
    for number, total in metres.items():
        totals[number] = round(total / 1000, 1)
    return totals


def plan_radar(plan: TrainingPlan) -> dict:
    return {"axes": list((plan.runner_snapshot or {}).get("profile_radar", []))}


def calendar_sessions(*, user, plan: TrainingPlan | None = None) -> QuerySet[PlannedSession]:
    """Sessions worth a calendar event: every non-rest session of the plan, or of the user's
    active and paused plans."""
    queryset = PlannedSession.objects.filter(user=user).exclude(session_type="rest")
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    else:
        queryset = queryset.filter(plan__status__in=("active", "paused"))
    return queryset.order_by("date", "id")


# Rendered plans of this process, in front of the shared cache (same keys, so never stale).
LOCAL_PLANS = 256
_local = LocalLRU(LOCAL_PLANS)


def clear_local_plans():
    _local.clear()


def plan_detail_json(*, user, plan_id: int, zoom: str) -> bytes:
    """The plan at ``zoom`` rendered as JSON; cached under the plan's ``updated_at``, which every
    write moves, so an entry is never stale (a write makes it unreachable)."""
    from .api.serializers import PlanDetailSerializer

    version = TrainingPlan.objects.filter(user=user, pk=plan_id).values_list("updated_at", flat=True).first()
    if version is None:
        raise Http404("No such plan among yours.")
    slot = f"training:plan:{plan_id}:{zoom}"
    key = f"training:plan:{plan_id}:{version.timestamp():.6f}:{zoom}"
    use_cache = settings.TRAINING_PLAN_CACHE_S > 0
    if use_cache:
        body = _local.get_through(key, slot=slot, shared=cache)
        if body is not None:
            return body
    plan = TrainingPlan.objects.filter(user=user, pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan among yours.")
    data = PlanDetailSerializer(plan, context={"zoom": zoom}).data
    body = jsonbytes.dumps(data)
    if use_cache:
        _local.set_through(key, body, slot=slot, shared=cache, timeout=settings.TRAINING_PLAN_CACHE_S)
    return body


def plan_day_json(*, user, plan_id: int, date: dt.date) -> dict:
    """The plan's summary fields, ``day`` (``date`` and its sessions, with their steps and purpose)
    and ``week`` (the weekly plan's entry whose dates contain the day).

    Not cached: a session changes (completed, moved, skipped) without touching its plan, so the
    plan's version cannot key it. Two queries: the plan without its large documents but its weeks,
    and the day's sessions. ``Invalid`` on ``date`` when the day is not in the plan.
    """
    from .api.serializers import PlanDetailSerializer

    documents = [name for name in PLAN_LIST_DEFER if name != "weekly_plan"]
    plan = plans_of(user=user).defer(*documents).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan among yours.")
    if not plan.start_date <= date <= plan.end_date:
        raise Invalid({"date": [f"The plan runs from {plan.start_date} to {plan.end_date}."]})
    sessions = list(PlannedSession.objects.filter(plan=plan, date=date).order_by("id"))
    iso = date.isoformat()
    week = next(
        (w for w in plan.weekly_plan if w.get("week_start_date", "") <= iso <= w.get("week_end_date", "")),
        None,
    )
    context = {"zoom": "day", "day": {"date": date, "sessions": sessions}, "week": week}
    return PlanDetailSerializer(plan, context=context).data


def vdot_from_result(*, distance_m: float, time_s: float) -> dict:
    """VDOT, training paces and race predictions from one race (Daniels' Running Formula); a
    distance and time outside VDOT 15-90 are no runner's, and an ``Invalid`` on ``time_s``."""
    vdot = vdot_from_race(distance_m, time_s)
    if not 15 <= vdot <= 90:
        raise Invalid({"time_s": ["No runner races that distance in that time."]})
    vdot = round(vdot, 1)
    return {"vdot": vdot, "paces": training_paces(vdot).as_dict(), "predictions_s": predictions(vdot)}
