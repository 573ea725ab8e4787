"""What happens when learning content changes."""

import time

from django.db import transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Greatest

from config.outbox import enqueue_on_commit

from ..models import Block, Community, CourseWod, Page, Prerequisite, ProgramCourse


def community_id_of(instance) -> int | None:
    """The community a content object belongs to (None if it can no longer be told)."""
    if isinstance(instance, Block):
        return Page.objects.filter(pk=instance.page_id).values_list("wod__community_id", flat=True).first()
    if isinstance(instance, Page):
        return instance.wod.community_id if instance.wod_id else None
    if isinstance(instance, ProgramCourse):
        return instance.program.community_id
    if isinstance(instance, CourseWod):
        return instance.course.community_id
    if isinstance(instance, Prerequisite):
        target = instance.course if instance.course_id else instance.wod
        return target.community_id if target else None
    return getattr(instance, "community_id", None)


def bump_content_version(community_id: int) -> None:
    """Move the community's content version forward to a value never used before, even if a
    transaction that bumped it earlier rolled back (microseconds since the epoch, at least +1)."""
    Community.objects.filter(pk=community_id).update(
        content_version=Greatest(F("content_version") + 1, Value(time.time_ns() // 1000))
    )


def content_changed(*, instance) -> None:
    """Bump the community's content version and, once per transaction and community,
    recompute its learners' roll-ups after commit."""
    community_id = community_id_of(instance)
    if community_id is None:
        return
    bump_content_version(community_id)
    enqueue_on_commit("progress.tasks.recompute_community_progress", community_id)


def content_revert_refusals(*, deleted) -> list[str]:
    """Why a revert that deletes ``deleted`` (content added since the revision) must not happen:
    a block that learners have completed keeps their progress and stays (config/revisions.py)."""
    from ..models import BlockProgress

    blocks = [obj.pk for obj in deleted if isinstance(obj, Block)]
    if not blocks:
        return []
    completed = dict(
        BlockProgress.objects.filter(block_id__in=blocks, completed_at__isnull=False)
        .values("block_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("block_id", "n")
    )
    return [
        f"it would delete block “{obj}”, which {completed[obj.pk]} learner(s) completed"
        for obj in deleted
        if isinstance(obj, Block) and obj.pk in completed
    ]


def content_schedule_apply(*, now) -> dict:
    """Publish the programs, courses and WODs whose ``publish_at`` has come and archive those
    whose ``unpublish_at`` has; each applied time is cleared (a second run finds nothing). The
    saves move the community's content version, so cached trees follow, and record a revision."""
    from config.revisions import content_revision

    from ..models import Course, Program, PublishStatus, Wod

    done = {"published": 0, "unpublished": 0}
    for model in (Program, Course, Wod):
        for field, status, key in (
            ("publish_at", PublishStatus.PUBLISHED, "published"),
            ("unpublish_at", PublishStatus.ARCHIVED, "unpublished"),
        ):
            for pk in model.objects.filter(**{f"{field}__lte": now}).values_list("pk", flat=True):
                with transaction.atomic():
                    node = (
                        model.objects.select_for_update(of=("self",))
                        .filter(pk=pk, **{f"{field}__lte": now})
                        .first()
                    )
                    if node is None:
                        continue
                    with content_revision(comment=f"{key.capitalize()} on schedule"):
                        node.status = status
                        setattr(node, field, None)
                        node.save(update_fields=["status", field, "updated_at"])
                    done[key] += 1
    return done
