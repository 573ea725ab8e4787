"""Plans and sessions made with the ORM directly (training's own services are not needed to
test what notifications does with them)."""

import datetime as dt

from django.utils import timezone

from notifications.models import NotificationPreferences
from tests.factories import UserFactory
from training.models import PlannedSession, PlanStatus, SessionStatus, TrainingPlan


def make_plan(
    user=None,
    *,
    start: dt.date,
    weeks: int = 4,
    zone: str = "UTC",
    status: str = PlanStatus.ACTIVE,
    days=(0, 2, 4, 6),
    start_time: dt.time | None = None,
    name="Half Marathon - 12 Week Plan",
) -> TrainingPlan:
    """A plan with a session on ``days`` (weekday numbers) of every week, from ``start``."""
    user = user or UserFactory()
    plan = TrainingPlan.objects.create(
        user=user,
        name=name,
        goal_type="half",
        start_date=start,
        end_date=start + dt.timedelta(days=7 * weeks - 1),
        duration_weeks=max(4, weeks),
        status=status,
        time_zone=zone,
        activated_at=timezone.now() if status == PlanStatus.ACTIVE else None,
    )
    sessions = []
    for offset in range(7 * weeks):
        day = start + dt.timedelta(days=offset)
        if day.weekday() not in days:
            continue
        sessions.append(
            PlannedSession(
                plan=plan,
                user=user,
                date=day,
                week_number=offset // 7 + 1,
                session_type="long" if day.weekday() == 6 else "easy",
                title="Long run" if day.weekday() == 6 else "Easy run",
                target_distance_km=12.0 if day.weekday() == 6 else 6.0,
                start_time_local=start_time,
                time_zone=zone,
                status=SessionStatus.PLANNED,
            )
        )
    PlannedSession.objects.bulk_create(sessions)
    return plan


def make_prefs(user, **values) -> NotificationPreferences:
    prefs, _ = NotificationPreferences.objects.update_or_create(user=user, defaults=values)
    return prefs
