from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _grant_content_designers(sender, **kwargs):
    """After this app's permissions exist (post_migrate for this app), grant the designers'
    group what ``content_models`` lists. Idempotent, like the platform-wide sync."""
    from config.permissions import sync_content_designer_permissions

    sync_content_designer_permissions()


class CurriculumConfig(AppConfig):
    """Curricula, steps and their Plan A/B/C/D alternatives, outcomes and smart plan selection."""

    name = "curriculum"
    verbose_name = "Curriculum"
    # Models the "Content designers" group may edit (see config/permissions.py): the content,
    # and the outcome statistics read-only. Never enrollments or the outcome history.
    content_models = (
        "curriculum.Curriculum",
        "curriculum.Step",
        "curriculum.Alternative",
        ("curriculum.AlternativeStat", "view"),
    )

    def ready(self):
        post_migrate.connect(
            _grant_content_designers, sender=self, dispatch_uid="curriculum.grant_content_designers"
        )
