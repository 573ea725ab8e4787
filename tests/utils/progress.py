"""Event payloads, memberships and block lists for the progress tests."""

import itertools

from django.utils import timezone

from progress.models import Block, Membership, MembershipRole

_keys = itertools.count()


def event(block, verb="viewed", **extra):
    """An event payload for ``block`` (a Block or an id) with a fresh idempotency key."""
    payload = {
        "block": block.pk if isinstance(block, Block) else block,
        "event": verb,
        "time_spent_s": 10,
        "occurred_at": timezone.now().isoformat(),
        "idempotency_key": f"k-{next(_keys)}",
    }
    payload.update(extra)
    return payload


def service_event(block, verb="viewed", **extra):
    """The same, shaped for ``events_ingest`` (Python values)."""
    payload = event(block, verb, **extra)
    payload["occurred_at"] = timezone.now()
    payload.setdefault("wod", None)
    return payload


def join(user, community, role=MembershipRole.LEARNER):
    Membership.objects.get_or_create(user=user, community=community, defaults={"role": role})
    return user


def blocks_of(program):
    """The program's blocks in reading order: courses, WODs, pages, blocks."""
    blocks = []
    for course_link in program.course_links.order_by("order", "id"):
        for wod_link in course_link.course.wod_links.order_by("order", "id"):
            blocks += Block.objects.filter(page__wod=wod_link.wod).order_by(
                "page__order", "page_id", "order", "id"
            )
    return blocks
