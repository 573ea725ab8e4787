from django.apps import AppConfig
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
    operator_models = periodic_models

    def ready(self):
        from django.apps import apps

        from . import permissions, schedules
        from .api import strict

        strict.install()  # JSON bodies keep JSON's types (config/api/strict.py)

        def after_migrate(sender, **kwargs):
            # post_migrate is sent once per app with models, after that app's permissions are
            # created; act on the last one, when every permission exists.
            last = [config for config in apps.get_app_configs() if config.models_module][-1]
            if sender.label != last.label:
                return
            schedules.sync_periodic_tasks()
            permissions.sync_content_designer_permissions()
            permissions.sync_operator_permissions()

        post_migrate.connect(after_migrate, dispatch_uid="platform.after_migrate", weak=False)

        # Log records carry the id of the request that made them (config/logging.py).
        from .logging import install_request_id_on_records

        install_request_id_on_records()
        from django.core.signals import request_finished

        from .middleware import forget_request_id

        request_finished.connect(forget_request_id, dispatch_uid="platform.forget_request_id")

        # Task outcomes and durations for /metrics.
        from .metrics import connect_celery_signals

        connect_celery_signals()

        # Cached token authentication forgets a token as soon as it or its user changes.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save, pre_delete
        from rest_framework.authtoken.models import Token

        from .api.authentication import invalidate_token, invalidate_user_tokens

        post_delete.connect(invalidate_token, sender=Token, dispatch_uid="platform.token_deleted")
        post_save.connect(invalidate_token, sender=Token, dispatch_uid="platform.token_saved")
        User = get_user_model()
        post_save.connect(invalidate_user_tokens, sender=User, dispatch_uid="platform.user_saved")
        pre_delete.connect(invalidate_user_tokens, sender=User, dispatch_uid="platform.user_deleted")
