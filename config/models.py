"""The platform's own tables."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key``, replayed for its retries.

    A row is written, committed, as soon as a keyed request starts (``status_code`` empty: in
    progress), so a second request with the same key at the same time sees it and is refused with
    409 instead of running too. The answer is stored in the same transaction as the request's own
    writes: either both are there or neither is. See ``config/idempotency.py``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the method, path and body the key was first used with."
    )
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty while the first request is still running."
    )
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "idempotency record"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="platform_idempotency_user_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="platform_idempotency_created")]

    def __str__(self):
        return f"{self.method} {self.path} [{self.key}]"

    @property
    def in_progress(self) -> bool:
        return self.status_code is None


class PendingTask(models.Model):
    """A task the broker refused when it was enqueued (after its transaction committed).

    ``config.tasks.enqueue_on_commit`` writes it instead of losing the work; the periodic job
    "platform: re-publish pending tasks" (and ``manage.py republish_pending_tasks``) sends it again
    once the broker answers, and deletes the row. Tasks are safe to run twice, so a row published
    just before a crash is harmless.
    """

    task = models.CharField(max_length=200, help_text="Registered Celery task name.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0, help_text="Re-publish attempts that failed.")
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "pending task"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["created_at"], name="platform_pendingtask_created")]

    def __str__(self):
        return f"{self.task} ({self.created_at:%Y-%m-%d %H:%M:%S})"
