"""Demo achievements, course milestones, certificates and analytics for "Demo Gym".

Runs after the progress demo content and learner history exist (``progress.demo.seed``): it
defines the achievements and milestones, awards what the learners' history already earns and
computes their analytics rows. Idempotent: definitions are matched on natural keys, awards and
certificates are issued once, analytics rows are upserted.
"""

import io
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from .models import (
    Achievement,
    AchievementType,
    BlockType,
    Community,
    Course,
    CourseMilestone,
    Membership,
    MilestoneType,
    Program,
    PublishStatus,
)
from .services.achievements import achievements_evaluate
from .services.analytics import learning_analytics_compute
from .services.certificates import certificate_issue, milestones_evaluate

GYM_SLUG = "demo-gym"
BADGE_COLOURS = ["#417690", "#5b8c3a", "#c0392b", "#8e44ad", "#d35400", "#16a085", "#2c3e50", "#b7950b"]


def achievement_specs(program: Program, first_course: Course) -> list[dict]:
    return [
        {
            "name": "First steps",
            "kind": AchievementType.COMPLETION,
            "points": 5,
            "description": "Completed your first block.",
            "criteria": {"all": [{"type": "blocks_completed", "count": 1}]},
        },
        {
            "name": "Warming up",
            "kind": AchievementType.COMPLETION,
            "points": 15,
            "description": "Completed 20 blocks.",
            "criteria": {"all": [{"type": "blocks_completed", "count": 20}]},
        },
        {
            "name": "First WOD",
            "kind": AchievementType.MILESTONE,
            "points": 20,
            "description": "Finished a whole workout of the day.",
            "criteria": {"all": [{"type": "wods_completed", "count": 1}]},
        },
        {
            "name": "Course graduate",
            "kind": AchievementType.MILESTONE,
            "points": 50,
            "description": f"Completed {first_course.title}.",
            "criteria": {
                "all": [{"type": "course_completed", "count": 1, "scope": {"course": first_course.pk}}]
            },
        },
        {
            "name": "Program finisher",
            "kind": AchievementType.MILESTONE,
            "points": 150,
            "description": f"Completed the whole {program.title} program.",
            "criteria": {
                "all": [{"type": "program_completed", "count": 1, "scope": {"program": program.pk}}]
            },
        },
        {
            "name": "Quiz master",
            "kind": AchievementType.SKILL,
            "points": 30,
            "description": "Mastered three quizzes.",
            "criteria": {"all": [{"type": "mastery_count", "count": 3}]},
        },
        {
            "name": "Three days in a row",
            "kind": AchievementType.ENGAGEMENT,
            "points": 10,
            "description": "Learned on three consecutive days.",
            "criteria": {"all": [{"type": "active_day_streak", "count": 3}]},
        },
        {
            "name": "Hour of practice",
            "kind": AchievementType.ENGAGEMENT,
            "points": 10,
            "description": "Spent an hour learning and completed five blocks.",
            "criteria": {
                "all": [{"type": "time_spent", "count": 60}, {"type": "blocks_completed", "count": 5}]
            },
        },
    ]


