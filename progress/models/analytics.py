"""Learning analytics: one row per learner, community and day, week or month.

Rows are computed by ``progress.services.analytics.learning_analytics_compute`` (a periodic job
and ``manage.py compute_learning_analytics``) and upserted on (user, community, period,
period_start), so computing a period again replaces its rows instead of adding any.
"""

from django.conf import settings
from django.db import models

from .community import Community


class AnalyticsPeriod(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class LearningAnalytics(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_analytics"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="learning_analytics")
    period = models.CharField(max_length=10, choices=AnalyticsPeriod.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period (inclusive).")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="IANA zone the days were cut in.")
    active_seconds = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    events_count = models.PositiveIntegerField(default=0)
    active_days = models.PositiveSmallIntegerField(default=0)
    blocks_completed = models.PositiveIntegerField(default=0)
    blocks_mastered = models.PositiveIntegerField(default=0)
    wods_completed = models.PositiveIntegerField(default=0)
    courses_completed = models.PositiveIntegerField(default=0)
    learning_velocity = models.FloatField(default=0, help_text="Blocks completed per day of the period.")
    engagement_score = models.FloatField(default=0, help_text="0-100: active days, time and completions.")
    streak_days = models.PositiveSmallIntegerField(
        default=0, help_text="Consecutive active days up to the period's last day (or the day before)."
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "learning analytics row"
        verbose_name_plural = "learning analytics"
        ordering = ["-period_start", "community", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community", "period", "period_start"], name="progress_analytics_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "period", "period_start"], name="progress_analytics_comm"),
        ]

    def __str__(self):
        return f"{self.user} {self.period} {self.period_start}"

    @property
    def active_hours(self) -> float:
        return round(float(self.active_seconds) / 3600, 2)
