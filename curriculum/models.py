"""Curricula, steps and their Plan A/B/C/D alternatives, outcomes and smart plan selection.

Content (edited by content designers in the admin): ``Curriculum`` > ordered ``Step`` > ordered
``Alternative`` (Plan A is the first). Learner data: ``Enrollment`` > ``EnrollmentStep`` (the
current alternative and state of one step), the append-only ``OutcomeEvent`` history and the
``AlternativeStat`` counters per (alternative, trait segment) that the ranking reads.
"""

import jsonschema
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from config.jsonschemas import schema_json_field
from config.scheduling import ScheduledPublishing, in_window_q

from .selection import POLICY_CHOICES

ALL_LEARNERS = "*"
# Slugs that would shadow API paths under /api/v1/curricula/.
RESERVED_SLUGS = {"enrollments"}


def default_trait_schema():
    return {"type": "object", "properties": {}, "additionalProperties": False}


def default_content():
    return {"instructions": []}


class CurriculumQuerySet(models.QuerySet):
    def published(self):
        """Published and inside its publishing window (see config/scheduling.py)."""
        return self.filter(in_window_q(), status=Curriculum.Status.PUBLISHED)

    def visible_to(self, user):
        """Published curricula; staff also see drafts (to preview them through the API)."""
        return self if getattr(user, "is_staff", False) else self.published()


class Curriculum(ScheduledPublishing):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField("slug", max_length=80, unique=True, help_text="Used in API paths.")
    title = models.CharField("title", max_length=200)
    description = models.TextField("description", blank=True)
    status = models.CharField(
        "status",
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Only published curricula are offered to learners.",
    )
    published_at = models.DateTimeField("published at", null=True, blank=True, editable=False)
    learner_noun = models.CharField(
        "learners are called",
        max_length=40,
        default="learners",
        help_text='Plural noun used in explanations, e.g. "dogs" ("Dogs with high energy succeeded ...").',
    )
    selection_policy = models.CharField(
        "plan selection",
        max_length=16,
        blank=True,
        choices=POLICY_CHOICES,
        help_text="How plans are suggested to learners. Blank: the site default "
        "(CURRICULUM_SELECTION_POLICY). Optimistic and Thompson sampling sometimes suggest a plan "
        "with little evidence to learn whether it works better; never one the match rules exclude.",
    )
    trait_schema = schema_json_field(
        "curriculum",
        "trait_schema",
        "learner trait schema",
        default=default_trait_schema,
        help_text="JSON Schema for the traits a learner gives when enrolling. Traits marked "
        "'segment' split the outcome statistics (e.g. energy_level=high).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CurriculumQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name_plural = "curricula"

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def segment_traits(self) -> list[str]:
        """Names of the traits that split statistics, sorted (the segment key's order)."""
        properties = (self.trait_schema or {}).get("properties", {})
        return sorted(name for name, spec in properties.items() if spec.get("x-segment"))

    def segment_for(self, traits: dict) -> str:
        """The learner's trait segment: ``"energy_level=high&food_motivation=low"``; ``""`` when
        the learner gives none of the segmenting traits."""
        parts = []
        for name in self.segment_traits():
            if name in (traits or {}) and traits[name] is not None:
                value = traits[name]
                value = str(value).lower() if isinstance(value, bool) else str(value)
                parts.append(f"{name}={value}")
        return "&".join(parts)

    def describe_segment(self, segment: str) -> str:
        """Words for a segment: ``"high energy and low food motivation"``."""
        if not segment or segment == ALL_LEARNERS:
            return f"all {self.learner_noun}"
        properties = (self.trait_schema or {}).get("properties", {})
        words = []
        for part in segment.split("&"):
            name, _, value = part.partition("=")
            spec = properties.get(name, {})
            label = (spec.get("x-segment-labels") or {}).get(value)
            words.append(label or f"{(spec.get('title') or name.replace('_', ' ')).lower()} {value}")
        return " and ".join(words)

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"{self.slug!r} is reserved for API paths."})
        schema = self.trait_schema or {}
        try:
            jsonschema.validators.validator_for(schema).check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise ValidationError({"trait_schema": f"Not a valid JSON Schema: {exc.message}"}) from exc
        for name, spec in schema.get("properties", {}).items():
            if spec.get("x-segment") and not (spec.get("enum") or spec.get("type") == "boolean"):
                raise ValidationError(
                    {
                        "trait_schema": f"Trait {name!r} can only segment statistics if it has allowed "
                        "values (enum) or is a boolean."
                    }
                )


class Step(models.Model):
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="steps")
    order = models.IntegerField(
        "order",
        validators=[MinValueValidator(1)],
        help_text="Position in the curriculum, from 1. Learners address steps by it.",
    )
    title = models.CharField("title", max_length=200)
    goal = models.TextField("goal", blank=True, help_text="What the learner is working towards.")
    success_criteria = models.TextField(
        "success criteria", blank=True, help_text="How the learner knows the step succeeded."
    )

    class Meta:
        ordering = ["curriculum", "order"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "order"], name="curriculum_step_unique_order"),
        ]

    def __str__(self):
        return f"{self.curriculum} · {self.order}. {self.title}"


class AlternativeQuerySet(models.QuerySet):
    def offered(self):
        return self.filter(is_active=True)