def badge_png(colour: str, letter: str) -> bytes:
    """A small round badge (Pillow), so the demo works without external images."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (128, 128), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 124, 124), fill=colour, outline="#ffffff", width=6)
    draw.text((64, 64), letter, fill="#ffffff", anchor="mm", font_size=56)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upsert_achievement(community, spec: dict, colour: str) -> Achievement:
    values = {
        "description": spec["description"],
        "achievement_type": spec["kind"],
        "criteria": spec["criteria"],
        "points": spec["points"],
        "is_active": True,
    }
    obj = Achievement.objects.filter(community=community, name=spec["name"]).first()
    if obj is None:
        obj = Achievement(community=community, name=spec["name"], **values)
    else:
        for name, value in values.items():
            setattr(obj, name, value)
    obj.full_clean()
    if not obj.badge:
        obj.badge.save(
            f"{spec['name'].lower().replace(' ', '-')}.png",
            ContentFile(badge_png(colour, spec["name"][0])),
            save=False,
        )
    obj.save()
    return obj


def course_milestones(course: Course) -> list[CourseMilestone]:
    """First WOD completed (optional), the last WOD's quiz at 60 % and its submission (required)."""
    wods = list(course.wods.filter(status=PublishStatus.PUBLISHED).order_by("course_links__order"))
    if not wods:
        return []
    first, last = wods[0], wods[-1]
    quiz = last.pages.filter(blocks__block_type=BlockType.QUIZ).values_list("blocks__id", flat=True).first()
    project = (
        last.pages.filter(blocks__block_type=BlockType.USER_SUBMISSION)
        .values_list("blocks__id", flat=True)
        .first()
    )
    specs = [
        (
            f"Finish {first.title}",
            MilestoneType.WOD_COMPLETION,
            {"wod": first, "block": None, "min_score": None},
            False,
            10,
        ),
    ]
    if quiz:
        specs.append(
            (
                f"Pass the {last.title} quiz",
                MilestoneType.ASSESSMENT,
                {"wod": None, "block_id": quiz, "min_score": 0.6},
                True,
                25,
            )
        )
    if project:
        specs.append(
            (
                f"Hand in the {last.title} project",
                MilestoneType.PROJECT,
                {"wod": None, "block_id": project, "min_score": None},
                True,
                25,
            )
        )
    milestones = []
    for order, (title, kind, target, required, points) in enumerate(specs):
        milestone, _ = CourseMilestone.objects.update_or_create(
            course=course,
            title=title,
            defaults={
                "milestone_type": kind,
                "order_index": order,
                "required_for_completion": required,
                "points_awarded": points,
                **target,
            },
        )
        milestones.append(milestone)
    return milestones


def seed(*, stdout):
    gym = Community.objects.filter(slug=GYM_SLUG).first()
    program = (
        Program.objects.filter(community=gym, status=PublishStatus.PUBLISHED).order_by("id").first()
        if gym
        else None
    )
    if program is None:
        stdout.write("  achievements: no Demo Gym program yet (run the progress demo first); skipped")
        return None
    courses = list(program.courses.filter(status=PublishStatus.PUBLISHED).order_by("program_links__order"))
    # The flag does not change the structure: update it without the content-changed signal.
    Course.objects.filter(pk__in=[c.pk for c in courses]).update(certification_available=True)
    achievements = [
        upsert_achievement(gym, spec, BADGE_COLOURS[i % len(BADGE_COLOURS)])
        for i, spec in enumerate(achievement_specs(program, courses[0]))
    ]
    milestones = [m for course in courses for m in course_milestones(course)]

    members = list(Membership.objects.filter(community=gym).select_related("user").order_by("user_id"))
    earned = certificates = 0
    for membership in members:
        user = membership.user
        milestones_evaluate(user=user, milestones=milestones)
        for course in Course.objects.filter(pk__in=[c.pk for c in courses]).select_related("community"):
            try:
                _, created = certificate_issue(user=user, course=course)
                certificates += int(created)
            except ValidationError:  # not complete yet, or a required milestone missing
                continue
        earned += sum(
            o.newly_earned
            for o in achievements_evaluate(user=user, community_id=gym.pk, achievements=achievements)
        )

    today = timezone.now().date()
    for back in range(1, 15):
        learning_analytics_compute(period="daily", day=today - timedelta(days=back), community=gym)
    for back in range(0, 5):
        learning_analytics_compute(period="weekly", day=today - timedelta(weeks=back), community=gym)
    for day in (today, today.replace(day=1) - timedelta(days=1)):
        learning_analytics_compute(period="monthly", day=day, community=gym)
    stdout.write(
        f"  achievements: {len(achievements)} achievements and {len(milestones)} course milestones "
        f"in {gym.name}; "
        f"{earned} newly earned, {certificates} certificates issued; analytics for {len(members)} members"
    )
    return None
