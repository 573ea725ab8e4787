"""Learning content, edited in the admin: Program > Course > WOD > Page > Block.

Courses are ordered inside programs (``ProgramCourse``) and WODs inside courses (``CourseWod``);
both are many-to-many, so one WOD can serve several courses and one course several programs.
Pages belong to one WOD and blocks to one page. Only ``published`` programs, courses and WODs
and ``is_published`` pages and blocks count towards progress.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django_jsonform.models.fields import JSONField

from config.fields import Level
from config.jsonschemas import load_schema, schema_json_field, validate_with_schema
from config.scheduling import ScheduledPublishing, in_window_q

from .community import Community


class PublishStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


Difficulty = Level


class PrerequisiteMode(models.TextChoices):
    ALL = "all", "All rules must be met"
    ANY = "any", "Any one rule is enough"


class ContentQuerySet(models.QuerySet):
    def published(self):
        """Published and inside its publishing window (see config/scheduling.py)."""
        return self.filter(in_window_q(), status=PublishStatus.PUBLISHED)

    def visible_to(self, user):
        """Published content of the communities ``user`` is a member of."""
        if not user or not user.is_authenticated:
            return self.none()
        return self.published().filter(community__memberships__user=user)


class ContentNode(ScheduledPublishing):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    title = models.CharField("title", max_length=200)
    description = models.TextField("description", blank=True)
    status = models.CharField(
        "status",
        max_length=20,
        choices=PublishStatus.choices,
        default=PublishStatus.DRAFT,
        help_text="Only published content is shown to learners and counts towards progress.",
    )
    difficulty = models.CharField(
        "difficulty", max_length=20, choices=Difficulty.choices, default=Difficulty.BEGINNER
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta(ScheduledPublishing.Meta):
        abstract = True
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == PublishStatus.PUBLISHED


class Program(ContentNode):
    """An ordered sequence of courses, optionally leading to a certificate."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="programs")
    estimated_duration_hours = models.PositiveIntegerField(
        "estimated duration (hours)", null=True, blank=True
    )
    certification_available = models.BooleanField(
        "certificate available", default=False, help_text="Completing the program earns a certificate."
    )
    courses = models.ManyToManyField("Course", through="ProgramCourse", related_name="programs")

    class Meta(ContentNode.Meta):
        indexes = [models.Index(fields=["community", "status"], name="progress_program_comm")]


class Course(ContentNode):
    """An ordered sequence of WODs."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="courses")
    estimated_duration_minutes = models.PositiveIntegerField(
        "estimated duration (minutes)", null=True, blank=True
    )
    certification_available = models.BooleanField("certificate available", default=False)
    prerequisite_mode = models.CharField(
        "prerequisite mode",
        max_length=10,
        choices=PrerequisiteMode.choices,
        default=PrerequisiteMode.ALL,
        help_text="Whether all prerequisite rules or any one of them must be met to start this course.",
    )
    wods = models.ManyToManyField("Wod", through="CourseWod", related_name="courses")

    class Meta(ContentNode.Meta):
        indexes = [models.Index(fields=["community", "status"], name="progress_course_comm")]


class Wod(ContentNode):
    """A workout of the day: ordered pages of blocks. Older clients call it a mission."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="wods")
    duration_minutes = models.PositiveIntegerField("duration (minutes)", null=True, blank=True)
    categories = schema_json_field(
        "progress",
        "wod_categories",
        "categories",
        default=list,
        blank=True,
        help_text="Topic tags, e.g. prompting, automation.",
    )
    prerequisite_mode = models.CharField(
        "prerequisite mode",
        max_length=10,
        choices=PrerequisiteMode.choices,
        default=PrerequisiteMode.ALL,
        help_text="Whether all prerequisite rules or any one of them must be met to start this WOD.",
    )

    class Meta(ContentNode.Meta):
        verbose_name = "WOD"
        verbose_name_plural = "WODs"
        indexes = [models.Index(fields=["community", "status"], name="progress_wod_comm")]


class ProgramCourse(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="course_links")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="program_links")
    order = models.PositiveIntegerField(
        "order", default=0, help_text="Position of the course in the program."
    )

    class Meta:
        ordering = ["program", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "course"], name="progress_programcourse_unique"),
        ]

    def __str__(self):
        return f"{self.program} #{self.order}: {self.course}"

    def clean(self):
        if self.program_id and self.course_id and self.program.community_id != self.course.community_id:
            raise ValidationError({"course": "The course belongs to another community."})


