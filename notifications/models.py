"""Preferences, devices, the cadence analyzer's behaviour profiles and the notification outbox.

* ``NotificationPreferences``: one per user: time zone, quiet hours, evening brief time, morning
  hype lead, coaching tone, category switches, snooze, daily budget.
* ``Device``: a push token (FCM, APNs, Web Push).
* ``BehaviorProfile``: what the cadence analyzer learnt about when a user trains, per plan.
* ``Notification``: one table that is both the outbox and the audit log. A row is unique by its
  dedupe key, carries its send time (UTC), local date, status and the trace of why it is sent then.
* ``NotificationTemplate``: the copy per kind and tone (Django templates), edited in the admin.
* ``WeatherSnapshot``: the forecast cache; ``KindRollout``: staged release per kind;
  ``SendVolumeAnomaly``: hours whose sends of a kind jumped against the trailing median.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.fields import TimeZoneField
from config.jsonschemas import schema_json_field

from .copy_engine import VARIABLES, check_copy


class Kind(models.TextChoices):
    KICKOFF_PRIMER = "kickoff_primer", "Kickoff primer"
    EVENING_BRIEF = "evening_brief", "Evening brief"
    MORNING_HYPE = "morning_hype", "Morning hype"
    COMPLETION_CELEBRATION = "completion_celebration", "Completion celebration"
    MISSED_FOLLOW_UP = "missed_follow_up", "Missed follow-up"
    WEEKLY_DIGEST = "weekly_digest", "Weekly digest"
    MILESTONE = "milestone", "Milestone"


KINDS = [choice.value for choice in Kind]
# While a plan is active these cannot be switched off: signing up for a plan is signing up
# for the accountability.
ACCOUNTABILITY_KINDS = frozenset({Kind.EVENING_BRIEF, Kind.MORNING_HYPE, Kind.MISSED_FOLLOW_UP})
# Lower number wins when the daily budget is tight.
PRIORITY = {
    Kind.COMPLETION_CELEBRATION: 0,
    Kind.MISSED_FOLLOW_UP: 1,
    Kind.MORNING_HYPE: 2,
    Kind.EVENING_BRIEF: 3,
    Kind.KICKOFF_PRIMER: 4,
    Kind.MILESTONE: 5,
    Kind.WEEKLY_DIGEST: 6,
}


class Tone(models.TextChoices):
    DRILL_SERGEANT = "drill_sergeant", "Drill sergeant"
    SUPPORTIVE_FRIEND = "supportive_friend", "Supportive friend"
    DATA_NERD = "data_nerd", "Data nerd"
    MINIMALIST = "minimalist", "Minimalist"


class Status(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CLAIMED = "claimed", "Claimed by a sweep"
    SENT = "sent", "Sent"
    SUPPRESSED = "suppressed", "Suppressed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


PENDING = (Status.SCHEDULED, Status.CLAIMED)


class Platform(models.TextChoices):
    FCM = "fcm", "Firebase Cloud Messaging"
    APNS = "apns", "Apple Push Notification service"
    WEBPUSH = "webpush", "Web Push"


class Channel(models.TextChoices):
    PUSH = "push", "Push to the user's devices"
    INBOX = "inbox", "In-app inbox only (no active device)"


class NotificationPreferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name="user",
    )
    time_zone = TimeZoneField(
        help_text="IANA name, e.g. Europe/Berlin: every notification time is computed in it.",
    )
    quiet_hours_start = models.TimeField(
        "quiet hours start", default=dt.time(22, 0), help_text="Local time; may be after the end (overnight)."
    )
    quiet_hours_end = models.TimeField("quiet hours end", default=dt.time(7, 0))
    evening_brief_time = models.TimeField(
        "evening brief time",
        default=dt.time(20, 0),
        help_text="Local time of the brief the evening before a session (earlier for early trainers).",
    )
    morning_hype_lead_min = models.PositiveSmallIntegerField(
        "morning hype lead (minutes)",
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text="How long before the usual start time the morning hype comes.",
    )
    tone = models.CharField(
        "coaching tone", max_length=20, choices=Tone.choices, default=Tone.SUPPORTIVE_FRIEND
    )
    categories = schema_json_field(
        "notifications",
        "categories",
        "categories",
        default=dict,
        blank=True,
        help_text="Kind → on/off; a kind not listed is on.",
    )
    snoozed_until = models.DateTimeField("snoozed until", null=True, blank=True)
    daily_budget = models.PositiveSmallIntegerField(
        "daily budget",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Most notifications per local day; completion celebrations always pass.",
    )
    weather_location = models.CharField(
        "weather location",
        max_length=100,
        blank=True,
        help_text='City for the forecast in the copy, e.g. "Berlin,DE"; empty: no weather.',
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "notification preferences"
        verbose_name_plural = "notification preferences"

    def __str__(self):
        return f"Notification preferences of {self.user}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def category_on(self, kind: str) -> bool:
        return bool(self.categories.get(kind, True))


class Device(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices", verbose_name="user"
    )
    platform = models.CharField("platform", max_length=10, choices=Platform.choices)
    token = models.CharField("push token", max_length=512, unique=True)
    active = models.BooleanField(
        "active", default=True, help_text="Off once the provider says the token is invalid."
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["user", "active"], name="notif_device_user_active_idx")]

    def __str__(self):
        return f"{self.get_platform_display()} device of {self.user}"


class BehaviorProfile(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="behavior_profiles",
        db_index=False,  # notif_behavior_unique
        verbose_name="user",
    )
    plan = models.ForeignKey(
        "training.TrainingPlan",
        on_delete=models.CASCADE,
        related_name="behavior_profiles",
        verbose_name="plan",
    )
    window_start_min = models.PositiveSmallIntegerField("prime window start (local minute)")
    window_end_min = models.PositiveSmallIntegerField("prime window end (local minute)")
    circular_mean_min = models.FloatField("circular mean (local minute)", null=True, blank=True)
    resultant_length = models.FloatField("resultant length", default=0)
    confidence = models.FloatField("confidence", default=0, help_text="0-1, corrected for small samples.")
    sample_count = models.PositiveIntegerField("samples", default=0)
    habits = schema_json_field("notifications", "habits", "habits", default=list, blank=True)
    weekday_patterns = schema_json_field(
        "notifications", "weekday_patterns", "weekday patterns", default=dict, blank=True
    )
    deviation_flags = schema_json_field(
        "notifications", "deviation_flags", "deviation flags", default=list, blank=True
    )
    used_fallback = models.BooleanField("fallback used", default=False)
    fallback = models.CharField(
        "source of the window",
        max_length=20,
        default="plan_default",
        help_text="all_days when the habit is clear; plan_default when confidence is low or the plan is new.",
    )
    recomputed_at = models.DateTimeField(
        "last recomputed", default=timezone.now, help_text="When the analyzer last wrote this profile."
    )

    class Meta:
        verbose_name = "behaviour profile"
        constraints = [models.UniqueConstraint(fields=["user", "plan"], name="notif_behavior_unique")]

    def __str__(self):
        return f"Behaviour of {self.user} in plan {self.plan_id}"


class NotificationQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def pending(self):
        return self.filter(status__in=PENDING)

    def due(self, now):
        """Scheduled rows whose time has come, and claimed rows whose sweep's lease ran out."""
        return self.filter(
            Q(status=Status.SCHEDULED, send_at__lte=now) | Q(status=Status.CLAIMED, claimed_until__lt=now)
        )


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # notif_user_* indexes
        verbose_name="user",
    )
    kind = models.CharField("kind", max_length=30, choices=Kind.choices)
    plan = models.ForeignKey(
        "training.TrainingPlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="plan",
    )
    session = models.ForeignKey(
        "training.PlannedSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="session",
    )
    dedupe_key = models.CharField(
        "dedupe key",
        max_length=200,
        unique=True,
        help_text="One row per key, e.g. morning_hype:<session>:<date>.",
    )
    send_at = models.DateTimeField("send at (UTC)")
    local_date = models.DateField("local date", help_text="The user's local date of send_at when scheduled.")
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    claimed_until = models.DateTimeField(
        "claim lease until", null=True, blank=True, help_text="A sweep holds the row until then."
    )
    attempts = models.PositiveSmallIntegerField("attempts", default=0)
    payload = schema_json_field("notifications", "payload", "rendered payload", default=dict, blank=True)
    tone = models.CharField("tone", max_length=20, choices=Tone.choices, blank=True)
    channel = models.CharField("channel", max_length=10, choices=Channel.choices, blank=True)
    decision = schema_json_field("notifications", "decision", "decision trace", default=dict, blank=True)
    provider_id = models.CharField("provider id", max_length=200, blank=True)
    sent_at = models.DateTimeField("sent at", null=True, blank=True)
    opened_at = models.DateTimeField("opened at", null=True, blank=True)
    clicked_at = models.DateTimeField("clicked at", null=True, blank=True)
    error = models.TextField("error", blank=True)
    render_error = models.TextField(
        "copy error",
        blank=True,
        default="",
        db_default="",  # rows written with raw SQL (COPY, bulk loads) need no value
        help_text="Why the designer's copy of this kind and tone could not be used; the built-in copy "
        "was sent instead.",
    )
    outcome = models.CharField(
        "outcome",
        max_length=200,
        blank=True,
        help_text="Why it ended as it did: suppressed by the budget, cancelled by a completed session ...",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-send_at", "-id"]
        indexes = [
            models.Index(
                fields=["send_at"], name="notif_due_idx", condition=Q(status__in=["scheduled", "claimed"])
            ),
            models.Index(fields=["user", "status", "send_at"], name="notif_user_status_send_idx"),
            models.Index(fields=["user", "-sent_at"], name="notif_user_sent_idx"),
            models.Index(fields=["session", "status"], name="notif_session_status_idx"),
            models.Index(fields=["kind", "sent_at"], name="notif_kind_sent_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.user} at {self.send_at:%Y-%m-%d %H:%M} UTC"


class NotificationTemplate(models.Model):
    kind = models.CharField("kind", max_length=30, choices=Kind.choices)
    tone = models.CharField("tone", max_length=20, choices=Tone.choices)
    title = models.CharField(
        "title",
        max_length=200,
        help_text="A template, e.g. {{ session.title }} tomorrow. Variables: " + VARIABLES + ". Tags: "
        "if, for, with, firstof, cycle, now, comment; Django's filters. No load, include, extends or debug.",
    )
    body = models.TextField(
        "body", help_text="A template with the same variables, tags and filters as the title."
    )
    variants = schema_json_field(
        "notifications",
        "variants",
        "variants",
        default=list,
        blank=True,
        help_text="Alternative title/body pairs; one is picked per notification.",
    )
    active = models.BooleanField(
        "active", default=True, help_text="Inactive: the built-in fallback copy is used."
    )
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "notification copy"
        verbose_name_plural = "notification copy"
        ordering = ["kind", "tone"]
        constraints = [models.UniqueConstraint(fields=["kind", "tone"], name="notif_template_kind_tone")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_tone_display()})"

    def clean(self):
        """Refuse copy that does not parse or render in the copy sandbox against every variable
        the help text names (``copy_engine.check_copy``)."""
        errors = {}
        for field in ("title", "body"):
            problem = check_copy(getattr(self, field) or "")
            if problem:
                errors[field] = f"Template error: {problem}"
        for index, variant in enumerate(self.variants or []):
            for field in ("title", "body"):
                problem = check_copy(variant.get(field, "")) if isinstance(variant, dict) else "not an object"
                if problem:
                    errors.setdefault("variants", []).append(f"Variant {index + 1} {field}: {problem}")
        if errors:
            raise ValidationError(errors)


class WeatherSnapshot(models.Model):
    provider = models.CharField("provider", max_length=30)
    location = models.CharField("location", max_length=100)
    fetched_at = models.DateTimeField("fetched at")
    forecast = schema_json_field("notifications", "forecast", "forecast", default=list, blank=True)

    class Meta:
        verbose_name = "weather snapshot"
        constraints = [
            models.UniqueConstraint(fields=["provider", "location"], name="notif_weather_provider_location")
        ]

    def __str__(self):
        return f"{self.location} ({self.provider}, {self.fetched_at:%Y-%m-%d %H:%M})"


class KindRollout(models.Model):
    kind = models.CharField("kind", max_length=30, choices=Kind.choices, unique=True)
    percentage = models.PositiveSmallIntegerField(
        "rollout percentage",
        default=100,
        validators=[MaxValueValidator(100)],
        help_text="Share of users (by a stable hash of user and kind) who get this kind; a kind without "
        "a row goes to everyone.",
    )
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        verbose_name = "kind rollout"

    def __str__(self):
        return f"{self.kind}: {self.percentage}%"


class SendVolumeAnomaly(models.Model):
    kind = models.CharField("kind", max_length=30, choices=Kind.choices)
    hour = models.DateTimeField("hour (UTC)")
    sends = models.PositiveIntegerField("sends")
    trailing_median = models.FloatField("trailing same-hour median")
    ratio = models.FloatField("ratio")
    detected_at = models.DateTimeField("detected at", auto_now_add=True)

    class Meta:
        verbose_name = "send volume anomaly"
        verbose_name_plural = "send volume anomalies"
        ordering = ["-hour"]
        constraints = [models.UniqueConstraint(fields=["kind", "hour"], name="notif_anomaly_kind_hour")]

    def __str__(self):
        return f"{self.kind} at {self.hour:%Y-%m-%d %H}:00: {self.sends} sends ({self.ratio:.1f}× median)"