class Alternative(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="alternatives")
    order = models.IntegerField(
        "order",
        validators=[MinValueValidator(1)],
        help_text="Designer order: Plan A is the first. Breaks ranking ties.",
    )
    code = models.CharField(
        "plan code",
        max_length=16,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{0,7}$", "Use capital letters, e.g. A, B, C.")],
        help_text='The plan id learners see and the API uses: "A", "B", "C" ...',
    )
    title = models.CharField("title", max_length=200)
    summary = models.TextField("summary", blank=True)
    content = schema_json_field(
        "curriculum",
        "alternative_content",
        "content",
        default=default_content,
        help_text="Instructions, duration, reward type, equipment, warning signs.",
    )
    match_rules = schema_json_field(
        "curriculum",
        "match_rules",
        "match rules",
        default=list,
        blank=True,
        help_text="Learners whose traits break a rule get this alternative ranked last.",
    )
    prior_success_rate = models.FloatField(
        "expected success rate",
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Designer's prior: the share of learners expected to succeed with it (0-1).",
    )
    prior_strength = models.FloatField(
        "prior strength",
        default=2.0,
        validators=[MinValueValidator(0.5), MaxValueValidator(1000.0)],
        help_text="How many learners' worth of evidence the prior is worth.",
    )
    is_active = models.BooleanField(
        "offered", default=True, help_text="Untick to retire it without losing its history."
    )

    objects = AlternativeQuerySet.as_manager()

    class Meta:
        ordering = ["step", "order"]
        constraints = [
            models.UniqueConstraint(fields=["step", "order"], name="curriculum_alternative_unique_order"),
            models.UniqueConstraint(fields=["step", "code"], name="curriculum_alternative_unique_code"),
        ]

    def __str__(self):
        return f"Plan {self.code}: {self.title}"

    def clean(self):
        super().clean()
        for index, rule in enumerate(self.match_rules or []):
            if rule.get("operator") in ("in", "not_in") and not rule.get("values"):
                raise ValidationError({"match_rules": f"Rule {index + 1}: 'in' / 'not in' need values."})
            if rule.get("operator") in ("at_least", "at_most") and rule.get("number") is None:
                raise ValidationError(
                    {"match_rules": f"Rule {index + 1}: 'at least' / 'at most' need a number."}
                )


class Enrollment(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="curriculum_enrollments"
    )
    curriculum = models.ForeignKey(Curriculum, on_delete=models.PROTECT, related_name="enrollments")
    traits = schema_json_field(
        "curriculum",
        "enrollment_traits",
        "traits",
        default=dict,
        blank=True,
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    current_step = models.ForeignKey(Step, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "curriculum"],
                condition=Q(state="active"),
                name="curriculum_one_active_enrollment",
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.curriculum} ({self.state})"


class EnrollmentStep(models.Model):
    """One learner's state on one step: the alternative they are on and how it went."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        STOPPED = "stopped", "Stopped"
        SUCCEEDED = "succeeded", "Succeeded"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="step_states")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    current_alternative = models.ForeignKey(
        Alternative, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    metadata = schema_json_field(
        "curriculum",
        "step_state_metadata",
        "metadata",
        default=dict,
        blank=True,
    )
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrollment", "step__order"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "step"], name="curriculum_enrollment_step_unique"),
        ]

    def __str__(self):
        return f"{self.enrollment_id} · step {self.step_id}: {self.state}"


class Outcome(models.TextChoices):
    SUCCESS = "SUCCESS", "Success"
    STOPPED = "STOPPED", "Stopped"
    SWAPPED = "SWAPPED", "Swapped"


class OutcomeEvent(models.Model):
    """Append-only history: every attempt and swap, never changed after it is written."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="history")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    alternative = models.ForeignKey(Alternative, on_delete=models.PROTECT, related_name="events")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    next_alternative = models.ForeignKey(
        Alternative, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    legacy_status = models.CharField(
        max_length=32, blank=True, help_text="The legacy status the client sent, e.g. SKIPPED_INEFFECTIVE."
    )
    segment = models.CharField(max_length=255, blank=True, help_text="The learner's trait segment then.")
    counted = models.BooleanField(
        default=True, help_text="Whether it concluded an attempt (counted in the statistics)."
    )
    client_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["enrollment", "step"], name="curriculum_event_enr_step"),
            models.Index(fields=["alternative", "segment"], name="curriculum_event_alt_segment"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "client_key"],
                condition=~Q(client_key=""),
                name="curriculum_event_unique_client_key",
            ),
            models.CheckConstraint(
                condition=Q(outcome="SWAPPED", next_alternative__isnull=False)
                | (~Q(outcome="SWAPPED") & Q(next_alternative__isnull=True)),
                name="curriculum_event_next_only_when_swapped",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment_id} · {self.outcome} · {self.alternative_id}"


class AlternativeStat(models.Model):
    """Counted attempts and successes of an alternative in one trait segment (``*`` = all)."""

    alternative = models.ForeignKey(Alternative, on_delete=models.CASCADE, related_name="stats")
    segment = models.CharField(max_length=255, help_text='"*" for all learners, else e.g. energy_level=high.')
    attempts = models.PositiveIntegerField(default=0)
    successes = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["alternative", "segment"]
        verbose_name = "outcome statistic"
        constraints = [
            models.UniqueConstraint(fields=["alternative", "segment"], name="curriculum_stat_unique_segment"),
            models.CheckConstraint(
                condition=Q(successes__lte=models.F("attempts")),
                name="curriculum_stat_successes_lte_attempts",
            ),
        ]

    def __str__(self):
        return f"{self.alternative} [{self.segment}] {self.successes}/{self.attempts}"

    @property
    def success_rate(self):
        return self.successes / self.attempts if self.attempts else None
