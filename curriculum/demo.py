"""Demo content: a separation-anxiety curriculum for dogs with Plans A-D per step, and a
deterministic outcome history from a few demo learners so the ranking shows its evidence.

Idempotent: content is upserted on natural keys (slug, step order, plan code); the demo
learners' history is written only once (a learner who already has an enrollment is skipped).
"""

import random

from django.contrib.auth import get_user_model

from config.management.commands.seed_demo import DemoLogin

from . import services
from .models import Alternative, Curriculum, Enrollment, EnrollmentStep, Outcome, Step

SLUG = "separation-anxiety"
LEVELS = ["low", "medium", "high"]

TRAIT_SCHEMA = {
    "type": "object",
    "properties": {
        "energy_level": {
            "type": "string",
            "title": "Energy level",
            "enum": LEVELS,
            "x-segment": True,
            "x-segment-labels": {"low": "low energy", "medium": "medium energy", "high": "high energy"},
        },
        "food_motivation": {
            "type": "string",
            "title": "Food motivation",
            "enum": LEVELS,
            "x-segment": True,
            "x-segment-labels": {
                "low": "little interest in food",
                "medium": "some interest in food",
                "high": "a big appetite",
            },
        },
        "age_band": {"type": "string", "title": "Age band", "enum": ["puppy", "adult", "senior"]},
    },
    "required": ["energy_level", "food_motivation"],
    "additionalProperties": False,
}

NOT_FOOD_LOW = {
    "trait": "food_motivation",
    "operator": "not_in",
    "values": ["low"],
    "note": "Plan A uses food: it rarely holds the attention of dogs with little interest in food.",
}


def _plan(
    code, title, summary, prior, strength, *, instructions, minutes, reward, equipment, warnings, rules=()
):
    return {
        "code": code,
        "title": title,
        "summary": summary,
        "prior_success_rate": prior,
        "prior_strength": strength,
        "match_rules": list(rules),
        "content": {
            "instructions": instructions,
            "duration_minutes": minutes,
            "sessions_per_day": 2,
            "reward_type": reward,
            "equipment": equipment,
            "warning_signs": warnings,
        },
    }


PANIC = [
    "Pacing, panting or drooling",
    "Whining, howling or barking that escalates",
    "Scratching at the door",
]

