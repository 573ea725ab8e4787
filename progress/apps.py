from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """Communities, programs > courses > WODs > pages > blocks, enrollments, roll-ups, achievements,
    analytics."""

    name = "progress"
    verbose_name = "Learning progress"
    default_auto_field = "django.db.models.BigAutoField"
    # Models the "Content designers" group may edit (see config/permissions.py).
    content_models = (
        "progress.Program",
        "progress.ProgramCourse",
        "progress.Course",
        "progress.CourseWod",
        "progress.Wod",
        "progress.Page",
        "progress.Block",
        "progress.Prerequisite",
        ("progress.Community", "view"),
        "progress.Achievement",
        "progress.CourseMilestone",
        # Trends charts (scoped in the admin to the communities they instruct or administer).
        ("progress.LearningAnalytics", "view"),
    )

    def ready(self):
        from . import signals  # noqa: F401
        from .services import awards, register_ingest_hook

        register_ingest_hook(awards.awards_evaluate_after_ingest)
