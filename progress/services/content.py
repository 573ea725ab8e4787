"""What happens when learning content changes."""

import time

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

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
    pending = connection.__dict__.setdefault("_progress_recompute_pending", set())
    if community_id in pending:
        return
    pending.add(community_id)

    def enqueue():
        pending.discard(community_id)
        from config.outbox import publish

        from ..tasks import recompute_community_progress

        publish(recompute_community_progress, community_id)

    transaction.on_commit(enqueue)
