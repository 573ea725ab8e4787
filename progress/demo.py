"""Demo content for progress: two communities, a full program with every block type, learners
with history. Idempotent: content is matched on natural keys and only saved when it differs;
learner history is replayed with fixed idempotency keys, so a second run is a no-op."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from config.errors import Locked
from config.management.commands.seed_demo import DemoLogin, demo_user

from .demo_content import GYM_COURSES, GYM_PROGRAM, OTHER_COURSES, OTHER_PROGRAM
from .models import (
    Block,
    BlockType,
    Community,
    Course,
    CourseWod,
    Membership,
    MembershipRole,
    Page,
    Prerequisite,
    Program,
    ProgramCourse,
    PublishStatus,
    Wod,
)
from .services import events_ingest, program_enroll

SYNTHETIC_LEARNERS = [
    "gym-ana",
    "gym-ben",
    "gym-chloe",
    "gym-dev",
    "gym-elif",
    "gym-farid",
    "gym-gus",
    "gym-hana",
]


def upsert(model, lookup: dict, values: dict):
    """Get the row matching ``lookup``; create it, or save only the fields that differ."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save(update_fields=changed)
    return obj


def wod_blocks(spec: dict) -> list[tuple[str, list[tuple[str, str, dict, bool]]]]:
    """Two pages (learn, practise) of (type, title, content, required) blocks for a WOD spec."""
    slug = spec["title"].lower().replace(":", "").replace(" ", "-")
    learn = [
        (BlockType.SECTION_HEADER, "", {"heading": spec["title"], "subheading": spec["summary"]}, True),
        (
            BlockType.VIDEO,
            "Watch: " + spec["title"],
            {
                "url": spec["video"],
                "provider": "file",
                "duration_s": 420,
                "transcript": spec["summary"] + " In this session we work through it with real examples.",
            },
            True,
        ),
        (
            BlockType.RICH_TEXT,
            "Key idea",
            {
                "format": "markdown",
                "body": f"**{spec['summary']}**\n\n" + "\n".join(f"- {p}" for p in spec["points"]),
            },
            True,
        ),
        (BlockType.LIST, "Checklist", {"style": "checklist", "items": spec["points"]}, True),
        (
            BlockType.IMAGE,
            "Diagram",
            {
                "url": f"https://img.example.com/aigym/{slug}.png",
                "alt": f"Diagram: {spec['title']}",
                "caption": spec["summary"],
            },
            False,
        ),
        (BlockType.CALLOUT, "", {"tone": "tip", "text": spec["points"][0] + " before anything else."}, True),
    ]
    practise = [
        (
            BlockType.ACCORDION,
            "Common questions",
            {
                "sections": [
                    {"title": f"Why: {p}?", "body": f"{p} — {spec['explanation']}"}
                    for p in spec["points"][:3]
                ]
            },
            True,
        ),
        (
            BlockType.DOCUMENT,
            "Cheat sheet",
            {
                "url": f"https://docs.example.com/aigym/{slug}.pdf",
                "file_type": "pdf",
                "pages": 2,
                "summary": "One page to keep next to your keyboard.",
            },
            False,
        ),
        (BlockType.DIVIDER, "", {"style": "line"}, True),
        (
            BlockType.QUIZ,
            "Check your understanding",
            {
                "instructions": "Choose the best answer.",
                "questions": [
                    {
                        "prompt": spec["question"],
                        "choices": spec["choices"],
                        "correct_index": spec["answer"],
                        "explanation": spec["explanation"],
                    },
                    {
                        "prompt": f"Which of these is part of '{spec['title']}'?",
                        "choices": [spec["points"][1], "Skipping the review step", "Guessing missing values"],
                        "correct_index": 0,
                        "explanation": "It is one of the steps in the checklist.",
                    },
                ],
            },
            True,
        ),
        (
            BlockType.PROMPT,
            "Your turn",
            {"question": spec["prompt"], "placeholder": "Write here...", "min_words": 20},
            True,
        ),
        (
            BlockType.AGENT,
            "Practise with the coach",
            {
                "agent_name": "Gym Coach",
                "goal": spec["agent_goal"],
                "opening_message": f"Hi! Today: {spec['title'].lower()}. What are you working on?",
                "max_turns": 12,
            },
            False,
        ),
        (
            BlockType.USER_SUBMISSION,
            "Share your work",
            {
                "instructions": "Submit your prompt or a link to your result for feedback.",
                "submission_type": "link",
            },
            True,
        ),
    ]
    return [("Learn", learn), ("Practise", practise)]


def build_program(community, program_spec, course_specs) -> tuple[Program, list[Course], list[Wod]]:
    program = upsert(
        Program,
        {"community": community, "title": program_spec["title"]},
        {**{k: v for k, v in program_spec.items() if k != "title"}, "status": PublishStatus.PUBLISHED},
    )
    courses, wods = [], []
    for course_order, course_spec in enumerate(course_specs):
        course = upsert(
            Course,
            {"community": community, "title": course_spec["title"]},
            {
                "description": course_spec["description"],
                "difficulty": course_spec["difficulty"],
                "estimated_duration_minutes": course_spec["estimated_duration_minutes"],
                "status": PublishStatus.PUBLISHED,
            },
        )
        upsert(ProgramCourse, {"program": program, "course": course}, {"order": course_order})
        courses.append(course)
        for wod_order, spec in enumerate(course_spec["wods"]):
            wod = upsert(
                Wod,
                {"community": community, "title": spec["title"]},
                {
                    "description": spec["summary"],
                    "difficulty": spec["difficulty"],
                    "duration_minutes": 25,
                    "categories": spec["categories"],
                    "status": PublishStatus.PUBLISHED,
                },
            )
            upsert(CourseWod, {"course": course, "wod": wod}, {"order": wod_order})
            wods.append(wod)
            for page_order, (page_title, blocks) in enumerate(wod_blocks(spec)):
                page = upsert(
                    Page, {"wod": wod, "order": page_order}, {"title": page_title, "is_published": True}
                )
                for block_order, (block_type, title, content, required) in enumerate(blocks):
                    upsert(
                        Block,
                        {"page": page, "order": block_order},
                        {"block_type": block_type, "title": title, "content": content, "required": required},
                    )
    return program, courses, wods


