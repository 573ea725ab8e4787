"""Computing learning analytics: one row per member, community and day, week or month.

``learning_analytics_compute`` cuts the period in an IANA time zone (``tz``; UTC until users
have a preferred zone), aggregates each community with a fixed number of queries (events, active
days, block completions, WOD and course completions) and upserts one row per member on
(user, community, period, period_start): computing a period again replaces its rows.

Metrics of a row:

* ``active_seconds``, ``events_count``: time and accepted events in the period;
* ``active_days``: local days with at least one event;
* ``blocks_completed`` / ``blocks_mastered`` / ``wods_completed`` / ``courses_completed``: first
  completed (mastered) inside the period;
* ``learning_velocity``: blocks completed per day of the period;
* ``engagement_score`` (0-100): 40 % share of active days, 30 % time against
  ``TARGET_SECONDS_PER_DAY``, 30 % completions against ``TARGET_BLOCKS_PER_DAY`` (each capped at 1);
* ``streak_days``: consecutive active days up to the period's last day, or today while the period
  runs (or the day before, so a streak still alive counts), looking back at most ``STREAK_LOOKBACK_DAYS``.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from config.timezones import local_span_bounds, local_today

from ..models import (
    AnalyticsPeriod,
    BlockProgress,
    BlockState,
    Community,
    LearningAnalytics,
    Membership,
    NodeProgress,
    NodeType,
    ProgressEvent,
)
from .achievements import streak_ending

UTC = ZoneInfo("UTC")
TARGET_SECONDS_PER_DAY = 20 * 60
TARGET_BLOCKS_PER_DAY = 3
STREAK_LOOKBACK_DAYS = 90
UPSERT_BATCH = 1000
ROW_FIELDS = [
    "period_end",
    "time_zone",
    "active_seconds",
    "events_count",
    "active_days",
    "blocks_completed",
    "blocks_mastered",
    "wods_completed",
    "courses_completed",
    "learning_velocity",
    "engagement_score",
    "streak_days",
    "computed_at",
]


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """First and last day (inclusive) of the ``period`` containing ``day``; weeks start on Monday."""
    if period == AnalyticsPeriod.DAILY:
        return day, day
    if period == AnalyticsPeriod.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == AnalyticsPeriod.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    raise ValidationError({"period": [f"Unknown period {period!r}; use daily, weekly or monthly."]})


def engagement_score(
    *, period_days: int, active_days: int, active_seconds: float, blocks_completed: int
) -> float:
    days = min(1.0, active_days / period_days)
    spent = min(1.0, active_seconds / (period_days * TARGET_SECONDS_PER_DAY))
    done = min(1.0, blocks_completed / (period_days * TARGET_BLOCKS_PER_DAY))
    return round(100 * (0.4 * days + 0.3 * spent + 0.3 * done), 2)


@dataclass
class AnalyticsResult:
    period: str
    period_start: date
    period_end: date
    time_zone: str
    communities: int = 0
    rows: int = 0
    rows_by_community: dict[int, int] = field(default_factory=dict)


def community_analytics_rows(
    *, community_id: int, period: str, start: date, end: date, tz
) -> list[LearningAnalytics]:
    """The period's rows for every member of the community (not saved): the members, then what
    they did in the period (four aggregate queries), then one row each."""
    # A period still running (week or month to date) counts its streak up to today.
    last_day = min(end, local_today(tz))
    window = _Window(community_id, period, start, end, tz, *local_span_bounds(start, end, tz), last_day)
    members = list(Membership.objects.filter(community_id=community_id).values_list("user_id", flat=True))
    if not members:
        return []
    counts = _MemberCounts(
        events=_events_by_member(window),
        days=_active_days_by_member(window),
        blocks=_blocks_by_member(window),
        nodes=_completed_nodes_by_member(window),
    )
    return [_member_row(window, counts, user_id) for user_id in members]


@dataclass(frozen=True)
class _Window:
    """A community's period: its local days and the UTC instants they start and end."""

    community_id: int
    period: str
    start: date
    end: date
    tz: ZoneInfo
    begin: datetime
    finish: datetime
    last_day: date  # the day a streak is counted up to

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class _MemberCounts:
    events: dict[int, dict]
    days: dict[int, set[date]]
    blocks: dict[int, dict]
    nodes: dict[tuple[int, str], int]


def _events_by_member(w: _Window) -> dict[int, dict]:
    """Each member's time spent and accepted events in the period."""
    return {
        row["user_id"]: row
        for row in ProgressEvent.objects.filter(
            community_id=w.community_id, occurred_at__gte=w.begin, occurred_at__lt=w.finish
        )
        .values("user_id")
        .annotate(seconds=Sum("time_spent_s"), n=Count("id"))
        .order_by()
    }


