"""Content changes bump the community's content version (the structure cache key) and, after
commit, recompute the roll-ups of the community's learners."""

from django.db.models.signals import post_delete, post_save

from .models import Block, Course, CourseWod, Page, Prerequisite, Program, ProgramCourse, Wod

CONTENT_MODELS = (Program, Course, Wod, Page, Block, ProgramCourse, CourseWod, Prerequisite)


def _content_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .services.content import content_changed

    content_changed(instance=instance)


for _model in CONTENT_MODELS:
    post_save.connect(
        _content_changed, sender=_model, dispatch_uid=f"progress_content_saved_{_model.__name__}"
    )
    post_delete.connect(
        _content_changed, sender=_model, dispatch_uid=f"progress_content_deleted_{_model.__name__}"
    )
