from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Runner profiles, activities, training plans (season, week, day) and planned sessions."""

    name = "training"
    verbose_name = "Training"
    # Everything here is a runner's personal (health) data (config/access.py): the "Content
    # designers" group gets none of it; the "Coaches" group may read it, every read logged; only
    # superusers delete it (see config/permissions.py).
    content_models = ()
    coach_models = (
        ("training.RunnerProfile", "view"),
        ("training.Activity", "view"),
        ("training.TrainingPlan", "view"),
        ("training.PlannedSession", "view"),
    )
    # Operators look at archive imports and their reports (read-only: the task writes them).
    operator_models = (("training.ActivityArchiveImport", "view"),)
