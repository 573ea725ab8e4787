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
    # A revision of a curriculum holds its steps, and a step's its alternatives (config/revisions.py);
    # the guard refuses a revert that would delete a step or plan learners have used.
    revision_follow = {"curriculum.Curriculum": ("steps",), "curriculum.Step": ("alternatives",)}
    revert_guard = "curriculum.services.curriculum_revert_refusals"
    schedule_apply = "curriculum.services.curriculum_schedule_apply"  # config/scheduling.py
