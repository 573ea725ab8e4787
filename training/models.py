"""Runner profiles, activities, training plans (season, week, day) and planned sessions.

* ``RunnerProfile``: what the generator needs to know about a runner (one per user).
* ``Activity``: a run or ruck the runner did (typed in, imported from a watch file or sent by a client).
* ``TrainingPlan``: the coaching plan, with its three zoom levels (``season_view``, ``weekly_plan`` and
  the sessions) and the generator's decisions and safeguard applications, each JSON field validated by
  a schema file in ``schemas/``.
* ``PlannedSession``: one day's session of a plan, the single source of truth for what is scheduled
  and whether it was done.
"""

import datetime as dt
import hashlib
import secrets
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac

from config.fields import (
    Level,
    TimeZoneField,
    validate_time_zone,  # noqa: F401  (named by migration 0001)
)
from config.jsonschemas import schema_json_field
from config.timezones import aware_local, local_date, local_day_bounds

ExperienceLevel = Level


class Weekday(models.TextChoices):
    MON = "mon", "Monday"
    TUE = "tue", "Tuesday"
    WED = "wed", "Wednesday"
    THU = "thu", "Thursday"
    FRI = "fri", "Friday"
    SAT = "sat", "Saturday"
    SUN = "sun", "Sunday"


WEEKDAYS = [choice.value for choice in Weekday]  # index == date.weekday()


class RunnerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="runner_profile",
        verbose_name="user",
    )
    experience_level = models.CharField(
        "experience level",
        max_length=20,
        choices=ExperienceLevel.choices,
        default=ExperienceLevel.BEGINNER,
    )
    recent_weekly_km = models.FloatField(
        "recent weekly km",
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(300)],
        help_text="Average weekly distance of the last four weeks, in kilometres.",
    )
    longest_recent_run_km = models.FloatField(
        "longest run in the last 30 days (km)",
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(120)],
    )
    recent_race_distance_m = models.FloatField(
        "recent race distance (m)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1500), MaxValueValidator(42195)],
        help_text="Metres; a half marathon is 21097.5, a marathon 42195.",
    )
    recent_race_time_s = models.PositiveIntegerField(
        "recent race time (s)", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    recent_race_date = models.DateField("recent race date", null=True, blank=True)
    available_days = schema_json_field(
        "training",
        "available_days",
        "available days",
        default=list,
        blank=True,
        help_text="Weekdays the runner can train on.",
    )
    long_run_day = models.CharField(
        "long run day", max_length=3, choices=Weekday.choices, default=Weekday.SUN
    )
    cross_training_days = schema_json_field(
        "training",
        "available_days",
        "cross-training days",
        default=list,
        blank=True,
        help_text="Non-running days the runner can cycle, swim or use an elliptical on.",
    )
    min_rest_days = models.PositiveSmallIntegerField(
        "minimum rest days per week", default=1, validators=[MaxValueValidator(6)]
    )
    injury_notes = models.TextField("injury notes", blank=True)
    preferred_start_time = models.TimeField(
        "preferred start time",
        null=True,
        blank=True,
        help_text="Local wall-clock time new sessions start at; empty for all-day sessions.",
    )
    time_zone = TimeZoneField(
        help_text="IANA name, e.g. Europe/Berlin: the zone sessions are planned in.",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "runner profile"

    def __str__(self):
        return f"Runner profile of {self.user}"

    @property
    def recent_race(self) -> dict | None:
        if not (self.recent_race_distance_m and self.recent_race_time_s):
            return None
        return {
            "distance_m": self.recent_race_distance_m,
            "time_s": self.recent_race_time_s,
            "date": self.recent_race_date,
        }

    def clean(self):
        race = [self.recent_race_distance_m, self.recent_race_time_s]
        if any(v is not None for v in race) and not all(v is not None for v in race):
            raise ValidationError(
                {"recent_race_time_s": "A recent race needs both its distance and its time."}
            )
        if self.available_days and self.long_run_day not in self.available_days:
            raise ValidationError({"long_run_day": "The long run day must be one of the available days."})


class ActivityKind(models.TextChoices):
    RUN = "run", "Run"
    RUCK = "ruck", "Ruck"


class ActivitySource(models.TextChoices):
    MANUAL = "manual", "Typed in"
    GPX = "gpx", "GPX file"
    TCX = "tcx", "TCX file"
    FIT = "fit", "FIT file"
    API = "api", "Client app"


class Activity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,  # training_act_user_start_idx
        verbose_name="user",
    )
    kind = models.CharField("kind", max_length=10, choices=ActivityKind.choices, default=ActivityKind.RUN)
    started_at = models.DateTimeField("started at", help_text="Stored in UTC.")
    duration_s = models.PositiveIntegerField(
        "duration (s)", validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 3600)]
    )
    distance_m = models.PositiveIntegerField("distance (m)", validators=[MaxValueValidator(1_000_000)])
    avg_heart_rate = models.PositiveSmallIntegerField(
        "average heart rate",
        null=True,
        blank=True,
        validators=[MinValueValidator(25), MaxValueValidator(250)],
    )
    max_heart_rate = models.PositiveSmallIntegerField(
        "maximum heart rate",
        null=True,
        blank=True,
        validators=[MinValueValidator(25), MaxValueValidator(250)],
    )
    elevation_gain_m = models.PositiveIntegerField("elevation gain (m)", null=True, blank=True)
    avg_cadence = models.PositiveSmallIntegerField(
        "average cadence (steps/min)",
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(300)],
        help_text="Steps a minute, both feet (watches write strides a minute per foot: twice that).",
    )
    perceived_effort = models.PositiveSmallIntegerField(
        "perceived effort",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="1 (very easy) to 10 (maximal).",
    )
    source = models.CharField(
        "source", max_length=10, choices=ActivitySource.choices, default=ActivitySource.MANUAL
    )
    time_zone = TimeZoneField(
        help_text="IANA name of the zone where it happened.",
    )
    fingerprint = models.CharField(
        "file fingerprint",
        max_length=64,
        blank=True,
        default="",
        help_text="SHA-256 of an imported file, so the same file is recorded once.",
    )
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("created at", auto_now_add=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "started_at"], name="training_act_user_start_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "fingerprint"],
                condition=~Q(fingerprint=""),
                name="training_activity_unique_file",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.distance_m / 1000:.1f} km on {self.started_at:%Y-%m-%d}"

    @property
    def local_date(self) -> dt.date:
        return local_date(self.started_at, ZoneInfo(self.time_zone))

    @property
    def pace_s_per_km(self) -> int | None:
        return round(self.duration_s / (self.distance_m / 1000)) if self.distance_m else None


class ArchiveStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def archive_upload_to(instance, filename) -> str:
    """A random name under MEDIA_ROOT: the runner's file name is only a label, never a path."""
    return f"activity-archives/{uuid.uuid4().hex}.zip"


class ActivityArchiveImport(models.Model):
    """A runner's whole history uploaded at once (a Strava or Garmin Connect export), imported by a
    task entry by entry; the counters and lists are its report."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activity_archives",
        db_index=False,  # training_archive_user_idx
        verbose_name="runner",
    )
    status = models.CharField(
        "status", max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED
    )
    archive = models.FileField(
        "archive",
        upload_to=archive_upload_to,
        blank=True,
        help_text="The uploaded zip, under MEDIA_ROOT; deleted once it has been imported.",
    )
    name = models.CharField("file name", max_length=200, blank=True, help_text="As uploaded; a label only.")
    size_bytes = models.PositiveBigIntegerField("size (bytes)", default=0)
    total = models.PositiveIntegerField("activity files", default=0)
    processed = models.PositiveIntegerField(
        "files processed", default=0, help_text="Entries done so far; a task run again resumes after them."
    )
    imported = models.PositiveIntegerField("imported", default=0)
    duplicates = models.PositiveIntegerField("duplicates", default=0, help_text="Files imported before.")
    refused = schema_json_field("training", "archive_refused", "refused files", default=list, blank=True)
    warnings = schema_json_field("training", "archive_warnings", "warnings", default=list, blank=True)
    error = models.CharField(
        "error", max_length=500, blank=True, help_text="Why the whole archive failed, when it did."
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    started_at = models.DateTimeField("started at", null=True, blank=True)
    finished_at = models.DateTimeField("finished at", null=True, blank=True)

    class Meta:
        verbose_name = "activity archive import"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="training_archive_user_idx")]

    def __str__(self):
        return f"{self.name or 'Archive'} of {self.user} ({self.get_status_display()})"


class GoalType(models.TextChoices):
    FIVE_K = "5k", "5 km"
    TEN_K = "10k", "10 km"
    HALF = "half", "Half marathon"
    MARATHON = "marathon", "Marathon"
    FITNESS = "fitness", "General fitness"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"


PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.ACTIVE, PlanStatus.ABANDONED}),
    PlanStatus.ACTIVE: frozenset({PlanStatus.PAUSED, PlanStatus.COMPLETED, PlanStatus.ABANDONED}),
    PlanStatus.PAUSED: frozenset({PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.ABANDONED}),
    PlanStatus.COMPLETED: frozenset(),
    PlanStatus.ABANDONED: frozenset(),
}


class TrainingPlanQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)


class TrainingPlan(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_plans",
        db_index=False,  # training_plan_user_stat_idx
        verbose_name="runner",
    )
    # Plan metadata
    name = models.CharField("name", max_length=200, help_text='e.g. "Half Marathon - 12 Week Plan".')
    goal_type = models.CharField("goal", max_length=10, choices=GoalType.choices)
    target_event = models.CharField("target event", max_length=200, blank=True)
    target_date = models.DateField("target date", null=True, blank=True)
    target_time_s = models.PositiveIntegerField("target time (s)", null=True, blank=True)
    race_start_time = models.TimeField(
        "race start time", null=True, blank=True, help_text="Local start time of the race (09:00 when empty)."
    )
    start_date = models.DateField("start date")
    end_date = models.DateField("end date")
    duration_weeks = models.PositiveSmallIntegerField(
        "duration (weeks)", validators=[MinValueValidator(4), MaxValueValidator(30)]
    )
    status = models.CharField("status", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    time_zone = TimeZoneField()
    activated_at = models.DateTimeField("activated at", null=True, blank=True)
    realigned_at = models.DateTimeField(
        "realigned at", null=True, blank=True, help_text="When the remaining weeks were last regenerated."
    )

    # Zoom level 1: season
    season_view = schema_json_field("training", "season_view", "season view", default=dict, blank=True)
    # Zoom level 2: weeks
    weekly_plan = schema_json_field("training", "weekly_plan", "weekly plan", default=list, blank=True)
    # The runner when the plan was generated (radar chart)
    runner_snapshot = schema_json_field(
        "training", "runner_snapshot", "runner snapshot", default=dict, blank=True
    )

    # Generation metadata
    template_id = models.CharField("template", max_length=100, blank=True)
    periodization_model = models.CharField("periodization model", max_length=50, blank=True)
    phases = schema_json_field("training", "phases", "phases", default=list, blank=True)
    load_parameters = schema_json_field(
        "training", "load_parameters", "load parameters", default=dict, blank=True
    )
    target_paces = schema_json_field("training", "target_paces", "target paces", default=dict, blank=True)
    decisions = schema_json_field("training", "decisions", "decisions", default=list, blank=True)
    safeguard_applications = schema_json_field(
        "training", "safeguard_applications", "safeguard applications", default=list, blank=True
    )
    generated_at = models.DateTimeField("generated at", null=True, blank=True)
    generator_version = models.CharField("generator version", max_length=20, blank=True)
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    objects = TrainingPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "status"], name="training_plan_user_stat_idx"),
            models.Index(fields=["user", "-created_at"], name="training_plan_user_new_idx"),
            models.Index(fields=["status"], name="training_plan_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="active"),
                name="training_plan_one_active_per_user",
                violation_error_message="The runner already has an active plan.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="training_plan_end_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def can_become(self, status: str) -> bool:
        return status in PLAN_TRANSITIONS[self.status]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class SessionType(models.TextChoices):
    EASY = "easy", "Easy run"
    LONG = "long", "Long run"
    TEMPO = "tempo", "Tempo (threshold)"
    INTERVALS = "intervals", "Intervals"
    REPETITION = "repetition", "Repetitions"
    GOAL_PACE = "goal_pace", "Goal-pace run"
    HILLS = "hills", "Hill repeats"
    MEDIUM_LONG = "medium_long", "Medium-long run"
    REST = "rest", "Rest"
    RACE = "race", "Race"
    CROSS = "cross", "Cross-training"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"
    SKIPPED = "skipped", "Skipped"


class PlannedSession(models.Model):
    plan = models.ForeignKey(
        TrainingPlan,
        on_delete=models.CASCADE,
        related_name="sessions",
        db_index=False,  # training_ses_plan_date_idx
        verbose_name="plan",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="planned_sessions",
        db_index=False,  # training_ses_user_date_idx
        verbose_name="runner",
        help_text="The plan's runner, kept here for indexed per-user queries.",
    )
    date = models.DateField("date", help_text="Local date in the session's time zone.")
    week_number = models.PositiveSmallIntegerField("week")
    session_type = models.CharField("type", max_length=12, choices=SessionType.choices)
    title = models.CharField("title", max_length=200)
    description = models.TextField("description", blank=True)
    target_distance_km = models.FloatField("target distance (km)", null=True, blank=True)
    target_duration_s = models.PositiveIntegerField("target duration (s)", null=True, blank=True)
    target_pace_s_per_km = models.PositiveIntegerField("target pace (s/km)", null=True, blank=True)
    is_key_session = models.BooleanField("key session", default=False)
    purpose = models.TextField(
        "why", blank=True, help_text="Why this session is in the plan, in the coach's words."
    )
    steps = schema_json_field(
        "training",
        "session_steps",
        "workout steps",
        default=list,
        blank=True,
        help_text="The workout as a watch runs it: warm-up, runs, recoveries, repeats, cool-down.",
    )
    compliance = schema_json_field(
        "training",
        "session_compliance",
        "compliance",
        null=True,
        blank=True,
        help_text="How the run that completed the session compared with the plan.",
    )
    start_time_local = models.TimeField("local start time", null=True, blank=True)
    time_zone = TimeZoneField()
    status = models.CharField(
        "status", max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    completed_at = models.DateTimeField("completed at", null=True, blank=True)
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_sessions",
        verbose_name="activity",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["user", "date"], name="training_ses_user_date_idx"),
            models.Index(fields=["plan", "date"], name="training_ses_plan_date_idx"),
            models.Index(fields=["status", "date"], name="training_ses_status_date_idx"),
        ]

    def __str__(self):
        return f"{self.date} {self.title}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def start_at(self) -> dt.datetime | None:
        """The aware UTC start of the session, or ``None`` when it has no start time."""
        if self.start_time_local is None:
            return None
        return aware_local(self.date, self.start_time_local, self.zone)

    def day_ends_at(self) -> dt.datetime:
        """The aware UTC instant the session's local day ends (midnight after it, in its zone)."""
        return local_day_bounds(self.date, self.zone)[1]


