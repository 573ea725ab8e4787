from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Runner profiles, activities, training plans (season, week, day) and planned sessions."""

    name = "training"
    verbose_name = "Training"
    # Models the "Content designers" group may edit (see config/permissions.py).
    content_models = ()
