"""Achievements: community-defined badges with typed criteria, and each learner's progress on them.

A content designer defines an ``Achievement`` in the admin: points, a badge image and criteria
(``{"all": [{"type": "blocks_completed", "count": 5, "scope": {"course": 3}}, ...]}``, validated by
``schemas/achievement_criteria.json``). ``UserAchievement`` holds one learner's partial progress
per criterion ("3 of 5") and, once every criterion is met, the time it was earned; an earned
achievement stays earned.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from config.jsonschemas import schema_json_field

from .community import Community


class AchievementType(models.TextChoices):
    COMPLETION = "completion", "Completion"
    MILESTONE = "milestone", "Milestone"
    SKILL = "skill", "Skill"
    ENGAGEMENT = "engagement", "Engagement"


class CriterionType(models.TextChoices):
    BLOCKS_COMPLETED = "blocks_completed", "blocks completed"
    WODS_COMPLETED = "wods_completed", "WODs completed"
    COURSE_COMPLETED = "course_completed", "courses completed"
    PROGRAM_COMPLETED = "program_completed", "programs completed"
    ACTIVE_DAY_STREAK = "active_day_streak", "days in a row"
    TIME_SPENT = "time_spent", "minutes spent"
    MASTERY_COUNT = "mastery_count", "quizzes mastered"


# Which scopes each criterion type accepts.
CRITERION_SCOPES = {
    CriterionType.BLOCKS_COMPLETED: {"program", "course", "wod"},
    CriterionType.WODS_COMPLETED: {"program", "course"},
    CriterionType.COURSE_COMPLETED: {"program", "course"},
    CriterionType.PROGRAM_COMPLETED: {"program"},
    CriterionType.ACTIVE_DAY_STREAK: set(),
    CriterionType.TIME_SPENT: {"program", "course", "wod"},
    CriterionType.MASTERY_COUNT: {"program", "course", "wod"},
}


class AchievementQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user):
        """Active achievements of the communities ``user`` is a member of."""
        if not user or not user.is_authenticated:
            return self.none()
        return self.active().filter(community__memberships__user=user)


def badge_upload_to(instance, filename):
    return f"progress/badges/{instance.community_id}/{filename}"


class Achievement(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="achievements")
    name = models.CharField("name", max_length=200)
    description = models.TextField(
        "description", blank=True, help_text="Shown to learners and in exported badges."
    )
    achievement_type = models.CharField(
        "kind", max_length=20, choices=AchievementType.choices, default=AchievementType.COMPLETION
    )
    criteria = schema_json_field(
        "progress",
        "achievement_criteria",
        "criteria",
        help_text="Every criterion must be met. Counts are within the achievement's community.",
    )
    criteria_narrative = models.TextField(
        "criteria narrative",
        blank=True,
        help_text="How to earn it, in words (Open Badges criteria). Empty: generated from the criteria.",
    )
    points = models.PositiveIntegerField("points", default=0)
    badge = models.ImageField("badge image", upload_to=badge_upload_to, blank=True)
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive achievements are hidden and no longer awarded."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AchievementQuerySet.as_manager()

    class Meta:
        ordering = ["community", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="progress_achievement_name_unique"),
        ]
        indexes = [models.Index(fields=["community", "is_active"], name="progress_achievement_comm")]

    def __str__(self):
        return self.name

    @property
    def criteria_items(self) -> list[dict]:
        return list((self.criteria or {}).get("all", []))

    @property
    def criterion_types(self) -> set[str]:
        return {item["type"] for item in self.criteria_items}

    def narrative(self) -> str:
        """How to earn it in words: ``criteria_narrative``, else the criteria with the titles of
        the programs, courses and WODs they name."""
        if self.criteria_narrative:
            return self.criteria_narrative
        from .content import Course, Program, Wod

        wanted = {}
        for item in self.criteria_items:
            for key, value in (item.get("scope") or {}).items():
                wanted.setdefault(key, set()).add(value)
        titles = {}
        for key, model in (("program", Program), ("course", Course), ("wod", Wod)):
            if wanted.get(key):
                rows = model.objects.filter(community_id=self.community_id, pk__in=wanted[key])
                titles.update({(key, pk): title for pk, title in rows.values_list("pk", "title")})
        return "; ".join(criterion_label(item, titles) for item in self.criteria_items) + "."

    def clean(self):
        errors = []
        for index, item in enumerate(self.criteria_items):
            scope = item.get("scope") or {}
            allowed = CRITERION_SCOPES.get(item.get("type"), set())
            if len(scope) > 1:
                errors.append(f"all/{index}/scope: set at most one of program, course, WOD.")
            for key in scope:
                if key not in allowed:
                    errors.append(f"all/{index}/scope: {item.get('type')} cannot be limited to a {key}.")
            if (
                item.get("type") == CriterionType.COURSE_COMPLETED
                and "course" in scope
                and item.get("count") != 1
            ):
                errors.append(f"all/{index}/count: completing one named course counts to 1.")
            if (
                item.get("type") == CriterionType.PROGRAM_COMPLETED
                and "program" in scope
                and item.get("count") != 1
            ):
                errors.append(f"all/{index}/count: completing one named program counts to 1.")
        if errors:
            raise ValidationError({"criteria": errors})


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


CRITERION_NOUNS = {
    CriterionType.BLOCKS_COMPLETED: ("Complete", "block"),
    CriterionType.WODS_COMPLETED: ("Complete", "WOD"),
    CriterionType.COURSE_COMPLETED: ("Complete", "course"),
    CriterionType.PROGRAM_COMPLETED: ("Complete", "program"),
    CriterionType.MASTERY_COUNT: ("Master", "quiz"),
}


def criterion_label(item: dict, titles: dict | None = None) -> str:
    """The criterion in words, e.g. ``Complete 5 blocks in course 3`` (``titles`` maps
    ``(scope key, id)`` to a title to name the program, course or WOD instead)."""
    kind, count = item.get("type"), int(item.get("count", 0))
    scope = item.get("scope") or {}
    titles = titles or {}
    named = {key: titles.get((key, value)) for key, value in scope.items()}
    where = "".join(
        f" in {named[key]}" if named[key] else f" in {'WOD' if key == 'wod' else key} {value}"
        for key, value in scope.items()
    )
    if kind == CriterionType.ACTIVE_DAY_STREAK:
        return f"Be active {_plural(count, 'day')} in a row"
    if kind == CriterionType.TIME_SPENT:
        return f"Spend {_plural(count, 'minute')} learning{where}"
    if kind == CriterionType.COURSE_COMPLETED and "course" in scope:
        return f"Complete {named['course'] or 'course ' + str(scope['course'])}"
    if kind == CriterionType.PROGRAM_COMPLETED and "program" in scope:
        return f"Complete {named['program'] or 'program ' + str(scope['program'])}"
    verb, noun = CRITERION_NOUNS.get(kind, ("Reach", str(kind)))
    words = _plural(count, noun).replace("quizs", "quizzes")
    return f"{verb} {words}{where}"


class UserAchievement(models.Model):
    """One learner's progress on one achievement; ``earned_at`` is set once, when every criterion is met."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements")
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="awards")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    progress = schema_json_field(
        "progress",
        "achievement_progress",
        default=list,
        blank=True,
    )
    earned_at = models.DateTimeField(null=True, blank=True)
    points = models.PositiveIntegerField(default=0, help_text="The achievement's points when it was earned.")
    credential_id = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Id of the exported Open Badges credential.",
    )
    evaluated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "achievement"], name="progress_userachievement_unique"),
        ]
        indexes = [models.Index(fields=["user", "community"], name="progress_userach_user_comm")]

    def __str__(self):
        return f"{self.user} - {self.achievement}"

    @property
    def earned(self) -> bool:
        return self.earned_at is not None
