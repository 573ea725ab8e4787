"""Learner-side state: enrollments, block progress, the roll-ups and the xAPI event log.

``BlockProgress`` is the leaf state, one row per (user, block). ``NodeProgress`` holds the
roll-up of one learner on one page, WOD, course or program, kept current by deltas in the same
transaction as the block change (``progress.services.ingest``) and recomputable from the leaves
(``recompute_progress``). ``ProgressEvent`` is the append-only log, one row per accepted event,
shaped like an xAPI statement.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from config.jsonschemas import schema_json_field

from .community import Community
from .content import Block, Course, Program, Wod


class NodeType(models.TextChoices):
    PROGRAM = "program", "Program"
    COURSE = "course", "Course"
    WOD = "wod", "WOD"
    PAGE = "page", "Page"


class BlockState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    MASTERED = "mastered", "Mastered"


BLOCK_STATE_RANK = {
    BlockState.NOT_STARTED: 0,
    BlockState.IN_PROGRESS: 1,
    BlockState.COMPLETED: 2,
    BlockState.MASTERED: 3,
}


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    PAUSED = "paused", "Paused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ProgressVerb(models.TextChoices):
    VIEWED = "viewed", "viewed"
    PROGRESSED = "progressed", "progressed"
    COMPLETED = "completed", "completed"
    ANSWERED = "answered", "answered"
    SUBMITTED = "submitted", "submitted"


class LearnerState(models.Model):
    """One row per learner; ingest and recompute lock it (``SELECT ... FOR UPDATE``) so a
    learner's progress changes one transaction at a time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="learner_state"
    )
    events_count = models.PositiveBigIntegerField(default=0)
    rollup_version = models.PositiveBigIntegerField(
        default=0, help_text="Bumped whenever the learner's roll-ups change; keys the cached progress trees."
    )
    last_event_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"learner state of {self.user_id}"


class EnrollmentBase(models.Model):
    registration = models.UUIDField(
        "registration",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="xAPI context.registration.",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    completion_percent = models.FloatField(default=0)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    certificate_issued_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-enrolled_at", "-id"]


class ProgramEnrollment(EnrollmentBase):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_enrollments"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="program_enrollments")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    current_course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(EnrollmentBase.Meta):
        constraints = [
            models.UniqueConstraint(fields=["user", "program"], name="progress_programenrollment_unique")
        ]
        indexes = [models.Index(fields=["community", "status"], name="progress_progenr_comm")]

    def __str__(self):
        return f"{self.user} in {self.program}"


class CourseEnrollment(EnrollmentBase):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_enrollments"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="course_enrollments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    program_enrollment = models.ForeignKey(
        ProgramEnrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="course_enrollments"
    )
    current_wod = models.ForeignKey(Wod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta(EnrollmentBase.Meta):
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="progress_courseenrollment_unique")
        ]
        indexes = [models.Index(fields=["community", "status"], name="progress_courseenr_comm")]

    def __str__(self):
        return f"{self.user} in {self.course}"


RATING = [MinValueValidator(1), MaxValueValidator(5)]


class BlockProgress(models.Model):
    """A learner's state on one block. States only move forward; the best score is kept."""

    # user and community lookups use the composite indexes below; no single-column FK indexes.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="block_progress", db_index=False
    )
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="progress")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", db_index=False)
    state = models.CharField(max_length=20, choices=BlockState.choices, default=BlockState.NOT_STARTED)
    progress = models.FloatField(default=0, help_text="Furthest share reached (0-1), e.g. of a video.")
    time_spent_s = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    interaction_count = models.PositiveIntegerField(default=0)
    retry_count = models.PositiveIntegerField(default=0)
    mastery_score = models.FloatField(null=True, blank=True, help_text="Best score (0-1).")
    last_score = models.FloatField(null=True, blank=True)
    interaction_data = schema_json_field(
        "progress",
        "interaction_data",
        default=dict,
        blank=True,
    )
    difficulty_rating = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    confidence_level = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    first_interaction_at = models.DateTimeField(null=True, blank=True)
    last_interaction_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    mastered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "block progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "block"], name="progress_blockprogress_unique"),
            models.CheckConstraint(
                condition=models.Q(difficulty_rating__isnull=True)
                | models.Q(difficulty_rating__gte=1, difficulty_rating__lte=5),
                name="progress_blockprogress_difficulty_range",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence_level__isnull=True)
                | models.Q(confidence_level__gte=1, confidence_level__lte=5),
                name="progress_blockprogress_confidence_range",
            ),
        ]
        indexes = [models.Index(fields=["community", "user"], name="progress_blockprog_comm_user")]

    def __str__(self):
        return f"{self.user_id} on block {self.block_id}: {self.state}"


