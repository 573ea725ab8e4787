from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Runner profiles, activities, training plans (season, week, day) and planned sessions."""

    name = "training"
    verbose_name = "Training"
    # Models the "Content designers" group may edit (see config/permissions.py): designers and
    # coaches generate plans for runners and adjust their sessions in the admin; runner profiles
    # and activities are the runner's own data, which they may only read.
    content_models = (
        "training.TrainingPlan",
        "training.PlannedSession",
        ("training.RunnerProfile", "view"),
        ("training.Activity", "view"),
    )
    # Operators look at archive imports and their reports (read-only: the task writes them).
    operator_models = (("training.ActivityArchiveImport", "view"),)
