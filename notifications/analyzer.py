"""The cadence analyzer's writes: one ``BehaviorProfile`` per active plan, from the user's history.

Samples are the starts of the user's activities and of completed sessions without a linked
activity in the last ``NOTIFICATIONS_CADENCE_DAYS`` days, each as the local wall-clock minute in
the zone in force that day (the activity's or the session's own zone, so a run at 06:00 in
summer and at 06:00 in winter are both 06:00). The maths is in ``notifications.cadence``.
Profiles are written in bulk (``INSERT … ON CONFLICT (user, plan) DO UPDATE``); the statements
are in ``notifications.sql``.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from training.models import Activity, PlannedSession, PlanStatus, SessionStatus, TrainingPlan

from . import cadence
from .models import BehaviorProfile
from .sql import local_time_annotations, profiles_upsert
from .timing import time_to_minute

CHUNK = 1000  # users per round of queries


@dataclass
class AnalyzeResult:
    profiles: int
    fallbacks: int


def _samples(user_ids, since) -> dict[int, list[tuple[float, int, int]]]:
    """(epoch seconds, local minute, weekday) per user: activities, and completed sessions without one."""
    sources = [
        (Activity.objects.filter(user_id__in=user_ids, started_at__gte=since), "started_at"),
        (
            PlannedSession.objects.filter(
                user_id__in=user_ids,
                status=SessionStatus.COMPLETED,
                activity__isnull=True,
                completed_at__gte=since,
            ),
            "completed_at",
        ),
    ]
    out: dict[int, list] = defaultdict(list)
    for queryset, column in sources:
        rows = queryset.annotate(**local_time_annotations(queryset.model, column)).values_list(
            "user_id", "at_epoch", "local_minute", "local_weekday"
        )
        for uid, at, minute, weekday in rows.iterator(chunk_size=20_000):
            out[uid].append((at, minute, weekday))
    return out


def profile_from(cad: cadence.Cadence, *, user_id: int, plan_id: int, now: dt.datetime) -> BehaviorProfile:
    return BehaviorProfile(
        user_id=user_id,
        plan_id=plan_id,
        window_start_min=cad.window_start_min,
        window_end_min=cad.window_end_min,
        circular_mean_min=cad.circular_mean_min,
        resultant_length=cad.resultant_length,
        confidence=cad.confidence,
        sample_count=cad.sample_count,
        habits=[
            {"minute": h.minute, "share": h.share, "resultant_length": h.resultant_length} for h in cad.habits
        ],
        weekday_patterns=cad.weekday_patterns,
        deviation_flags=cad.deviation_flags,
        used_fallback=cad.used_fallback,
        fallback=cad.fallback,
        recomputed_at=now,
    )


def profiles_recompute(*, user=None, now: dt.datetime | None = None, progress=None) -> AnalyzeResult:
    """Recompute the behaviour profile of every active plan (or ``user``'s). ``progress(n)`` is
    called after each chunk of users with the number of plans done."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.NOTIFICATIONS_CADENCE_DAYS)
    plans = TrainingPlan.objects.filter(status=PlanStatus.ACTIVE)
    if user is not None:
        plans = plans.filter(user=user)
    plan_rows = list(plans.order_by("user_id").values_list("id", "user_id"))
    written = fallbacks = 0
    for start in range(0, len(plan_rows), CHUNK):
        chunk = plan_rows[start : start + CHUNK]
        user_ids = [u for _, u in chunk]
        plan_ids = [p for p, _ in chunk]
        samples = _samples(user_ids, since)
        defaults: dict[int, Counter] = defaultdict(Counter)
        for plan_id, start_time, n in (
            PlannedSession.objects.filter(plan_id__in=plan_ids, start_time_local__isnull=False)
            .values_list("plan_id", "start_time_local")
            .annotate(n=Count("id"))
            .values_list("plan_id", "start_time_local", "n")
        ):
            defaults[plan_id][start_time] += n
        fallback_minute = time_to_minute(dt.time.fromisoformat(settings.NOTIFICATIONS_DEFAULT_START_TIME))
        profiles = []
        for plan_id, uid in chunk:
            local = [(minute, weekday) for _, minute, weekday in sorted(samples.get(uid, ()))]
            common = defaults[plan_id].most_common(1)
            default_minute = time_to_minute(common[0][0]) if common else fallback_minute
            cad = cadence.analyze(local, default_minute=default_minute)
            fallbacks += cad.used_fallback
            profiles.append(profile_from(cad, user_id=uid, plan_id=plan_id, now=now))
        profiles_upsert(profiles)
        written += len(profiles)
        if progress is not None:
            progress(len(chunk))
    return AnalyzeResult(written, fallbacks)
