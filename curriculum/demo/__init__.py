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
    return 0.3  # the referral: a last resort that rarely settles things within the step


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


def _walk(*, user, enrollment, plan_codes, rng):
    """One demo learner works through the curriculum: on each step they try the plan they are
    on, swap to an untried one when it does not work, and stop when every plan failed."""
    energy, food = enrollment.traits["energy_level"], enrollment.traits["food_motivation"]
    state = enrollment.step_states.select_related("current_alternative").get(step=enrollment.current_step)
    order, plan, tried = enrollment.current_step.order, state.current_alternative.code, set()
    while True:
        tried.add(plan)
        if rng.random() < _success_chance(plan, energy, food):
            result = services.coach_status_record(
                user=user, enrollment=enrollment, step_order=order, plan_id=plan, outcome=Outcome.SUCCESS
            )
            enrollment = result.enrollment
            if enrollment.state != Enrollment.State.ACTIVE:
                return
            state = EnrollmentStep.objects.select_related("current_alternative").get(
                enrollment=enrollment, step=enrollment.current_step
            )
            order, plan, tried = enrollment.current_step.order, state.current_alternative.code, set()
            continue
        untried = [code for code in plan_codes[order] if code not in tried]
        if not untried:
            services.coach_status_record(
                user=user, enrollment=enrollment, step_order=order, plan_id=plan, outcome=Outcome.STOPPED
            )
            return  # paused on this step, like a real learner
        following = rng.choice(untried)
        services.coach_status_record(
            user=user,
            enrollment=enrollment,
            step_order=order,
            plan_id=plan,
            outcome=Outcome.SWAPPED,
            next_plan_id=following,
            reason="ineffective",
        )
        plan = following


def seed(*, stdout) -> list[DemoLogin] | None:
    curriculum = seed_content()
    User = get_user_model()
    rng = random.Random(0)
    plan_codes = {
        step.order: [plan.code for plan in step.alternatives.offered().order_by("order")]
        for step in curriculum.steps.all()
    }
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
        _walk(user=user, enrollment=enrollment, plan_codes=plan_codes, rng=learner_rng)
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
