"""Demo content: a separation-anxiety curriculum for dogs with Plans A-D per step, and a
deterministic outcome history from a few demo learners so the ranking shows its evidence.

Idempotent: content is upserted on natural keys (slug, step order, plan code); the demo
learners' history is written only once (a learner who already has an enrollment is skipped).
"""

import random

from django.contrib.auth import get_user_model

from config.management.commands.seed_demo import DemoLogin

from .. import services
from ..models import Alternative, Curriculum, Enrollment, EnrollmentStep, Outcome, Step
from .content import LEVELS, STEPS, TRAIT_SCHEMA

SLUG = "separation-anxiety"


# Chance that a plan works on one attempt, by the demo dog's traits (the story the data tells).
def _success_chance(code: str, energy: str, food: str) -> float:
    if code == "A":
        return 0.15 if food == "low" else (0.3 if energy == "high" else 0.75)
    if code == "B":
        return 0.7 if food == "low" else 0.45
    if code == "C":
        return 0.8 if energy == "high" else 0.4
    return 0.5


DEMO_LEARNERS = [(energy, food) for energy in LEVELS for food in LEVELS for _ in range(5)]


def seed_content() -> Curriculum:
    curriculum, _ = Curriculum.objects.update_or_create(
        slug=SLUG,
        defaults={
            "title": "Separation anxiety: home alone, calmly",
            "description": "Six steps from settling at a distance to real departures. Each step has Plan A "
            "and alternatives for dogs it does not suit.",
            "learner_noun": "dogs",
            "trait_schema": TRAIT_SCHEMA,
        },
    )
    for order, spec in enumerate(STEPS, start=1):
        step, _ = Step.objects.update_or_create(
            curriculum=curriculum,
            order=order,
            defaults={
                "title": spec["title"],
                "goal": spec["goal"],
                "success_criteria": spec["success_criteria"],
            },
        )
        for plan_order, plan in enumerate(spec["plans"], start=1):
            Alternative.objects.update_or_create(
                step=step,
                code=plan["code"],
                defaults={
                    **{k: v for k, v in plan.items() if k != "code"},
                    "order": plan_order,
                    "is_active": True,
                },
            )
    services.curriculum_publish(user=None, curriculum=curriculum)
    return curriculum


def _walk(*, user, enrollment, rng):
    energy, food = enrollment.traits["energy_level"], enrollment.traits["food_motivation"]
    for _ in range(40):  # a bounded walk through the curriculum
        enrollment.refresh_from_db()
        if enrollment.state != Enrollment.State.ACTIVE:
            return
        step = enrollment.current_step
        state = EnrollmentStep.objects.select_related("current_alternative").get(
            enrollment=enrollment, step=step
        )
        plan = state.current_alternative
        if rng.random() < _success_chance(plan.code, energy, food):
            services.coach_status_record(
                user=user,
                enrollment=enrollment,
                step_order=step.order,
                plan_id=plan.code,
                outcome=Outcome.SUCCESS,
            )
            continue
        tried = set(enrollment.history.filter(step=step).values_list("alternative__code", flat=True)) | {
            plan.code
        }
        untried = [a.code for a in step.alternatives.order_by("order") if a.code not in tried]
        if not untried:
            return  # stays stopped on this step, like a real learner who paused
        services.coach_status_record(
            user=user,
            enrollment=enrollment,
            step_order=step.order,
            plan_id=plan.code,
            outcome=Outcome.SWAPPED,
            next_plan_id=rng.choice(untried),
            reason="ineffective",
        )


def seed(*, stdout) -> list[DemoLogin] | None:
    curriculum = seed_content()
    User = get_user_model()
    rng = random.Random(0)
    written = 0
    for index, (energy, food) in enumerate(DEMO_LEARNERS, start=1):
        user, created = User.objects.get_or_create(username=f"demo-dog-owner-{index:02d}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        learner_rng = random.Random(rng.random())
        if Enrollment.objects.filter(user=user, curriculum=curriculum).exists():
            continue
        enrollment, _ = services.enrollment_get_or_create(
            user=user, curriculum=curriculum, traits={"energy_level": energy, "food_motivation": food}
        )
        _walk(user=user, enrollment=enrollment, rng=learner_rng)
        written += 1
    athlete = User.objects.filter(username="athlete").first()
    if athlete is not None:
        services.enrollment_get_or_create(
            user=athlete,
            curriculum=curriculum,
            traits={"energy_level": "high", "food_motivation": "medium", "age_band": "adult"},
        )
    stdout.write(
        f"  curriculum {SLUG}: {curriculum.steps.count()} steps, "
        f"{Alternative.objects.filter(step__curriculum=curriculum).count()} alternatives, "
        f"{written} demo learner histories written"
    )
    return None
