"""Conversation scenarios, their app-wide metadata and each user's progress.

Three tables with one concern each:

* ``Scenario``: the content a designer (or a user) writes. No metrics, no user data.
* ``ScenarioMetadata``: one row per scenario with the app-wide counters the rankings read.
  Counters only move through the single-statement conditional updates in ``services.py``;
  averages are derived from sums and counts, never kept as running floats.
* ``UserScenarioProgress``: one row per (user, scenario) with that user's journey.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast

from config.fields import Level
from config.jsonschemas import schema_json_field
from config.scheduling import ScheduledPublishing, in_window_q

from .scoring import TRENDING_EMPTY


class Role(models.TextChoices):
    TUTOR = "tutor", "Tutor"
    CHARACTER = "character", "Character"
    FRIEND = "friend", "Friend"
    EXPERT = "expert", "Expert"


Difficulty = Level


class CefrLevel(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"


def visible_scenario_q(user, prefix: str = "") -> Q:
    """Active scenarios that are public, or private ones ``user`` created; ``prefix`` is the
    lookup path from another model (e.g. ``"scenario__"``)."""
    visible = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if user is not None and user.is_authenticated:
        visible |= Q(**{f"{prefix}created_by": user})
    return visible & Q(**{f"{prefix}is_active": True}) & in_window_q(prefix)


# The scenario's columns the lists filter on, copied onto its metadata row (see ScenarioMetadata).
SCENARIO_FILTER_FIELDS = ("is_active", "role", "difficulty", "cefr_level")


def scenario_filter_copies(scenario) -> dict:
    """What the scenario's metadata row copies of it (a ``Scenario`` or a ``values()`` row)."""
    if isinstance(scenario, dict):
        return {name: scenario[name] for name in SCENARIO_FILTER_FIELDS}
    return {name: getattr(scenario, name) for name in SCENARIO_FILTER_FIELDS}


class ScenarioQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Active scenarios that are public, or private ones ``user`` created."""
        return self.filter(visible_scenario_q(user))


class Scenario(ScheduledPublishing):
    slug = models.SlugField(
        "slug",
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text="Stable text id for built-in scenarios (also the id legacy exports refer to).",
    )
    title = models.CharField("title", max_length=200)
    description = models.TextField("description", help_text="One or two sentences shown in lists.")
    role = models.CharField(
        "role", max_length=20, choices=Role.choices, help_text="Who the learner talks to."
    )
    difficulty = models.CharField("difficulty", max_length=20, choices=Difficulty.choices)

    instructions = models.TextField("instructions", help_text="What the learner is asked to do.")
    context = models.TextField("context", help_text="The situation the conversation takes place in.")
    expected_outcome = models.TextField("expected outcome", blank=True)
    learning_goal = models.TextField("learning goal", blank=True)
    learning_objectives = schema_json_field(
        "scenarios",
        "learning_objectives",
        "learning objectives",
        default=list,
        blank=True,
        help_text="What the learner should be able to do afterwards, one per entry.",
    )
    persona = schema_json_field(
        "scenarios",
        "persona",
        "persona",
        null=True,
        blank=True,
        help_text="The character the learner talks to.",
    )
    comfort_indicators = schema_json_field(
        "scenarios",
        "comfort_indicators",
        "comfort indicators",
        null=True,
        blank=True,
        help_text="Signs of comfort or struggle, and how the persona adapts.",
    )

    difficulty_rating = models.PositiveSmallIntegerField(
        "difficulty rating",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="1 (easiest) to 10 (hardest), finer than the difficulty band.",
    )
    cefr_level = models.CharField("CEFR level", max_length=2, choices=CefrLevel.choices, blank=True)
    cefr_recommendation = models.TextField(
        "CEFR recommendation", blank=True, help_text="Advice for learners at other levels."
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="created_scenarios",
        db_index=False,  # scenario_creator_idx
        verbose_name="created by",
        help_text="Empty for built-in scenarios.",
    )
    visibility = models.CharField(
        "visibility",
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        help_text="Private scenarios are visible only to their creator.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive scenarios are hidden from every list."
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "newest" ranking.
            models.Index(
                F("created_at").desc(),
                F("id").desc(),
                name="scenario_newest_idx",
                condition=Q(is_active=True),
            ),
            models.Index(fields=["created_by"], name="scenario_creator_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty_rating__isnull=True)
                | Q(difficulty_rating__gte=1, difficulty_rating__lte=10),
                name="scenario_difficulty_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="scenario_visibility_valid"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_built_in(self) -> bool:
        return self.created_by_id is None


def _ratio(numerator: str, denominator: str):
    return models.Case(
        models.When(
            **{f"{denominator}__gt": 0},
            then=Cast(F(numerator), models.FloatField()) / F(denominator),
        ),
        default=None,
        output_field=models.FloatField(),
    )


class ScenarioMetadata(models.Model):
    scenario = models.OneToOneField(
        Scenario, on_delete=models.CASCADE, primary_key=True, related_name="metadata"
    )
    saved_count = models.IntegerField("saved", default=0, help_text="Users who have it saved.")
    times_used = models.IntegerField("completions", default=0, help_text="Completions by all users.")
    attempts = models.IntegerField("attempts", default=0, help_text="Attempts by all users.")
    ratings_sum = models.BigIntegerField("sum of ratings", default=0)
    ratings_count = models.IntegerField("ratings", default=0)
    time_spent_total_s = models.BigIntegerField(
        "time spent (s)", default=0, help_text="Seconds reported with all completions."
    )
    bayesian_score = models.FloatField(
        "Bayesian rating",
        default=0.0,
        help_text="(C·m + sum) / (m + count); 0 until the first rating. Ranks top rated.",
    )
    trending_score = models.FloatField(
        "trending score (log2)",
        default=TRENDING_EMPTY,
        help_text="log2 of the forward-decayed usage; very negative until the first attempt.",
    )

    average_rating = models.GeneratedField(
        expression=_ratio("ratings_sum", "ratings_count"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name="average rating",
    )
    completion_rate = models.GeneratedField(
        expression=_ratio("times_used", "attempts"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name="completion rate",
    )
    average_time_spent_s = models.GeneratedField(
        expression=_ratio("time_spent_total_s", "times_used"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name="average time spent (s)",
    )

    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("last activity", auto_now=True)

    # Copies of the scenario's SCENARIO_FILTER_FIELDS, written with every change of the scenario
    # (services.scenario_metadata_ensure; the recount corrects any that differ). A filtered list
    # walks one ranking index of this table, checking the filters inside the index, instead of
    # visiting the scenario row of every ranked entry until a page matches.
    is_active = models.BooleanField("active", default=True, editable=False, help_text="The scenario's.")
    role = models.CharField(
        "role", max_length=20, choices=Role.choices, blank=True, editable=False, help_text="The scenario's."
    )
    difficulty = models.CharField(
        "difficulty",
        max_length=20,
        choices=Difficulty.choices,
        blank=True,
        editable=False,
        help_text="The scenario's.",
    )
    cefr_level = models.CharField(
        "CEFR level",
        max_length=2,
        choices=CefrLevel.choices,
        blank=True,
        editable=False,
        help_text="The scenario's.",
    )

    class Meta:
        verbose_name = "scenario metadata"
        verbose_name_plural = "scenario metadata"
        # One per ranking: the sort key and the tiebreak lead (a page is the first entries), the
        # filter columns follow (checked in the index, without visiting rows that do not match).
        indexes = [
            models.Index(F(key).desc(), F("scenario_id").desc(), *map(F, SCENARIO_FILTER_FIELDS), name=name)
            for key, name in (
                ("saved_count", "scenario_meta_saved_idx"),
                ("bayesian_score", "scenario_meta_rated_idx"),
                ("trending_score", "scenario_meta_trending_idx"),
            )
        ] + [
            models.Index(fields=["updated_at"], name="scenario_meta_activity_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    saved_count__gte=0,
                    times_used__gte=0,
                    attempts__gte=0,
                    ratings_sum__gte=0,
                    ratings_count__gte=0,
                    time_spent_total_s__gte=0,
                ),
                name="scenario_meta_counters_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(ratings_sum__gte=F("ratings_count"), ratings_sum__lte=F("ratings_count") * 5),
                name="scenario_meta_ratings_in_range",
            ),
        ]

    def __str__(self):
        return f"metadata of {self.scenario_id}"


class UserScenarioProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="scenario_progress",
        db_index=False,  # user_scenario_progress_unique leads with user
    )
    scenario = models.ForeignKey(
        Scenario,
        on_delete=models.CASCADE,
        related_name="progress",
        db_index=False,  # scenario_progress_idx
    )
    is_saved = models.BooleanField("saved", default=False)
    saved_at = models.DateTimeField("saved at", null=True, blank=True)
    times_attempted = models.IntegerField("attempts", default=0)
    times_completed = models.IntegerField("completions", default=0)
    last_attempt_at = models.DateTimeField("last attempt", null=True, blank=True)
    last_completed_at = models.DateTimeField("last completion", null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        "rating", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    notes = models.TextField("private notes", blank=True)
    total_time_spent_s = models.BigIntegerField("time spent (s)", default=0)
    variant_id = models.CharField(
        "experiment variant", max_length=64, blank=True, help_text="A/B experiment variant shown."
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "user scenario progress"
        verbose_name_plural = "user scenario progress"
        constraints = [
            # Also serves the seed's user_progress_idx (user_id leads).
            models.UniqueConstraint(fields=["user", "scenario"], name="user_scenario_progress_unique"),
            models.CheckConstraint(
                condition=Q(times_attempted__gte=0, times_completed__gte=0, total_time_spent_s__gte=0),
                name="user_scenario_progress_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(times_completed__lte=F("times_attempted")),
                name="user_scenario_progress_completed_le_attempted",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="user_scenario_progress_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(is_saved=False) | Q(saved_at__isnull=False),
                name="user_scenario_progress_saved_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["scenario"], name="scenario_progress_idx"),
            models.Index(fields=["user", "is_saved"], name="saved_scenarios_idx"),
            # "my saved scenarios", newest first, and co-saves for "similar".
            models.Index(fields=["user", "-saved_at"], name="user_saved_at_idx", condition=Q(is_saved=True)),
            models.Index(fields=["scenario", "user"], name="scenario_savers_idx", condition=Q(is_saved=True)),
        ]

    def __str__(self):
        return f"{self.user_id} on {self.scenario_id}"


class LegacyImportedRow(models.Model):
    """A row of the old ``scenario_attempts`` / ``scenario_outcomes`` exports already imported.

    The import adds only rows it has not seen, so running it again changes nothing.
    """

    class Source(models.TextChoices):
        ATTEMPT = "attempt", "scenario_attempts"
        OUTCOME = "outcome", "scenario_outcomes"

    source = models.CharField("source table", max_length=10, choices=Source.choices)
    legacy_id = models.CharField("id in the old table", max_length=64)
    imported_at = models.DateTimeField("imported at", auto_now_add=True)

    class Meta:
        verbose_name = "imported legacy row"
        constraints = [
            models.UniqueConstraint(fields=["source", "legacy_id"], name="legacy_imported_row_unique")
        ]

    def __str__(self):
        return f"{self.source} {self.legacy_id}"