def _active_days_by_member(w: _Window) -> dict[int, set[date]]:
    """Each member's local days with an event, looking back far enough for the streak."""
    days: dict[int, set[date]] = defaultdict(set)
    for user_id, day in (
        ProgressEvent.objects.filter(
            community_id=w.community_id,
            occurred_at__gte=w.finish - timedelta(days=STREAK_LOOKBACK_DAYS + 1),
            occurred_at__lt=w.finish,
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=w.tz))
        .values_list("user_id", "day")
        .order_by()
        .distinct()
    ):
        days[user_id].add(day)
    return days


def _blocks_by_member(w: _Window) -> dict[int, dict]:
    """Each member's blocks first completed, and first mastered, in the period."""
    in_period = Q(completed_at__gte=w.begin, completed_at__lt=w.finish)
    mastered_in_period = Q(mastered_at__gte=w.begin, mastered_at__lt=w.finish)
    return {
        row["user_id"]: row
        for row in BlockProgress.objects.filter(in_period | mastered_in_period, community_id=w.community_id)
        .values("user_id")
        .annotate(
            done=Count("id", filter=in_period),
            mastered=Count("id", filter=mastered_in_period & Q(state=BlockState.MASTERED)),
        )
        .order_by()
    }


def _completed_nodes_by_member(w: _Window) -> dict[tuple[int, str], int]:
    """Each member's wods and courses first completed in the period."""
    return {
        (row["user_id"], row["node_type"]): row["n"]
        for row in NodeProgress.objects.filter(
            Q(completed_at__gte=w.begin, completed_at__lt=w.finish),
            community_id=w.community_id,
            node_type__in=[NodeType.WOD, NodeType.COURSE],
        )
        .values("user_id", "node_type")
        .annotate(n=Count("id"))
        .order_by()
    }


def _member_row(w: _Window, counts: _MemberCounts, user_id: int) -> LearningAnalytics:
    """One member's row: the counts, and the metrics computed from them."""
    event = counts.events.get(user_id, {})
    seconds = Decimal(event.get("seconds") or 0)
    user_days = counts.days.get(user_id, set())
    active = sum(1 for d in user_days if w.start <= d <= w.end)
    blocks = counts.blocks.get(user_id) or {}
    done = blocks.get("done", 0)
    return LearningAnalytics(
        user_id=user_id,
        community_id=w.community_id,
        period=w.period,
        period_start=w.start,
        period_end=w.end,
        time_zone=str(w.tz),
        active_seconds=seconds,
        events_count=event.get("n", 0),
        active_days=active,
        blocks_completed=done,
        blocks_mastered=blocks.get("mastered", 0),
        wods_completed=counts.nodes.get((user_id, NodeType.WOD), 0),
        courses_completed=counts.nodes.get((user_id, NodeType.COURSE), 0),
        learning_velocity=round(done / w.days, 4),
        engagement_score=engagement_score(
            period_days=w.days, active_days=active, active_seconds=float(seconds), blocks_completed=done
        ),
        streak_days=min(streak_ending(user_days, w.last_day), STREAK_LOOKBACK_DAYS),
    )


def learning_analytics_compute(
    *,
    period: str,
    day: date | None = None,
    community: Community | None = None,
    tz=UTC,
    dry_run: bool = False,
    progress=None,
) -> AnalyticsResult:
    """Compute and upsert the rows of the ``period`` containing ``day`` (default: yesterday in
    ``tz``) for ``community`` or every community. ``progress``: an optional callable called
    after each community (a progress bar). With ``dry_run`` nothing is written."""
    if isinstance(tz, str):
        tz = ZoneInfo(tz)
    day = day or (local_today(tz) - timedelta(days=1))
    start, end = period_bounds(period, day)
    result = AnalyticsResult(period=period, period_start=start, period_end=end, time_zone=str(tz))
    community_ids = (
        [community.pk] if community else list(Community.objects.order_by("id").values_list("id", flat=True))
    )
    for community_id in community_ids:
        rows = community_analytics_rows(community_id=community_id, period=period, start=start, end=end, tz=tz)
        if rows and not dry_run:
            with transaction.atomic():
                for i in range(0, len(rows), UPSERT_BATCH):
                    LearningAnalytics.objects.bulk_create(
                        rows[i : i + UPSERT_BATCH],
                        update_conflicts=True,
                        unique_fields=["user", "community", "period", "period_start"],
                        update_fields=ROW_FIELDS,
                    )
        result.communities += 1
        result.rows += len(rows)
        result.rows_by_community[community_id] = len(rows)
        if progress is not None:
            progress()
    return result