# A roll-up's value columns, in the order the set-based writes (progress/sql.py) and the
# plain-SQL reads (selectors/progress.py) use them.
ROLLUP_VALUE_FIELDS = (
    "required_total",
    "required_done",
    "masterable_total",
    "mastered",
    "optional_done",
    "time_spent_s",
    "percent",
    "state",
    "completed_at",
    "last_activity_at",
)


class NodeProgress(models.Model):
    """Roll-up of one learner on one page, WOD, course or program.

    ``percent`` = required_done / required_total (100 when there is nothing required: an empty
    container is complete). ``mastered`` counts mastered required quiz-like blocks out of
    ``masterable_total``. Optional blocks only count in ``optional_done``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="node_progress", db_index=False
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", db_index=False)
    node_type = models.CharField(max_length=10, choices=NodeType.choices)
    node_id = models.BigIntegerField()
    required_total = models.PositiveIntegerField(default=0)
    required_done = models.PositiveIntegerField(default=0)
    masterable_total = models.PositiveIntegerField(default=0)
    mastered = models.PositiveIntegerField(default=0)
    optional_done = models.PositiveIntegerField(default=0)
    time_spent_s = models.DecimalField(max_digits=16, decimal_places=3, default=0)
    percent = models.FloatField(default=0)
    state = models.CharField(max_length=20, choices=BlockState.choices, default=BlockState.NOT_STARTED)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "node progress"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "node_type", "node_id"], name="progress_nodeprogress_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "community"], name="progress_nodeprog_user_comm"),
            models.Index(fields=["node_type", "node_id"], name="progress_nodeprog_node"),
            models.Index(fields=["community", "node_type", "completed_at"], name="progress_nodeprog_comm"),
        ]

    def __str__(self):
        return f"{self.user_id} on {self.node_type} {self.node_id}: {self.percent}%"


class ProgressEvent(models.Model):
    """Append-only log of accepted learning events, one xAPI statement each.

    actor = ``user``; verb = ``verb``; object = ``block``; result = ``score`` (scaled 0-1),
    ``success``, ``completion``, ``time_spent_s`` (ISO 8601 duration on export); context =
    ``registration`` (the enrollment) and ``context`` (the parent page, WOD, courses, programs).
    """

    statement_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_events", db_index=False
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", db_index=False)
    block = models.ForeignKey(Block, null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=20, choices=ProgressVerb.choices)
    idempotency_key = models.CharField(max_length=100)
    time_spent_s = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    progress = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    success = models.BooleanField(null=True, blank=True)
    completion = models.BooleanField(null=True, blank=True)
    state_after = models.CharField(max_length=20, choices=BlockState.choices)
    registration = models.UUIDField(null=True, blank=True)
    context = schema_json_field(
        "progress",
        "event_context",
        default=dict,
        blank=True,
    )
    occurred_at = models.DateTimeField()
    stored_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["stored_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="progress_event_idempotency"),
        ]
        indexes = [
            models.Index(fields=["community", "occurred_at"], name="progress_event_comm_time"),
            models.Index(fields=["user", "occurred_at"], name="progress_event_user_time"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.verb} block {self.block_id}"