class CourseWod(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="wod_links")
    wod = models.ForeignKey(Wod, on_delete=models.CASCADE, related_name="course_links")
    order = models.PositiveIntegerField("order", default=0, help_text="Position of the WOD in the course.")

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "wod"], name="progress_coursewod_unique"),
        ]
        verbose_name = "course WOD"

    def __str__(self):
        return f"{self.course} #{self.order}: {self.wod}"

    def clean(self):
        if self.course_id and self.wod_id and self.course.community_id != self.wod.community_id:
            raise ValidationError({"wod": "The WOD belongs to another community."})


class Page(models.Model):
    wod = models.ForeignKey(Wod, on_delete=models.CASCADE, related_name="pages")
    title = models.CharField("title", max_length=200)
    order = models.PositiveIntegerField("order", default=0, help_text="Position of the page in the WOD.")
    is_published = models.BooleanField("published", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["wod", "order", "id"]
        indexes = [models.Index(fields=["wod", "order"], name="progress_page_wod_order")]

    def __str__(self):
        return f"{self.wod} / {self.title}"


class BlockType(models.TextChoices):
    VIDEO = "video", "Video"
    AGENT = "agent", "AI agent conversation"
    QUIZ = "quiz", "Quiz"
    RICH_TEXT = "rich_text", "Rich text"
    SECTION_HEADER = "section_header", "Section header"
    DOCUMENT = "document", "Document"
    LIST = "list", "List"
    DIVIDER = "divider", "Divider"
    ACCORDION = "accordion", "Accordion"
    PROMPT = "prompt", "Prompt (written answer)"
    USER_SUBMISSION = "user_submission", "User submission"
    IMAGE = "image", "Image"
    CALLOUT = "callout", "Callout"


class CompletionRule(models.TextChoices):
    """How a block of each type completes (see ``BLOCK_RULES``)."""

    NONE = "none", "Structural: not completable"
    VIEW = "view", "Completes when viewed"
    WATCH = "watch", "Completes at a watched share"
    QUIZ = "quiz", "Completes on submission; mastered at a score threshold"
    SUBMIT = "submit", "Completes when submitted"
    INTERACT = "interact", "Completes when the conversation is completed or submitted"


BLOCK_RULES = {
    BlockType.VIDEO: CompletionRule.WATCH,
    BlockType.AGENT: CompletionRule.INTERACT,
    BlockType.QUIZ: CompletionRule.QUIZ,
    BlockType.RICH_TEXT: CompletionRule.VIEW,
    BlockType.SECTION_HEADER: CompletionRule.NONE,
    BlockType.DOCUMENT: CompletionRule.VIEW,
    BlockType.LIST: CompletionRule.VIEW,
    BlockType.DIVIDER: CompletionRule.NONE,
    BlockType.ACCORDION: CompletionRule.VIEW,
    BlockType.PROMPT: CompletionRule.SUBMIT,
    BlockType.USER_SUBMISSION: CompletionRule.SUBMIT,
    BlockType.IMAGE: CompletionRule.VIEW,
    BlockType.CALLOUT: CompletionRule.NONE,
}


def block_content_schema(instance=None):
    """The JSON Schema for a block's content: the file ``schemas/block_<type>.json`` of its type."""
    block_type = getattr(instance, "block_type", None)
    if block_type in BLOCK_RULES:
        return load_schema("progress", f"block_{block_type}")
    return {"type": "object", "title": "Save the block with a type first to edit its content.", "keys": {}}


class Block(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="blocks")
    block_type = models.CharField("type", max_length=30, choices=BlockType.choices)
    title = models.CharField("title", max_length=200, blank=True)
    order = models.PositiveIntegerField("order", default=0, help_text="Position of the block on the page.")
    content = JSONField(
        "content",
        default=dict,
        blank=True,
        schema=block_content_schema,
        help_text="Validated against the schema of the block's type (progress/schemas/block_<type>.json).",
    )
    required = models.BooleanField(
        "required",
        default=True,
        help_text="Optional blocks never block completion of their page, WOD or course.",
    )
    is_published = models.BooleanField("published", default=True)
    completion_threshold = models.FloatField(
        "completion threshold",
        null=True,
        blank=True,
        help_text="Videos: share watched (0-1) that completes the block. Empty: the platform default.",
    )
    mastery_threshold = models.FloatField(
        "mastery threshold",
        null=True,
        blank=True,
        help_text="Quizzes: score (0-1) at which the block is mastered. Empty: the platform default.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["page", "order", "id"]
        indexes = [models.Index(fields=["page", "order"], name="progress_block_page_order")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completion_threshold__isnull=True)
                | models.Q(completion_threshold__gte=0, completion_threshold__lte=1),
                name="progress_block_completion_threshold_range",
            ),
            models.CheckConstraint(
                condition=models.Q(mastery_threshold__isnull=True)
                | models.Q(mastery_threshold__gte=0, mastery_threshold__lte=1),
                name="progress_block_mastery_threshold_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_block_type_display()}: {self.title or self.pk}"

    @property
    def completion_rule(self) -> str:
        return BLOCK_RULES[self.block_type]

    @property
    def completable(self) -> bool:
        return BLOCK_RULES.get(self.block_type, CompletionRule.NONE) != CompletionRule.NONE

    @property
    def masterable(self) -> bool:
        return BLOCK_RULES.get(self.block_type) == CompletionRule.QUIZ

    def clean(self):
        if self.block_type in BLOCK_RULES:
            validate_with_schema(block_content_schema(self), self.content, field="content")


class Prerequisite(models.Model):
    """A rule that must hold before a learner may start a course or a WOD.

    Exactly one of ``course`` / ``wod`` is the gated item, and exactly one of
    ``required_course`` / ``required_wod`` the node the learner must have progressed in: at least
    ``min_percent`` complete, or mastered when ``require_mastered`` is set. The gated item's
    ``prerequisite_mode`` says whether all of its rules or any one must hold.
    """

    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.CASCADE, related_name="prerequisites"
    )
    wod = models.ForeignKey(
        Wod, null=True, blank=True, on_delete=models.CASCADE, related_name="prerequisites"
    )
    required_course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="requires course",
    )
    required_wod = models.ForeignKey(
        Wod, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="requires WOD"
    )
    min_percent = models.PositiveSmallIntegerField(
        "at least (% complete)", default=100, help_text="0-100; ignored when mastery is required."
    )
    require_mastered = models.BooleanField("require mastered", default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(course__isnull=False) & models.Q(wod__isnull=True))
                | (models.Q(course__isnull=True) & models.Q(wod__isnull=False)),
                name="progress_prerequisite_one_target",
            ),
            models.CheckConstraint(
                condition=(models.Q(required_course__isnull=False) & models.Q(required_wod__isnull=True))
                | (models.Q(required_course__isnull=True) & models.Q(required_wod__isnull=False)),
                name="progress_prerequisite_one_requirement",
            ),
            models.CheckConstraint(
                condition=models.Q(min_percent__lte=100), name="progress_prerequisite_percent"
            ),
        ]

    def __str__(self):
        target = self.course or self.wod
        required = self.required_course or self.required_wod
        what = "mastered" if self.require_mastered else f"{self.min_percent}% complete"
        return f"{target} requires {required} {what}"

    def clean(self):
        target = self.course if self.course_id else self.wod if self.wod_id else None
        required = (
            self.required_course
            if self.required_course_id
            else self.required_wod
            if self.required_wod_id
            else None
        )
        if target is None or required is None:
            raise ValidationError(
                "Choose exactly one gated course or WOD and exactly one required course or WOD."
            )
        if target.community_id != required.community_id:
            raise ValidationError("The required node belongs to another community.")
        if type(target) is type(required) and target.pk == required.pk:
            raise ValidationError("A node cannot require itself.")
        if self._creates_cycle(target, required):
            raise ValidationError(f"{required} already requires {target} (directly or through other rules).")

    @staticmethod
    def _key(node) -> tuple[str, int]:
        return ("course" if isinstance(node, Course) else "wod", node.pk)

    def _creates_cycle(self, target, required) -> bool:
        """Would ``target`` requiring ``required`` close a loop of rules (nobody could start)?"""
        edges: dict[tuple[str, int], list[tuple[str, int]]] = {}
        rules = Prerequisite.objects.filter(
            models.Q(course__community_id=target.community_id)
            | models.Q(wod__community_id=target.community_id)
        ).exclude(pk=self.pk)
        for course_id, wod_id, req_course, req_wod in rules.values_list(
            "course_id", "wod_id", "required_course_id", "required_wod_id"
        ):
            source = ("course", course_id) if course_id else ("wod", wod_id)
            edges.setdefault(source, []).append(("course", req_course) if req_course else ("wod", req_wod))
        goal, stack, seen = self._key(target), [self._key(required)], set()
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
        return False
