from django.apps import AppConfig


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
