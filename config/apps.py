from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlatformConfig(AppConfig):
    """The platform's own pieces: API plumbing, health, demo data, schedules, permissions."""

    name = "config"
    label = "platform"
    verbose_name = "Platform"

    def ready(self):
        from . import permissions, schedules

        def after_migrate(sender, using="default", **kwargs):
            # Runs once per app; act on the last one so every permission exists.
            if sender.name != self.name:
                return
            schedules.sync_periodic_tasks()
            permissions.sync_content_designer_permissions()

        post_migrate.connect(after_migrate, dispatch_uid="platform.after_migrate", weak=False)