def new_calendar_nonce() -> str:
    return secrets.token_urlsafe(32)


new_calendar_token = new_calendar_nonce  # named by migration 0001


def calendar_token_digest(token: str) -> str:
    """What the database keeps of a feed token: its SHA-256, looked up when the feed is fetched."""
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarSubscriptionQuerySet(models.QuerySet):
    def for_token(self, token: str):
        """The subscription a feed URL's token opens: the current one, or the URL from before the
        tokens were hashed (kept until the user asks for a new URL)."""
        digest = calendar_token_digest(token)
        return self.filter(Q(token_digest=digest) | Q(previous_digest=digest))


class CalendarSubscription(models.Model):
    """A private calendar feed URL per user: the token in the path is the only credential.

    The token is never stored: it is an HMAC of ``nonce`` under ``SECRET_KEY`` (so the API can show
    the URL again), and the database keeps only its SHA-256 (``token_digest``) to find the row.
    Neither a copy of the database nor a log line opens the feed. A new URL is a new nonce.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_subscription",
        verbose_name="user",
    )
    nonce = models.CharField("nonce", max_length=64, default=new_calendar_nonce)
    token_digest = models.CharField("token digest", max_length=64, unique=True)
    previous_digest = models.CharField(
        "previous token digest",
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="A feed URL issued before feed tokens were hashed; it works until a new URL is made.",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)

    objects = CalendarSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "calendar subscription"

    def __str__(self):
        return f"Calendar feed of {self.user}"

    @property
    def token(self) -> str:
        """The secret in the feed URL, derived from the nonce (changes with ``SECRET_KEY``)."""
        return salted_hmac("training.calendar-feed", self.nonce, algorithm="sha256").hexdigest()

    def renew(self) -> None:
        """A new nonce, so a new token; the digest follows (call ``save`` after)."""
        self.nonce = new_calendar_nonce()
        self.token_digest = calendar_token_digest(self.token)
