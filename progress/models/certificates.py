"""Course milestones, the milestones each learner reached, and course certificates.

A ``CourseMilestone`` marks a step of a course: completing one of its WODs, passing an assessment
(a quiz block, optionally at a minimum score) or handing in a project (a prompt or submission
block). Required milestones must all be reached, besides completing the course's blocks, before
its certificate is issued. A ``Certificate`` is issued once per learner and course, with an
unguessable verification id anyone can check.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from config.jsonschemas import schema_json_field

from .community import Community
from .content import Block, BlockType, Course, Wod


class MilestoneType(models.TextChoices):
    WOD_COMPLETION = "wod_completion", "WOD completion"
    ASSESSMENT = "assessment", "Assessment"
    PROJECT = "project", "Project"


ASSESSMENT_BLOCKS = {BlockType.QUIZ}
PROJECT_BLOCKS = {BlockType.PROMPT, BlockType.USER_SUBMISSION, BlockType.AGENT}


class CourseMilestone(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("title", max_length=200)
    milestone_type = models.CharField("type", max_length=20, choices=MilestoneType.choices)
    wod = models.ForeignKey(
        Wod,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="WOD",
        help_text="WOD completion: the WOD of the course to complete.",
    )
    block = models.ForeignKey(
        Block,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Assessment: a quiz block; project: a prompt, submission or agent block.",
    )
    min_score = models.FloatField(
        "minimum score",
        null=True,
        blank=True,
        help_text="Assessment: best score (0-1) needed. Empty: submitting is enough.",
    )
    order_index = models.PositiveIntegerField("order", default=0)
    required_for_completion = models.BooleanField(
        "required for the certificate",
        default=True,
        help_text="The certificate waits for every required milestone.",
    )
    points_awarded = models.PositiveIntegerField("points", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "order_index", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_score__isnull=True) | models.Q(min_score__gte=0, min_score__lte=1),
                name="progress_milestone_min_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.course}: {self.title}"

    def clean(self):
        if self.milestone_type == MilestoneType.WOD_COMPLETION:
            if not self.wod_id:
                raise ValidationError({"wod": "Choose the WOD to complete."})
            if self.course_id and not self.course.wod_links.filter(wod_id=self.wod_id).exists():
                raise ValidationError({"wod": "The WOD is not part of this course."})
        elif self.milestone_type in (MilestoneType.ASSESSMENT, MilestoneType.PROJECT):
            if not self.block_id:
                raise ValidationError({"block": "Choose the block."})
            allowed = ASSESSMENT_BLOCKS if self.milestone_type == MilestoneType.ASSESSMENT else PROJECT_BLOCKS
            if self.block.block_type not in allowed:
                names = ", ".join(sorted(allowed))
                raise ValidationError(
                    {"block": f"A {self.get_milestone_type_display()} needs a block of type {names}."}
                )
            if self.course_id and not self.course.wod_links.filter(wod_id=self.block.page.wod_id).exists():
                raise ValidationError({"block": "The block is not part of this course."})


class UserCourseMilestone(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_milestones"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    milestone = models.ForeignKey(CourseMilestone, on_delete=models.CASCADE, related_name="achievements")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    achieved_at = models.DateTimeField()
    score = models.FloatField(null=True, blank=True)
    points = models.PositiveIntegerField(default=0)
    evidence = schema_json_field(
        "progress",
        "milestone_evidence",
        default=dict,
        blank=True,
    )

    class Meta:
        ordering = ["achieved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "milestone"], name="progress_usermilestone_unique"),
        ]
        indexes = [models.Index(fields=["user", "course"], name="progress_usermilestone_course")]

    def __str__(self):
        return f"{self.user} reached {self.milestone}"


class Certificate(models.Model):
    """A course certificate; names are kept as issued so a later rename does not change it."""

    verification_id = models.UUIDField(
        "verification id",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Anyone may verify it by this id.",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="certificates")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    learner_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=200)
    community_name = models.CharField(max_length=200)
    issued_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    points = models.PositiveIntegerField(default=0, help_text="Milestone points earned in the course.")

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="progress_certificate_unique")]

    def __str__(self):
        return f"{self.course_title} - {self.learner_name}"
