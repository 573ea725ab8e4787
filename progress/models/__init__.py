"""Communities, programs > courses > WODs > pages > blocks, enrollments and progress roll-ups.

The models live in modules by concern; this package re-exports them so ``progress.models.X``
works everywhere. New concerns (achievements, certificates, analytics) get their own module
and one import line here.
"""

from .achievements import Achievement, AchievementType, CriterionType, UserAchievement  # noqa: F401
from .analytics import AnalyticsPeriod, LearningAnalytics  # noqa: F401
from .certificates import Certificate, CourseMilestone, MilestoneType, UserCourseMilestone  # noqa: F401
from .community import Community, Membership, MembershipRole
from .content import (
    BLOCK_RULES,
    Block,
    BlockType,
    CompletionRule,
    Course,
    CourseWod,
    Difficulty,
    Page,
    Prerequisite,
    PrerequisiteMode,
    Program,
    ProgramCourse,
    PublishStatus,
    Wod,
)
from .learning import (
    BlockProgress,
    BlockState,
    CourseEnrollment,
    EnrollmentStatus,
    LearnerState,
    NodeProgress,
    NodeType,
    ProgramEnrollment,
    ProgressEvent,
    ProgressVerb,
)

__all__ = [
    "BLOCK_RULES",
    "CompletionRule",
    "Block",
    "BlockProgress",
    "BlockState",
    "BlockType",
    "Community",
    "Course",
    "CourseEnrollment",
    "CourseWod",
    "Difficulty",
    "EnrollmentStatus",
    "LearnerState",
    "Membership",
    "MembershipRole",
    "NodeProgress",
    "NodeType",
    "Page",
    "Prerequisite",
    "PrerequisiteMode",
    "Program",
    "ProgramCourse",
    "ProgramEnrollment",
    "ProgressEvent",
    "ProgressVerb",
    "PublishStatus",
    "Wod",
]