STEPS = [
    {
        "title": "Settling at a distance",
        "goal": "Your dog rests on a mat while you move around the room and step out of sight for a moment.",
        "success_criteria": (
            "Stays relaxed on the mat for 5 minutes while you are across the room, three days running."
        ),
        "plans": [
            _plan(
                "A",
                "Food toy on the mat",
                "A stuffed food toy makes the mat the best place in the house.",
                0.65,
                4,
                instructions=[
                    "Stuff a food toy and give it on the mat.",
                    "Sit nearby, then move a step away every minute.",
                    "Pick up the toy when you return to the mat, before your dog gets up.",
                ],
                minutes=10,
                reward="food",
                equipment=["Mat or bed", "Stuffable food toy"],
                warnings=PANIC,
                rules=[NOT_FOOD_LOW],
            ),
            _plan(
                "B",
                "Toy and calm play",
                "For dogs who ignore food: a favourite toy, then calm praise on the mat.",
                0.5,
                3,
                instructions=[
                    "Play gently with the favourite toy on the mat.",
                    "Put the toy away and reward settling with calm praise.",
                    "Move away one step at a time; return before your dog follows.",
                ],
                minutes=10,
                reward="toy",
                equipment=["Mat or bed", "Favourite toy"],
                warnings=PANIC,
            ),
            _plan(
                "C",
                "Exercise first, then settle",
                "A sniffing walk first so an energetic dog can actually rest.",
                0.5,
                3,
                instructions=[
                    "Take a 20-minute sniffing walk.",
                    "Offer water, then guide your dog to the mat.",
                    "Practise moving away once your dog lies down on its own.",
                ],
                minutes=30,
                reward="exercise",
                equipment=["Long lead", "Mat or bed"],
                warnings=PANIC,
            ),
            _plan(
                "D",
                "Talk to a vet or behaviourist",
                "If your dog cannot settle even with you close, get help.",
                0.3,
                2,
                instructions=[
                    "Book a vet check to rule out pain or illness.",
                    "Ask for a referral to a qualified behaviourist.",
                    "Keep a one-week diary of when your dog cannot settle.",
                ],
                minutes=15,
                reward="none",
                equipment=["Notebook"],
                warnings=["Self-harm or not eating"],
            ),
        ],
    },
    {
        "title": "Departure cues",
        "goal": "Keys, shoes and coat stop predicting that you leave.",
        "success_criteria": "Your dog stays settled while you pick up keys and put on shoes ten times a day.",
        "plans": [
            _plan(
                "A",
                "Cues with a treat scatter",
                "Pick up keys, scatter a few treats, put the keys back.",
                0.65,
                4,
                instructions=[
                    "Pick up your keys and scatter three treats.",
                    "Put the keys down and sit again.",
                    "Repeat with shoes and coat once keys are boring.",
                ],
                minutes=5,
                reward="food",
                equipment=["Keys, shoes, coat", "Small treats"],
                warnings=PANIC,
                rules=[NOT_FOOD_LOW],
            ),
            _plan(
                "B",
                "Cues then a tug game",
                "Turn departure cues into a cue for a short game.",
                0.5,
                3,
                instructions=[
                    "Jingle the keys, then start a 30-second tug game.",
                    "End the game calmly and sit down.",
                    "Fade the game once your dog looks to you happily at the sound.",
                ],
                minutes=5,
                reward="play",
                equipment=["Tug toy", "Keys"],
                warnings=PANIC,
            ),
            _plan(
                "C",
                "Smaller pieces",
                "Break each cue into tiny parts: touch the keys, then lift them, then jingle.",
                0.55,
                3,
                instructions=[
                    "Touch the keys without lifting them, ten times.",
                    "Lift them an inch, ten times.",
                    "Only add the next part after two calm days.",
                ],
                minutes=5,
                reward="praise",
                equipment=["Keys"],
                warnings=PANIC,
            ),
            _plan(
                "D",
                "Talk to a vet or behaviourist",
                "Strong reactions to cues may need medication support.",
                0.3,
                2,
                instructions=[
                    "Film your dog's reaction to the keys.",
                    "Share it with your vet or a behaviourist.",
                ],
                minutes=10,
                reward="none",
                equipment=["Phone camera"],
                warnings=["Panic that lasts after you sit down"],
            ),
        ],
    },
    {
        "title": "Door thresholds",
        "goal": "You step through the front door and close it for a few seconds while your dog stays calm.",
        "success_criteria": "Ten calm closes of 10 seconds each in one session.",
        "plans": [
            _plan(
                "A",
                "Food toy while the door closes",
                "A food toy starts the moment you reach the door.",
                0.6,
                4,
                instructions=[
                    "Give the food toy, walk to the door.",
                    "Step out and close it for 2 seconds, come back in quietly.",
                    "Add seconds only while the toy still has your dog's attention.",
                ],
                minutes=10,
                reward="food",
                equipment=["Food toy"],
                warnings=PANIC,
                rules=[NOT_FOOD_LOW],
            ),
            _plan(
                "B",
                "Toy hidden before you go",
                "Hide a favourite toy to find while you step out.",
                0.5,
                3,
                instructions=[
                    "Hide the toy in the room.",
                    "Say 'find it', step out, close the door for 2 seconds.",
                    "Return calmly; praise the find.",
                ],
                minutes=10,
                reward="toy",
                equipment=["Favourite toy"],
                warnings=PANIC,
            ),
            _plan(
                "C",
                "Walk first, door after",
                "A tired dog copes with the door far better.",
                0.5,
                3,
                instructions=[
                    "Walk or play fetch for 20 minutes.",
                    "Rest 10 minutes, then practise the door.",
                    "Keep closes to 5 seconds at first.",
                ],
                minutes=35,
                reward="exercise",
                equipment=["Lead", "Ball"],
                warnings=PANIC,
            ),
            _plan(
                "D",
                "Camera check",
                "Watch on a camera to catch the first sign of worry.",
                0.45,
                3,
                instructions=[
                    "Set up a phone camera facing the door.",
                    "Step out and watch live.",
                    "Come back before the first worried sign, not after.",
                ],
                minutes=10,
                reward="praise",
                equipment=["Phone or pet camera"],
                warnings=PANIC,
            ),
        ],
    },
    {
        "title": "Micro-absences",
        "goal": "You leave the home for 30 seconds to 2 minutes.",
        "success_criteria": "Five calm absences of 2 minutes, seen on camera.",
        "plans": [
            _plan(
                "A",
                "Food toy and short outings",
                "A long-lasting food toy covers the first minutes.",
                0.6,
                4,
                instructions=[
                    "Give a frozen food toy.",
                    "Leave for 30 seconds, come back calmly.",
                    "Add 15 seconds per calm absence.",
                ],
                minutes=15,
                reward="food",
                equipment=["Frozen food toy", "Camera"],
                warnings=PANIC,
                rules=[NOT_FOOD_LOW],
            ),
            _plan(
                "B",
                "Sniff mat or puzzle toy",
                "Scent work keeps a dog busy without needing a big appetite.",
                0.5,
                3,
                instructions=[
                    "Hide a few pieces of a favourite chew in a sniff mat.",
                    "Leave while your dog searches.",
                    "Return before the search ends.",
                ],
                minutes=15,
                reward="toy",
                equipment=["Sniff mat", "Camera"],
                warnings=PANIC,
            ),
            _plan(
                "C",
                "Exercise, then out",
                "Leave only after a good walk, for energetic dogs.",
                0.5,
                3,
                instructions=[
                    "Walk 30 minutes.",
                    "Let your dog settle for 10 minutes.",
                    "Leave for 30 seconds, then build up.",
                ],
                minutes=45,
                reward="exercise",
                equipment=["Lead", "Camera"],
                warnings=PANIC,
            ),
            _plan(
                "D",
                "Smaller increments with a camera",
                "Add 5 seconds at a time and watch live.",
                0.45,
                3,
                instructions=[
                    "Watch live on a camera.",
                    "Add 5 seconds per calm absence.",
                    "Go back two levels after any worried sign.",
                ],
                minutes=15,
                reward="praise",
                equipment=["Camera"],
                warnings=PANIC,
            ),
        ],
    },
    {
        "title": "Building to 10 minutes",
        "goal": "Absences grow from 2 to 10 minutes.",
        "success_criteria": "Three calm 10-minute absences in a week.",
        "plans": [
            _plan(
                "A",
                "Long-lasting chew",
                "A chew that lasts the whole absence.",
                0.55,
                4,
                instructions=[
                    "Give a long-lasting chew as you leave.",
                    "Add one minute per calm absence.",
                    "Keep the chew only for absences.",
                ],
                minutes=20,
                reward="food",
                equipment=["Long-lasting chew", "Camera"],
                warnings=PANIC,
                rules=[NOT_FOOD_LOW],
            ),
            _plan(
                "B",
                "Calming routine and music",
                "Same calm routine every time: music on, lights low.",
                0.5,
                3,
                instructions=[
                    "Put on quiet music.",
                    "Do the same three steps before every absence.",
                    "Add one minute per calm absence.",
                ],
                minutes=20,
                reward="praise",
                equipment=["Speaker"],
                warnings=PANIC,
            ),
            _plan(
                "C",
                "Exercise and a rest before leaving",
                "Exercise, rest, then leave while your dog naps.",
                0.5,
                3,
                instructions=[
                    "Walk 30 minutes.",
                    "Rest together 15 minutes.",
                    "Leave while your dog naps; build by a minute.",
                ],
                minutes=60,
                reward="exercise",
                equipment=["Lead", "Camera"],
                warnings=PANIC,
            ),
            _plan(
                "D",
                "Talk to a vet or behaviourist",
                "Stuck under 10 minutes for weeks: ask for help.",
                0.35,
                2,
                instructions=[
                    "Share your diary and camera clips with your vet.",
                    "Ask about a behaviourist referral.",
                ],
                minutes=15,
                reward="none",
                equipment=["Diary", "Camera clips"],
                warnings=["No progress for 3 weeks"],
            ),
        ],
    },
    {
        "title": "Real departures",
        "goal": "Everyday departures of 30 minutes or more: work, shopping, school runs.",
        "success_criteria": "A calm 30-minute real departure, twice.",
        "plans": [
            _plan(
                "A",
                "Food toy and a real errand",
                "Your normal routine with a food toy for company.",
                0.55,
                4,
                instructions=[
                    "Give the food toy, leave for a short errand.",
                    "Check the camera once.",
                    "Return calmly; greet after your dog settles.",
                ],
                minutes=30,
                reward="food",
                equipment=["Food toy", "Camera"],
                warnings=PANIC,
                rules=[NOT_FOOD_LOW],
            ),
            _plan(
                "B",
                "Dog walker in the middle",
                "Break long absences with a visit.",
                0.5,
                3,
                instructions=[
                    "Arrange a walker at the midpoint.",
                    "Keep your own departure routine the same.",
                ],
                minutes=60,
                reward="play",
                equipment=["A trusted walker"],
                warnings=PANIC,
            ),
            _plan(
                "C",
                "Exercise before every departure",
                "A long walk before you go, every time.",
                0.5,
                3,
                instructions=[
                    "Walk 40 minutes before leaving.",
                    "Leave with the usual calm routine.",
                    "Review the camera for the first 10 minutes.",
                ],
                minutes=70,
                reward="exercise",
                equipment=["Lead", "Camera"],
                warnings=PANIC,
            ),
            _plan(
                "D",
                "Referral to a vet or behaviourist",
                "Some dogs need a professional plan and medication.",
                0.35,
                2,
                instructions=["Book a behaviour consultation.", "Bring your diary and clips."],
                minutes=60,
                reward="none",
                equipment=["Diary", "Camera clips"],
                warnings=["Self-harm or escape attempts"],
            ),
        ],
    },
]


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