def member(user, community, role=MembershipRole.LEARNER):
    upsert(Membership, {"user": user, "community": community}, {"role": role})


def history(user, wods, *, rng: random.Random, wod_count: int, days: int = 30):
    """Work through the first ``wod_count`` WODs in order (stopping at a locked one)."""
    # Sessions of a handful of blocks, one a day with some days off, from ``days`` ago.
    now = timezone.now()
    day = now - timedelta(days=days)
    session_left, minute = rng.randint(6, 14), 0
    for wod in wods[:wod_count]:
        events = []
        blocks = Block.objects.filter(page__wod=wod).order_by("page__order", "order")
        for block in blocks:
            if session_left == 0:
                day += timedelta(days=rng.choice((1, 1, 1, 2, 3)))
                session_left, minute = rng.randint(6, 14), 0
            session_left -= 1
            minute += rng.randint(3, 9)
            occurred = min(day + timedelta(minutes=minute), now - timedelta(minutes=30))
            base = {
                "block": block.pk,
                "occurred_at": occurred,
                "time_spent_s": rng.randint(20, 400),
                "difficulty_rating": rng.randint(1, 5),
                "confidence_level": rng.randint(1, 5),
            }
            if block.block_type == BlockType.VIDEO:
                events.append(
                    {**base, "event": "progressed", "progress": 0.5, "idempotency_key": f"demo-{block.pk}-p"}
                )
                base["occurred_at"] = occurred + timedelta(minutes=4)
                events.append(
                    {**base, "event": "progressed", "progress": 1.0, "idempotency_key": f"demo-{block.pk}-w"}
                )
            elif block.block_type == BlockType.QUIZ:
                events.append(
                    {
                        **base,
                        "event": "answered",
                        "score": round(rng.uniform(0.5, 1.0), 2),
                        "interaction_data": {"answers": [0, 0]},
                        "idempotency_key": f"demo-{block.pk}-a",
                    }
                )
            elif block.block_type in (BlockType.PROMPT, BlockType.USER_SUBMISSION):
                events.append({**base, "event": "submitted", "idempotency_key": f"demo-{block.pk}-s"})
            elif block.block_type == BlockType.AGENT:
                events.append({**base, "event": "completed", "idempotency_key": f"demo-{block.pk}-c"})
            else:
                events.append({**base, "event": "viewed", "idempotency_key": f"demo-{block.pk}-v"})
        try:
            events_ingest(user=user, events=events)
        except Locked:
            return


def seed(*, stdout):
    gym = upsert(
        Community,
        {"slug": "demo-gym"},
        {"name": "Demo Gym", "description": "The AI gym: daily workouts for working with AI."},
    )
    club = upsert(
        Community,
        {"slug": "riverside-robotics"},
        {"name": "Riverside Robotics Club", "description": "Hands-on robotics for beginners."},
    )
    program, courses, wods = build_program(gym, GYM_PROGRAM, GYM_COURSES)
    upsert(
        Prerequisite,
        {"course": courses[1], "required_course": courses[0]},
        {"min_percent": 50, "require_mastered": False},
    )
    capstone, research = wods[-1], wods[-2]
    upsert(
        Prerequisite,
        {"wod": capstone, "required_wod": research},
        {"min_percent": 100, "require_mastered": False},
    )
    other_program, _, other_wods = build_program(club, OTHER_PROGRAM, OTHER_COURSES)

    learner = demo_user("learner", password="learner")
    learner2 = demo_user("learner2", password="learner2")
    member(learner, gym)
    member(learner2, club)
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is not None:
        member(admin, gym, MembershipRole.ADMIN)
        member(admin, club, MembershipRole.ADMIN)
    designer = get_user_model().objects.filter(username="designer").first()
    if designer is not None:
        member(designer, gym, MembershipRole.INSTRUCTOR)

    program_enroll(user=learner, program=program)
    history(learner, wods, rng=random.Random("progress-learner"), wod_count=2, days=5)
    program_enroll(user=learner2, program=other_program)
    history(learner2, other_wods, rng=random.Random("progress-learner2"), wod_count=1, days=3)
    for index, username in enumerate(SYNTHETIC_LEARNERS):
        user = demo_user(username, password=username)
        member(user, gym)
        program_enroll(user=user, program=program)
        rng = random.Random(f"progress-{username}")
        history(user, wods, rng=rng, wod_count=rng.randint(1, len(wods)), days=30 + index)
    # Achievements, milestones, certificates and analytics for what the learners did above.
    from .demo_achievements import seed as seed_achievements

    seed_achievements(stdout=stdout)
    blocks = Block.objects.filter(page__wod__community=gym).count()
    stdout.write(
        f"  progress: {gym.name} has {len(wods)} WODs and {blocks} blocks; "
        f"{len(SYNTHETIC_LEARNERS)} synthetic learners (gym-*, password = username) with history"
    )
    return [
        DemoLogin("learner", "learner", "learner in Demo Gym (AI Automation Foundations, with history)"),
        DemoLogin("learner2", "learner2", "learner in Riverside Robotics Club only"),
    ]
