"""Factories for the progress app: communities, content trees, enrollments and learner state."""

import factory
from django.utils import timezone

from progress.models import (
    Block,
    BlockProgress,
    BlockState,
    BlockType,
    Community,
    Course,
    CourseEnrollment,
    CourseWod,
    Membership,
    MembershipRole,
    NodeProgress,
    NodeType,
    Page,
    Prerequisite,
    Program,
    ProgramCourse,
    ProgramEnrollment,
    PublishStatus,
    Wod,
)
from tests.factories import UserFactory

# Valid content for every block type (each matches progress/schemas/block_<type>.json).
BLOCK_CONTENT = {
    BlockType.VIDEO: {"url": "https://videos.example.com/intro.mp4", "provider": "file", "duration_s": 300},
    BlockType.AGENT: {"agent_name": "Coach", "opening_message": "What would you like to automate?"},
    BlockType.QUIZ: {
        "questions": [
            {
                "prompt": "What does a prompt template contain?",
                "choices": ["Slots", "Nothing"],
                "correct_index": 0,
            }
        ]
    },
    BlockType.RICH_TEXT: {"format": "markdown", "body": "A **prompt** is an instruction."},
    BlockType.SECTION_HEADER: {"heading": "Getting started"},
    BlockType.DOCUMENT: {"url": "https://docs.example.com/guide.pdf", "file_type": "pdf"},
    BlockType.LIST: {"style": "bulleted", "items": ["One", "Two"]},
    BlockType.DIVIDER: {"style": "line"},
    BlockType.ACCORDION: {"sections": [{"title": "Why?", "body": "Because."}]},
    BlockType.PROMPT: {"question": "Describe your workflow."},
    BlockType.USER_SUBMISSION: {"instructions": "Upload your template.", "submission_type": "file"},
    BlockType.IMAGE: {"url": "https://img.example.com/diagram.png", "alt": "A diagram"},
    BlockType.CALLOUT: {"tone": "tip", "text": "Save your prompts."},
}


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = MembershipRole.LEARNER


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Program {n}")
    status = PublishStatus.PUBLISHED


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    status = PublishStatus.PUBLISHED


class WodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wod

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"WOD {n}")
    status = PublishStatus.PUBLISHED
    duration_minutes = 20
    categories = factory.LazyFunction(lambda: ["prompting"])


class ProgramCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramCourse

    program = factory.SubFactory(ProgramFactory)
    course = factory.SubFactory(CourseFactory, community=factory.SelfAttribute("..program.community"))
    order = factory.Sequence(lambda n: n)


class CourseWodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseWod

    course = factory.SubFactory(CourseFactory)
    wod = factory.SubFactory(WodFactory, community=factory.SelfAttribute("..course.community"))
    order = factory.Sequence(lambda n: n)


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    wod = factory.SubFactory(WodFactory)
    title = factory.Sequence(lambda n: f"Page {n}")
    order = factory.Sequence(lambda n: n)


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    page = factory.SubFactory(PageFactory)
    block_type = BlockType.RICH_TEXT
    title = factory.Sequence(lambda n: f"Block {n}")
    order = factory.Sequence(lambda n: n)
    content = factory.LazyAttribute(lambda b: dict(BLOCK_CONTENT[b.block_type]))
    required = True


class PrerequisiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prerequisite

    min_percent = 100


class ProgramEnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramEnrollment

    user = factory.SubFactory(UserFactory)
    program = factory.SubFactory(ProgramFactory)
    community = factory.SelfAttribute("program.community")


class CourseEnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseEnrollment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    community = factory.SelfAttribute("course.community")


class BlockProgressFactory(factory.django.DjangoModelFactory):
    """Raw leaf state; roll-ups are not updated (use progress.services.events_ingest for that)."""

    class Meta:
        model = BlockProgress

    user = factory.SubFactory(UserFactory)
    block = factory.SubFactory(BlockFactory)
    community = factory.SelfAttribute("block.page.wod.community")
    state = BlockState.COMPLETED
    time_spent_s = 30
    interaction_count = 1
    first_interaction_at = factory.LazyFunction(timezone.now)
    last_interaction_at = factory.LazyFunction(timezone.now)


class NodeProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NodeProgress

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    node_type = NodeType.WOD
    node_id = 0


def build_program(
    *,
    community=None,
    courses=2,
    wods_per_course=2,
    pages_per_wod=2,
    blocks_per_page=3,
    block_types=(BlockType.RICH_TEXT, BlockType.VIDEO, BlockType.QUIZ),
    **program_kwargs,
):
    """A published program with ``courses`` > WODs > pages > blocks (types cycle through
    ``block_types``). Returns the program; its parts are reachable through the relations."""
    community = community or CommunityFactory()
    program = ProgramFactory(community=community, **program_kwargs)
    index = 0
    for c in range(courses):
        course = CourseFactory(community=community, title=f"{program.title} course {c + 1}")
        ProgramCourse.objects.create(program=program, course=course, order=c)
        for w in range(wods_per_course):
            wod = WodFactory(community=community, title=f"{course.title} WOD {w + 1}")
            CourseWod.objects.create(course=course, wod=wod, order=w)
            for p in range(pages_per_wod):
                page = PageFactory(wod=wod, order=p, title=f"{wod.title} page {p + 1}")
                for b in range(blocks_per_page):
                    BlockFactory(page=page, order=b, block_type=block_types[index % len(block_types)])
                    index += 1
    return program
