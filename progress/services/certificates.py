"""Course milestones reached and course certificates issued.

After an ingest, ``milestones_evaluate_after_ingest`` records the milestones the batch reached
(a WOD completed, an assessment passed, a project handed in) and ``certificates_issue_after_ingest``
issues the certificate of every course that is now complete with all its required milestones.
``certificate_issue`` is idempotent: one certificate per learner and course, whoever asks.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from ..models import (
    BlockProgress,
    Certificate,
    Course,
    CourseEnrollment,
    CourseMilestone,
    MilestoneType,
    NodeProgress,
    NodeType,
    UserCourseMilestone,
)
from ..rollup import DONE_STATES
from .achievements import event_value

# What a certificate says when the learner gave no name: never the username, which is a sign-in
# credential (often an email address) and the certificate page is public.
ANONYMOUS_LEARNER = "Certificate holder"


def learner_display_name(user) -> str:
    """The name a certificate shows: the learner's full name, else their first name, else
    ``ANONYMOUS_LEARNER``; never the username."""
    return (user.get_full_name() or user.first_name or "").strip() or ANONYMOUS_LEARNER


def _milestone_reached(milestone: CourseMilestone, *, completed_wods: set[int], blocks: dict) -> dict | None:
    """The evidence when ``milestone`` is reached, else None."""
    if milestone.milestone_type == MilestoneType.WOD_COMPLETION:
        return {"wod": milestone.wod_id} if milestone.wod_id in completed_wods else None
    bp = blocks.get(milestone.block_id)
    if bp is None or bp.state not in DONE_STATES:
        return None
    if milestone.milestone_type == MilestoneType.ASSESSMENT and milestone.min_score is not None:
        if bp.mastery_score is None or bp.mastery_score < milestone.min_score:
            return None
    evidence = {"block": bp.block_id, "state": bp.state}
    if bp.mastery_score is not None:
        evidence["score"] = bp.mastery_score
    return evidence


def milestones_evaluate(
    *, user, milestones: list[CourseMilestone], completed_wods: set[int] | None = None, now=None
) -> list[UserCourseMilestone]:
    """Record the ``milestones`` ``user`` has reached and not yet recorded; return the new rows.

    ``completed_wods``: WOD ids known complete (read from the roll-ups when not given).
    """
    now = now or timezone.now()
    if not milestones:
        return []
    reached = set(
        UserCourseMilestone.objects.filter(user=user, milestone__in=milestones).values_list(
            "milestone_id", flat=True
        )
    )
    open_ones = [m for m in milestones if m.pk not in reached]
    if not open_ones:
        return []
    if completed_wods is None:
        wod_ids = [m.wod_id for m in open_ones if m.wod_id]
        completed_wods = set(
            NodeProgress.objects.filter(
                user=user, node_type=NodeType.WOD, node_id__in=wod_ids, state__in=DONE_STATES
            ).values_list("node_id", flat=True)
        )
    block_ids = [m.block_id for m in open_ones if m.block_id]
    blocks = {bp.block_id: bp for bp in BlockProgress.objects.filter(user=user, block_id__in=block_ids)}
    new = []
    for milestone in open_ones:
        evidence = _milestone_reached(milestone, completed_wods=completed_wods, blocks=blocks)
        if evidence is None:
            continue
        new.append(
            UserCourseMilestone(
                user=user,
                course_id=milestone.course_id,
                milestone=milestone,
                community_id=milestone.course.community_id,
                achieved_at=now,
                score=evidence.get("score"),
                points=milestone.points_awarded,
                evidence=evidence,
            )
        )
    if new:
        UserCourseMilestone.objects.bulk_create(new, ignore_conflicts=True)
    return new


def milestones_evaluate_after_ingest(*, user, result) -> list[UserCourseMilestone]:
    """Milestones the batch can have reached: of its completed WODs and of its events' blocks
    (in the communities of its events, which ingest checked the learner belongs to)."""
    completed_wods = set(result.completed_nodes.get(NodeType.WOD, []))
    block_ids = {event_value(e, "block_id") for e in result.events} - {None}
    if not completed_wods and not block_ids:
        return []
    # Ingest read which of its blocks and WODs a milestone names: none, nothing to look up.
    named_blocks = getattr(result, "milestone_blocks", None)
    named_wods = getattr(result, "milestone_wods", None)
    if named_blocks is not None and named_wods is not None:
        if not (block_ids & named_blocks) and not (completed_wods & named_wods):
            return []
    milestones = list(
        CourseMilestone.objects.filter(
            Q(milestone_type=MilestoneType.WOD_COMPLETION, wod_id__in=completed_wods)
            | Q(milestone_type__in=[MilestoneType.ASSESSMENT, MilestoneType.PROJECT], block_id__in=block_ids),
            course__community_id__in={event_value(e, "community_id") for e in result.events},
        ).select_related("course")
    )
    return milestones_evaluate(user=user, milestones=milestones, completed_wods=completed_wods)


def certificate_issue(*, user, course: Course, now=None) -> tuple[Certificate, bool]:
    """Issue ``user``'s certificate for ``course`` (idempotent: returns the existing one and False).

    Raises ``ValidationError`` when the course offers no certificate, is not complete for the
    learner, or a required milestone is missing.
    """
    now = now or timezone.now()
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing is not None:
        return existing, False
    if not course.certification_available:
        raise ValidationError({"course": "This course does not offer a certificate."})
    row = NodeProgress.objects.filter(user=user, node_type=NodeType.COURSE, node_id=course.pk).first()
    if row is None or row.state not in DONE_STATES:
        raise ValidationError({"course": "The course is not complete yet."})
    required = CourseMilestone.objects.filter(course=course, required_for_completion=True)
    missing = required.exclude(achievements__user=user)
    if missing.exists():
        raise ValidationError({"course": "A required milestone of the course is not reached yet."})
    points = (
        UserCourseMilestone.objects.filter(user=user, course=course).aggregate(total=Sum("points"))["total"]
        or 0
    )
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                user=user,
                course=course,
                community_id=course.community_id,
                learner_name=learner_display_name(user),
                course_title=course.title,
                community_name=course.community.name,
                issued_at=now,
                completed_at=row.completed_at,
                points=points,
            )
    except IntegrityError:  # issued concurrently
        return Certificate.objects.get(user=user, course=course), False
    CourseEnrollment.objects.filter(user=user, course=course, certificate_issued_at__isnull=True).update(
        certificate_issued_at=now, updated_at=now
    )
    return certificate, True


def certificates_issue_after_ingest(*, user, result, new_milestones=()) -> list[Certificate]:
    """Certificates of courses the batch completed, or whose last required milestone it reached."""
    course_ids = set(result.completed_nodes.get(NodeType.COURSE, []))
    course_ids |= {m.course_id for m in new_milestones}
    if not course_ids:
        return []
    done = set(
        NodeProgress.objects.filter(
            user=user, node_type=NodeType.COURSE, node_id__in=course_ids, state__in=DONE_STATES
        ).values_list("node_id", flat=True)
    )
    courses = Course.objects.filter(pk__in=done, certification_available=True).exclude(
        certificates__user=user
    )
    issued = []
    for course in courses.select_related("community"):
        try:
            certificate, created = certificate_issue(user=user, course=course)
        except ValidationError:
            continue  # a required milestone is still missing
        if created:
            issued.append(certificate)
    return issued
