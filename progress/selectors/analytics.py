"""Reading learning analytics: a learner's own rows with their percentile and completion
forecasts, and a community's trends for its admins and instructors.

* percentile: the percentile rank of the learner's engagement score among the community's rows of
  the same period, ``100 * (lower + equal / 2) / rows`` (the learner's own row counts as equal);
* forecast: for each active program and course enrollment, the remaining required blocks divided by the
  learner's recent velocity (blocks completed per day over the last ``VELOCITY_WINDOW_DAYS``).
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone

from config.errors import NotFound, PermissionDenied

from ..models import (
    BlockProgress,
    Community,
    CourseEnrollment,
    EnrollmentStatus,
    LearningAnalytics,
    Membership,
    MembershipRole,
    NodeProgress,
    NodeType,
    ProgramEnrollment,
)
from ..services.analytics import period_bounds
from .structure import community_structure

VELOCITY_WINDOW_DAYS = 28


def my_rows(user, *, period: str, day: date | None = None) -> list[LearningAnalytics]:
    """The user's rows of one period in each of their communities: the period containing
    ``day``, or the latest computed one."""
    qs = LearningAnalytics.objects.filter(user=user, period=period, community__memberships__user=user)
    if day is not None:
        start = period_bounds(period, day)[0]
    else:
        start = qs.aggregate(latest=Max("period_start"))["latest"]
        if start is None:
            return []
    return list(
        qs.filter(period_start=start).select_related("community").order_by("community__name", "community_id")
    )


def percentiles(rows: list[LearningAnalytics]) -> dict[int, tuple[float, int]]:
    """(percentile, learners) per community of ``rows`` (one user's rows of one period), one query."""
    if not rows:
        return {}
    period, start = rows[0].period, rows[0].period_start
    lower, equal = Q(), Q()
    for row in rows:
        lower |= Q(community_id=row.community_id, engagement_score__lt=row.engagement_score)
        equal |= Q(community_id=row.community_id, engagement_score=row.engagement_score)
    stats = (
        LearningAnalytics.objects.filter(
            period=period, period_start=start, community_id__in=[r.community_id for r in rows]
        )
        .values("community_id")
        .annotate(n=Count("id"), lower=Count("id", filter=lower), equal=Count("id", filter=equal))
        .order_by()
    )
    return {
        s["community_id"]: (round(100 * (s["lower"] + s["equal"] / 2) / s["n"], 1), s["n"])
        for s in stats
        if s["n"]
    }


@dataclass
class Forecast:
    node_type: str  # "program" or "course"
    node_id: int
    title: str
    enrollment: ProgramEnrollment | CourseEnrollment
    required_total: int
    required_done: int
    velocity: float
    predicted_completion_date: date | None

    @property
    def remaining(self) -> int:
        return max(0, self.required_total - self.required_done)


def predict_completion(*, remaining: int, velocity: float, today: date) -> date | None:
    if remaining <= 0:
        return today
    if velocity <= 0:
        return None
    return today + timedelta(days=math.ceil(remaining / velocity - 1e-9))


def recent_velocity(user, *, now=None) -> float:
    """Blocks the user completed per day over the last ``VELOCITY_WINDOW_DAYS`` days."""
    now = now or timezone.now()
    done = BlockProgress.objects.filter(
        user=user, completed_at__gte=now - timedelta(days=VELOCITY_WINDOW_DAYS), completed_at__lte=now
    ).count()
    return round(done / VELOCITY_WINDOW_DAYS, 4)


def forecasts(user, *, now=None) -> list[Forecast]:
    """A completion forecast for each active program and course enrollment in the user's
    communities (programs first, each kind in enrollment order)."""
    now = now or timezone.now()
    today = now.date()
    active = {"user": user, "status": EnrollmentStatus.ACTIVE, "community__memberships__user": user}
    enrollments = [
        (NodeType.PROGRAM, e.program_id, e.program.title, e)
        for e in ProgramEnrollment.objects.filter(**active)
        .select_related("program")
        .order_by("enrolled_at", "id")
    ] + [
        (NodeType.COURSE, e.course_id, e.course.title, e)
        for e in CourseEnrollment.objects.filter(**active)
        .select_related("course")
        .order_by("enrolled_at", "id")
    ]
    if not enrollments:
        return []
    velocity = recent_velocity(user, now=now)
    wanted = Q()
    for node_type in (NodeType.PROGRAM, NodeType.COURSE):
        ids = [node_id for kind, node_id, _, _ in enrollments if kind == node_type]
        if ids:
            wanted |= Q(node_type=node_type, node_id__in=ids)
    rows = {(row.node_type, row.node_id): row for row in NodeProgress.objects.filter(wanted, user=user)}
    result = []
    for node_type, node_id, title, enrollment in enrollments:
        row = rows.get((node_type, node_id))
        if row is not None:
            total, done = row.required_total, row.required_done
        else:
            structure = community_structure(enrollment.community_id)
            nodes = structure.programs if node_type == NodeType.PROGRAM else structure.courses
            node = nodes.get(node_id)
            total, done = (node.required_total if node else 0), 0
        result.append(
            Forecast(
                node_type=node_type,
                node_id=node_id,
                title=title,
                enrollment=enrollment,
                required_total=total,
                required_done=done,
                velocity=velocity,
                predicted_completion_date=predict_completion(
                    remaining=total - done, velocity=velocity, today=today
                ),
            )
        )
    return result


def community_trends(community_id: int, *, period: str, periods: int = 12) -> list[dict]:
    """The community's last ``periods`` periods, oldest first: learners, active learners, active
    hours, completions, average engagement, velocity and streak (one query)."""
    series = (
        LearningAnalytics.objects.filter(community_id=community_id, period=period)
        .values("period_start", "period_end")
        .annotate(
            learners=Count("id"),
            active_learners=Count("id", filter=Q(active_days__gt=0)),
            active_seconds=Sum("active_seconds"),
            blocks_completed=Sum("blocks_completed"),
            wods_completed=Sum("wods_completed"),
            courses_completed=Sum("courses_completed"),
            avg_engagement=Avg("engagement_score"),
            avg_velocity=Avg("learning_velocity"),
            avg_streak=Avg("streak_days"),
        )
        .order_by("-period_start")[:periods]
    )
    out = []
    for row in reversed(list(series)):
        seconds = float(row.pop("active_seconds") or 0)
        row["active_hours"] = round(seconds / 3600, 2)
        for key in ("avg_engagement", "avg_velocity", "avg_streak"):
            row[key] = round(row[key] or 0, 2)
        out.append(row)
    return out


def my_analytics(user, *, period: str, day: date | None = None) -> dict:
    """The ``analytics/me/`` answer: the user's rows of one period in each of their communities
    with their percentile there, and a completion forecast per active enrollment."""
    rows = my_rows(user, period=period, day=day)
    ranks = percentiles(rows)
    if rows:
        start, end = rows[0].period_start, rows[0].period_end
    elif day is not None:
        start, end = period_bounds(period, day)
    else:
        start = end = None
    communities = []
    for row in rows:
        percentile, learners = ranks.get(row.community_id, (None, 0))
        communities.append(
            {
                "community": {"id": row.community_id, "name": row.community.name},
                "active_seconds": float(row.active_seconds),
                "active_hours": row.active_hours,
                "events_count": row.events_count,
                "active_days": row.active_days,
                "blocks_completed": row.blocks_completed,
                "blocks_mastered": row.blocks_mastered,
                "wods_completed": row.wods_completed,
                "courses_completed": row.courses_completed,
                "learning_velocity": row.learning_velocity,
                "engagement_score": row.engagement_score,
                "streak_days": row.streak_days,
                "percentile": percentile,
                "learners": learners,
                "computed_at": row.computed_at,
            }
        )
    predicted = [
        {
            "type": f.node_type,
            "id": f.node_id,
            "title": f.title,
            "program": f.node_id if f.node_type == "program" else None,
            "course": f.node_id if f.node_type == "course" else None,
            "course_title": f.title if f.node_type == "course" else None,
            "completion_percent": f.enrollment.completion_percent,
            "required_total": f.required_total,
            "required_done": f.required_done,
            "remaining_blocks": f.remaining,
            "velocity_blocks_per_day": f.velocity,
            "predicted_completion_date": f.predicted_completion_date,
        }
        for f in forecasts(user)
    ]
    data = {
        "period": period,
        "period_start": start,
        "period_end": end,
        "communities": communities,
        "forecasts": predicted,
    }
    return data


def community_for_analytics(user, community_id: int) -> Community:
    """The community whose trends ``user`` may see: 404 unless a member, 403 for a learner."""
    membership = (
        Membership.objects.filter(user=user, community_id=community_id).select_related("community").first()
    )
    if membership is None:
        raise NotFound()
    if membership.role not in (MembershipRole.INSTRUCTOR, MembershipRole.ADMIN):
        raise PermissionDenied("Only the community's instructors and admins see its analytics.")
    return membership.community
