from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """Communities, programs > courses > WODs > pages > blocks, enrollments, roll-ups, achievements and analytics."""

    name = "progress"
    verbose_name = "Learning progress"
    # Models the "Content designers" group may edit (see config/permissions.py).
    content_models = ()
