"""Enrolling in programs and courses."""

from django.db import transaction
from django.utils import timezone

from config.errors import Locked

from ..models import Course, CourseEnrollment, EnrollmentStatus, NodeType, Program, ProgramEnrollment
from ..rollup import DONE_STATES
from ..selectors.progress import node_rows, rule_keys, unmet_rules, view_of
from ..selectors.structure import community_structure
from .ingest import lock_learner


def _first_open(structure, child_type, child_ids, rows):
    for child_id in child_ids:
        if view_of(structure, (child_type, child_id), rows).state not in DONE_STATES:
            return child_id
    return None


def _initial_fields(structure, key, rows, now) -> dict:
    view = view_of(structure, key, rows)
    done = view.state in DONE_STATES
    return {
        "completion_percent": view.percent,
        "status": EnrollmentStatus.COMPLETED if done else EnrollmentStatus.ACTIVE,
        "completed_at": (view.completed_at or now) if done else None,
    }


def program_enroll(*, user, program: Program) -> tuple[ProgramEnrollment, bool]:
    """Enroll ``user`` in ``program`` (visible to them); enrolling again returns the existing
    enrollment and ``created=False``."""
    with transaction.atomic():
        lock_learner(user)
        existing = ProgramEnrollment.objects.filter(user=user, program=program).first()
        if existing is not None:
            return existing, False
        structure = community_structure(program.community_id)
        node = structure.programs.get(program.pk)
        courses = node.children if node else []
        key = (NodeType.PROGRAM, program.pk)
        rows = node_rows(user.pk, [key, *[(NodeType.COURSE, c) for c in courses]])
        now = timezone.now()
        enrollment = ProgramEnrollment.objects.create(
            user=user,
            program=program,
            community_id=program.community_id,
            current_course_id=_first_open(structure, NodeType.COURSE, courses, rows),
            **(_initial_fields(structure, key, rows, now) if node else {}),
        )
        return enrollment, True


def course_enroll(*, user, course: Course) -> tuple[CourseEnrollment, bool]:
    """Enroll ``user`` in ``course``; ``config.errors.Locked`` when its prerequisites are unmet. Enrolling
    again returns the existing enrollment and ``created=False``."""
    with transaction.atomic():
        lock_learner(user)
        existing = CourseEnrollment.objects.filter(user=user, course=course).first()
        if existing is not None:
            return existing, False
        structure = community_structure(course.community_id)
        key = (NodeType.COURSE, course.pk)
        node = structure.courses.get(course.pk)
        wods = node.children if node else []
        rows = node_rows(user.pk, {key, *rule_keys(structure, [key]), *[(NodeType.WOD, w) for w in wods]})
        unmet = unmet_rules(structure, NodeType.COURSE, course.pk, rows)
        if unmet:
            raise Locked(
                f"{course.title} is locked until its prerequisites are met.",
                locked={"node_type": NodeType.COURSE, "node_id": course.pk, "title": course.title},
                unmet=unmet,
            )
        program_enrollment = (
            ProgramEnrollment.objects.filter(
                user=user, program_id__in=structure.course_programs.get(course.pk, [])
            )
            .order_by("enrolled_at", "id")
            .first()
        )
        now = timezone.now()
        enrollment = CourseEnrollment.objects.create(
            user=user,
            course=course,
            community_id=course.community_id,
            program_enrollment=program_enrollment,
            current_wod_id=_first_open(structure, NodeType.WOD, wods, rows),
            **(_initial_fields(structure, key, rows, now) if node else {}),
        )
        return enrollment, True
