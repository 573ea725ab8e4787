"""Achievements, milestones and certificates as a learner sees them."""

from django.db.models import Prefetch

from ..models import Achievement, Certificate, CourseMilestone, UserAchievement, UserCourseMilestone


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
