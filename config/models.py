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

    ``config.outbox.enqueue_on_commit`` writes it instead of losing the work; the periodic job
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


class RunnerDataAccessQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The runner data access log is append-only.")

    def delete(self):
        raise TypeError("The runner data access log is append-only.")


class RunnerDataAccess(models.Model):
    """One read of a runner's personal data in the admin: who read what, and when.

    Written by ``config.access.RunnerDataAdmin`` for every list and detail page of runners' data;
    append-only: no change or delete permission exists for it, the model refuses updates and
    deletes, and on PostgreSQL a trigger refuses them too. Users are kept as id and username (no
    foreign key), so deleting an account leaves its history in place.
    """

    class Action(models.TextChoices):
        LIST = "list", "listed"
        VIEW = "view", "viewed"

    at = models.DateTimeField("when", default=timezone.now)
    reader_id = models.IntegerField("reader id")
    reader_username = models.CharField("reader", max_length=150)
    action = models.CharField("action", max_length=8, choices=Action.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", verbose_name="kind of data"
    )
    object_id = models.CharField("object id", max_length=64)
    object_repr = models.CharField("object", max_length=200)
    runner_id = models.IntegerField("runner id", null=True)
    runner_username = models.CharField("runner", max_length=150, blank=True)
    path = models.CharField("page", max_length=500)

    objects = RunnerDataAccessQuerySet.as_manager()

    class Meta:
        verbose_name = "runner data access"
        verbose_name_plural = "runner data access log"
        default_permissions = ("view",)
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["runner_id", "at"], name="platform_access_runner_at"),
            models.Index(fields=["reader_id", "at"], name="platform_access_reader_at"),
        ]

    def __str__(self):
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{self.reader_username} {self.get_action_display()} {self.object_repr} ({when})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The runner data access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The runner data access log is append-only.")
