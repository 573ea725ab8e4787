"""Enrollments mirror their program's or course's roll-up (percent, status, current child)."""

from ..models import CourseEnrollment, EnrollmentStatus, NodeType, ProgramEnrollment
from ..rollup import DONE_STATES, node_state
from ..sql import load_enrollments, load_node_rows


def update_enrollments(user, structures, rows, keys, now) -> dict:
    """Mirror changed course and program roll-ups onto the learner's enrollments; return each
    enrollment's registration by node key."""
    program_ids = [i for t, i in keys if t == NodeType.PROGRAM]
    course_ids = [i for t, i in keys if t == NodeType.COURSE]
    registrations = {}
    programs, courses = load_enrollments(user.pk, program_ids, course_ids)
    if not programs and not courses:
        return registrations
    # Children of enrolled nodes, to find the current course / WOD.
    child_keys = set()
    for enrollment in programs:
        structure = structures[enrollment.community_id]
        child_keys |= {(NodeType.COURSE, c) for c in structure.programs[enrollment.program_id].children}
    for enrollment in courses:
        structure = structures[enrollment.community_id]
        child_keys |= {(NodeType.WOD, w) for w in structure.courses[enrollment.course_id].children}
    missing = child_keys - set(rows)
    children = {**load_node_rows(user.pk, missing), **rows} if missing else rows

    def first_open(structure, child_type, child_ids):
        for child_id in child_ids:
            row = children.get((child_type, child_id))
            state = (
                row.state
                if row
                else node_state(structure.node(child_type, child_id).required_total, 0, 0, 0, None)
            )
            if state not in DONE_STATES:
                return child_id
        return None

    for enrollment in programs:
        structure = structures[enrollment.community_id]
        row = rows[(NodeType.PROGRAM, enrollment.program_id)]
        registrations[(NodeType.PROGRAM, enrollment.program_id)] = enrollment.registration
        mirror_enrollment(enrollment, row, now)
        enrollment.current_course_id = first_open(
            structure, NodeType.COURSE, structure.programs[enrollment.program_id].children
        )
    for enrollment in courses:
        structure = structures[enrollment.community_id]
        row = rows[(NodeType.COURSE, enrollment.course_id)]
        registrations[(NodeType.COURSE, enrollment.course_id)] = enrollment.registration
        mirror_enrollment(enrollment, row, now)
        enrollment.current_wod_id = first_open(
            structure, NodeType.WOD, structure.courses[enrollment.course_id].children
        )
    fields = ["completion_percent", "status", "completed_at", "updated_at"]
    if programs:
        ProgramEnrollment.objects.bulk_update(programs, [*fields, "current_course"])
    if courses:
        CourseEnrollment.objects.bulk_update(courses, [*fields, "current_wod"])
    return registrations


def mirror_enrollment(enrollment, row, now):
    enrollment.completion_percent = row.percent
    enrollment.updated_at = now
    if row.state in DONE_STATES:
        if enrollment.status == EnrollmentStatus.ACTIVE:
            enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.completed_at = enrollment.completed_at or row.completed_at or now
    elif enrollment.status == EnrollmentStatus.COMPLETED:
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.completed_at = None
