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
    # A revision holds the children edited inline (config/revisions.py); the guard refuses a revert
    # that would delete a block learners have completed.
    revision_follow = {
        "progress.Program": ("course_links",),
        "progress.Course": ("wod_links", "prerequisites"),
        "progress.Wod": ("pages", "prerequisites"),
        "progress.Page": ("blocks",),
    }
    revert_guard = "progress.services.content.content_revert_refusals"
    schedule_apply = "progress.services.content.content_schedule_apply"  # config/scheduling.py

    def ready(self):
        from . import signals  # noqa: F401
        from .services import awards, register_ingest_hook

        register_ingest_hook(awards.awards_evaluate_after_ingest)
