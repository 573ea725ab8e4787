"""Achievements, milestones and certificates as a learner sees them."""

from django.db.models import Prefetch

from ..models import Achievement, Certificate, CourseMilestone, UserAchievement, UserCourseMilestone
from ..models.achievements import criterion_label


def achievements_for(user, *, status: str | None = None):
    """Active achievements of the user's communities, each with ``my_awards`` (the user's
    progress row, or an empty list). ``status``: ``earned`` or ``in_progress``."""
    mine = UserAchievement.objects.filter(user=user)
    qs = (
        Achievement.objects.visible_to(user)
        .select_related("community")
        .prefetch_related(Prefetch("awards", queryset=mine, to_attr="my_awards"))
        .order_by("community_id", "name", "id")
    )
    earned = mine.filter(earned_at__isnull=False).values("achievement_id")
    if status == "earned":
        qs = qs.filter(pk__in=earned)
    elif status == "in_progress":
        qs = qs.exclude(pk__in=earned)
    return qs


def achievement_progress(achievement: Achievement, award: UserAchievement | None) -> list[dict]:
    """Each criterion of ``achievement`` with the learner's count on it, as the API shows it
    (``type``, ``label``, ``current``, ``target``, ``met``, ``summary``); an earned award shows
    every criterion met."""
    stored = award.progress if award else []
    out = []
    for index, item in enumerate(achievement.criteria_items):
        found = stored[index] if index < len(stored) and stored[index]["type"] == item["type"] else None
        target = int(item["count"])
        current = found["current"] if found else 0
        if award and award.earned_at:
            current = max(current, target)
        out.append(
            {
                "type": item["type"],
                "label": criterion_label(item),
                "current": current,
                "target": target,
                "met": current >= target,
                "summary": f"{min(current, target)} of {target}",
            }
        )
    return out


def progress_percent(progress: list[dict]) -> float:
    """How far along the criteria are, 0-100 (each criterion weighs the same)."""
    if not progress:
        return 0.0
    return round(100 * sum(min(p["current"], p["target"]) / p["target"] for p in progress) / len(progress), 1)


def earned_award(user, achievement_id: int) -> UserAchievement | None:
    """The user's earned award of a visible achievement, or None (not visible or not earned)."""
    return (
        UserAchievement.objects.filter(
            user=user,
            achievement_id=achievement_id,
            earned_at__isnull=False,
            achievement__in=Achievement.objects.visible_to(user),
        )
        .select_related("achievement__community", "user")
        .first()
    )


def milestones_for(user, *, course_id: int | None = None):
    """Milestones of published courses in the user's communities, each with ``my_reached``."""
    mine = UserCourseMilestone.objects.filter(user=user)
    qs = (
        CourseMilestone.objects.filter(course__status="published", course__community__memberships__user=user)
        .prefetch_related(Prefetch("achievements", queryset=mine, to_attr="my_reached"))
        .order_by("course_id", "order_index", "id")
    )
    if course_id is not None:
        qs = qs.filter(course_id=course_id)
    return qs


def certificates_of(user):
    return Certificate.objects.filter(user=user).order_by("-issued_at", "-id")


def certificate_by_verification_id(verification_id):
    return Certificate.objects.filter(verification_id=verification_id).first()
