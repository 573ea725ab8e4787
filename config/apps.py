from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class PlatformConfig(AppConfig):
    """The platform's own pieces: API plumbing, health, demo data, schedules, permissions."""

    name = "config"
    label = "platform"
    verbose_name = "Platform"
    # Periodic tasks run any task with any arguments: operators keep them, content designers
    # may only look (see config/permissions.py).
    periodic_models = (
        "django_celery_beat.PeriodicTask",
        "django_celery_beat.CrontabSchedule",
        "django_celery_beat.IntervalSchedule",
        "django_celery_beat.SolarSchedule",
        "django_celery_beat.ClockedSchedule",
    )
    content_models = tuple((label, "view") for label in periodic_models)
    # Operators see sign-in lockouts and lift one by deleting its failure record (config/signin.py),
    # and read the runner data access log, which nobody may change.
    operator_models = periodic_models + (
        ("axes.AccessAttempt", "view", "delete"),
        ("axes.AccessLog", "view"),
        ("axes.AccessFailureLog", "view"),
        ("platform.RunnerDataAccess", "view"),
    )

    def ready(self):
        from . import revisions
        from .api import strict

        strict.install()  # JSON bodies keep JSON's types (config/api/strict.py)
        # Every content model keeps its revisions (config/revisions.py).
        revisions.register_content_models()
        post_migrate.connect(_after_migrate, dispatch_uid="platform.after_migrate", weak=False)
        _connect_request_ids()
        # Task outcomes and durations for /metrics.
        from .metrics import connect_celery_signals

        connect_celery_signals()
        _connect_token_invalidation()


def _after_migrate(sender, **kwargs):
    """Schedules, group permissions and first revisions, once every app has migrated."""
    from django.apps import apps

    from . import permissions, revisions, schedules

    # post_migrate is sent once per app with models, after that app's permissions are
    # created; act on the last one, when every permission exists.
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender.label != last.label:
        return
    schedules.sync_periodic_tasks()
    permissions.sync_content_designer_permissions()
    permissions.sync_coach_permissions()
    permissions.sync_operator_permissions()
    revisions.initial_revisions_create()


def _connect_request_ids():
    """Log records carry the id of the request that made them (config/logging.py)."""
    from django.core.signals import request_finished

    from .logging import install_request_id_on_records
    from .middleware import forget_request_id

    install_request_id_on_records()
    request_finished.connect(forget_request_id, dispatch_uid="platform.forget_request_id")


def _connect_token_invalidation():
    """Cached token authentication forgets a token as soon as it or its user changes; a new
    password or a deactivation ends the user's tokens."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save, pre_delete
    from knox.models import AuthToken

    from .api.authentication import (
        end_tokens_when_credentials_change,
        invalidate_token,
        invalidate_user_tokens,
    )

    post_delete.connect(invalidate_token, sender=AuthToken, dispatch_uid="platform.token_deleted")
    post_save.connect(invalidate_token, sender=AuthToken, dispatch_uid="platform.token_saved")
    User = get_user_model()
    post_save.connect(invalidate_user_tokens, sender=User, dispatch_uid="platform.user_saved")
    pre_delete.connect(invalidate_user_tokens, sender=User, dispatch_uid="platform.user_deleted")
    post_save.connect(
        end_tokens_when_credentials_change,
        sender=User,
        dispatch_uid="platform.user_credentials_changed",
    )


class PlatformAdminConfig(AdminConfig):
    """Django's admin with the platform's site (``config/admin_site.py``: an optional second factor)."""

    default_site = "config.admin_site.PlatformAdminSite"
