"""Scheduled publishing: ``publish_at`` / ``unpublish_at`` on curricula, programs, courses, WODs
and scenarios.

Learners see content only inside its window (:func:`in_window_q`, used by each model's
``published()`` / ``visible_to()``); the periodic job "content: apply scheduled publishing"
(``config.tasks.apply_publishing_schedule``, every minute) then flips each due object's own
status through its app's service (named by the app's ``AppConfig.schedule_apply``, so this
module imports no app), which clears the time it applied, moves the content versions
the cached trees are keyed by, and records a revision. Running it twice changes nothing more.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.module_loading import import_string


class ScheduledPublishing(models.Model):
    publish_at = models.DateTimeField(
        "publish at",
        null=True,
        blank=True,
        help_text="Goes live at this time (checked every minute); leave empty to publish by hand.",
    )
    unpublish_at = models.DateTimeField(
        "unpublish at",
        null=True,
        blank=True,
        help_text="Withdrawn from learners at this time (checked every minute).",
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.publish_at and self.unpublish_at and self.unpublish_at <= self.publish_at:
            raise ValidationError({"unpublish_at": "Unpublish after the publish time."})


def in_window_q(prefix: str = "") -> models.Q:
    """Content whose publishing window is open now (no start or started, no end or not ended)."""
    started = models.Q(**{f"{prefix}publish_at__isnull": True}) | models.Q(
        **{f"{prefix}publish_at__lte": Now()}
    )
    not_ended = models.Q(**{f"{prefix}unpublish_at__isnull": True}) | models.Q(
        **{f"{prefix}unpublish_at__gt": Now()}
    )
    return started & not_ended


def publishing_schedule_apply(*, now=None) -> dict:
    """Apply every due publish and unpublish, app by app (each app's ``schedule_apply``
    service); returns counts per app label."""
    now = now or timezone.now()
    return {
        config.label: import_string(config.schedule_apply)(now=now)
        for config in apps.get_app_configs()
        if getattr(config, "schedule_apply", None)
    }
