"""Demo content: built-in conversation scenarios and synthetic usage so every ranking shows
something. Idempotent: scenarios are keyed by slug, usage is added only once per learner."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from config.outbox import run_on_commit

from . import services
from .models import Scenario, UserScenarioProgress, Visibility
from .selectors import scenario_list_count_invalidate

# slug, title, role, difficulty, CEFR, persona (name, role), situation
BUILT_IN = [
    (
        "cafe-order",
        "Ordering at a café",
        "character",
        "beginner",
        "A1",
        ("Marie", "barista"),
        "a small café at opening time",
    ),
    (
        "bakery-bread",
        "Buying bread",
        "character",
        "beginner",
        "A1",
        ("Paul", "baker"),
        "a neighbourhood bakery",
    ),
    (
        "greet-neighbour",
        "Meeting your new neighbour",
        "friend",
        "beginner",
        "A1",
        ("Sofia", "neighbour"),
        "the stairwell of your building",
    ),
    (
        "ask-directions",
        "Asking for directions",
        "character",
        "beginner",
        "A1",
        ("Tom", "passer-by"),
        "a busy street corner",
    ),
    (
        "hotel-checkin",
        "Checking in at a hotel",
        "character",
        "beginner",
        "A2",
        ("Yuki", "receptionist"),
        "a city-centre hotel lobby",
    ),
    (
        "train-tickets",
        "Buying train tickets",
        "character",
        "beginner",
        "A2",
        ("Lars", "ticket clerk"),
        "a railway station counter",
    ),
    (
        "restaurant-booking",
        "Booking a table by phone",
        "character",
        "beginner",
        "A2",
        ("Giulia", "restaurant host"),
        "a phone call to a trattoria",
    ),
    (
        "pharmacy",
        "At the pharmacy",
        "expert",
        "beginner",
        "A2",
        ("Dr. Amal", "pharmacist"),
        "a pharmacy counter",
    ),
    (
        "weekend-plans",
        "Talking about the weekend",
        "friend",
        "beginner",
        "A2",
        ("Ben", "classmate"),
        "a coffee break",
    ),
    (
        "vocab-tutor-food",
        "Food vocabulary with a tutor",
        "tutor",
        "beginner",
        "A1",
        ("Ms. Lee", "language tutor"),
        "an online lesson",
    ),
    (
        "clothes-shop",
        "Returning a shirt",
        "character",
        "intermediate",
        "A2",
        ("Nina", "shop assistant"),
        "a clothes shop till",
    ),
    (
        "doctor-visit",
        "Describing symptoms to a doctor",
        "expert",
        "intermediate",
        "B1",
        ("Dr. Okafor", "general practitioner"),
        "a doctor's surgery",
    ),
    (
        "flat-viewing",
        "Viewing a flat",
        "character",
        "intermediate",
        "B1",
        ("Mr. Brandt", "landlord"),
        "an empty flat for rent",
    ),
    (
        "job-small-talk",
        "Small talk on your first day",
        "friend",
        "intermediate",
        "B1",
        ("Priya", "new colleague"),
        "the office kitchen",
    ),
    (
        "bank-account",
        "Opening a bank account",
        "expert",
        "intermediate",
        "B1",
        ("Mr. Ito", "bank adviser"),
        "a bank branch",
    ),
    (
        "lost-luggage",
        "Reporting lost luggage",
        "character",
        "intermediate",
        "B1",
        ("Carla", "airline agent"),
        "an airport baggage desk",
    ),
    (
        "tutor-past-tense",
        "Telling a story in the past tense",
        "tutor",
        "intermediate",
        "B1",
        ("Mr. Novak", "language tutor"),
        "an online lesson",
    ),
    (
        "dinner-party",
        "Conversation at a dinner party",
        "friend",
        "intermediate",
        "B2",
        ("Hugo", "host"),
        "a friend's dinner party",
    ),
    (
        "mechanic",
        "Explaining a car problem",
        "expert",
        "intermediate",
        "B1",
        ("Rita", "mechanic"),
        "a garage",
    ),
    (
        "complaint-noise",
        "Complaining about noise",
        "character",
        "intermediate",
        "B2",
        ("Mrs. Kowalski", "neighbour"),
        "a neighbour's doorstep",
    ),
    (
        "job-interview",
        "A job interview",
        "expert",
        "advanced",
        "B2",
        ("Ms. Duarte", "hiring manager"),
        "a video interview",
    ),
    (
        "salary-negotiation",
        "Negotiating a salary",
        "expert",
        "advanced",
        "C1",
        ("Mr. Adeyemi", "HR director"),
        "a meeting room",
    ),
    (
        "debate-climate",
        "Debating climate policy",
        "friend",
        "advanced",
        "C1",
        ("Elena", "university friend"),
        "a student café",
    ),
    (
        "presentation-qa",
        "Answering questions after a talk",
        "expert",
        "advanced",
        "C1",
        ("Prof. Haas", "audience member"),
        "a conference room",
    ),
    (
        "tutor-idioms",
        "Idioms and nuance with a tutor",
        "tutor",
        "advanced",
        "C1",
        ("Dr. Moreau", "language tutor"),
        "an online lesson",
    ),
    (
        "landlord-dispute",
        "Settling a deposit dispute",
        "character",
        "advanced",
        "B2",
        ("Mr. Grant", "landlord"),
        "a tense phone call",
    ),
    (
        "doctor-results",
        "Discussing test results",
        "expert",
        "advanced",
        "B2",
        ("Dr. Chen", "specialist"),
        "a hospital consulting room",
    ),
    (
        "press-interview",
        "Giving a press interview",
        "expert",
        "advanced",
        "C2",
        ("Jonas", "journalist"),
        "a radio studio",
    ),
    (
        "philosophy-chat",
        "A late-night philosophy chat",
        "friend",
        "advanced",
        "C2",
        ("Amara", "old friend"),
        "a kitchen after midnight",
    ),
    (
        "tutor-register",
        "Switching register: formal and casual",
        "tutor",
        "advanced",
        "C2",
        ("Ms. Berg", "language tutor"),
        "an online lesson",
    ),
    (
        "market-haggling",
        "Haggling at a market",
        "character",
        "intermediate",
        "B1",
        ("Omar", "stall holder"),
        "an open-air market",
    ),
    (
        "museum-tour",
        "Asking a museum guide",
        "expert",
        "beginner",
        "A2",
        ("Inès", "museum guide"),
        "a museum gallery",
    ),
]
DIFFICULTY_RATING = {"beginner": (1, 3), "intermediate": (4, 6), "advanced": (7, 10)}
LEARNERS = 24


def _content(slug, title, role, difficulty, cefr, persona, situation, rng):
    name, persona_role = persona
    low, high = DIFFICULTY_RATING[difficulty]
    return {
        "title": title,
        "description": f"Practise {title.lower()} with {name}, the {persona_role}, in {situation}.",
        "role": role,
        "difficulty": difficulty,
        "instructions": f"Talk with {name} and reach your goal: {title.lower()}. Ask at least two questions.",
        "context": f"You are in {situation}. {name} is the {persona_role}.",
        "expected_outcome": f"You have finished {title.lower()} politely and understood the answers.",
        "learning_goal": f"Handle {title.lower()} confidently at level {cefr}.",
        "learning_objectives": [
            "Open and close the conversation politely",
            "Ask clarifying questions",
            f"Use vocabulary for {title.lower()}",
        ],
        "persona": {
            "name": name,
            "role": persona_role,
            "personality": rng.choice(
                ["patient and warm", "busy but friendly", "precise and formal", "chatty"]
            ),
            "speaking_style": rng.choice(["short sentences", "everyday speech", "formal register"]),
            "goals": [f"help the learner with {title.lower()}"],
        },
        "comfort_indicators": {
            "comfortable": ["answers without long pauses", "asks follow-up questions"],
            "struggling": ["one-word answers", "switches to their own language"],
            "adaptations": ["speak more slowly", "offer two choices", "rephrase with simpler words"],
        },
        "difficulty_rating": rng.randint(low, high),
        "cefr_level": cefr,
        "cefr_recommendation": f"Best at {cefr}; learners one level below can try it with hints on.",
        "visibility": Visibility.PUBLIC,
        "is_active": True,
    }


def _learners():
    User = get_user_model()
    learners = []
    for index in range(1, LEARNERS + 1):
        learner, created = User.objects.get_or_create(
            username=f"scenario-learner-{index:02d}",
            defaults={"email": f"scenario-learner-{index:02d}@example.com"},
        )
        if created:
            learner.set_unusable_password()
            learner.save(update_fields=["password"])
        learners.append(learner)
    return learners


def _usage(scenarios, learners, rng):
    """Each learner's history, replayed through the services once (skipped when present)."""
    now = timezone.now()
    popularity = {s.pk: rng.random() ** 2 for s in scenarios}  # a few favourites, a long tail
    taste = {s.pk: rng.uniform(2.5, 5.0) for s in scenarios}
    recency = {s.pk: rng.choice([1, 3, 10, 40]) for s in scenarios}  # days back usage spreads over
    touched = set(
        UserScenarioProgress.objects.filter(user__in=learners).values_list("user_id", "scenario_id")
    )
    for learner in learners:
        for scenario in scenarios:
            # One generator per pair: the same pairs get usage on every run.
            rng = random.Random(f"{learner.username}/{scenario.slug}")
            if rng.random() > popularity[scenario.pk] or (learner.pk, scenario.pk) in touched:
                continue
            at = now - timedelta(days=rng.uniform(0, recency[scenario.pk]))
            for _ in range(rng.randint(1, 3)):
                services.scenario_attempt(user=learner, scenario=scenario, at=at)
                if rng.random() < 0.7:
                    at += timedelta(minutes=rng.randint(3, 15))
                    services.scenario_complete(
                        user=learner, scenario=scenario, time_spent_s=rng.randint(120, 900), at=at
                    )
                at += timedelta(hours=rng.randint(2, 48))
            if rng.random() < 0.6:
                services.scenario_save(user=learner, scenario=scenario, at=min(at, now))
            if rng.random() < 0.7:
                stars = max(1, min(5, round(rng.gauss(taste[scenario.pk], 0.8))))
                services.scenario_rate(user=learner, scenario=scenario, rating=stars)


def seed(*, stdout):
    rng = random.Random(3)
    scenarios = []
    for slug, *rest in BUILT_IN:
        values = _content(slug, *rest, rng)
        scenario, _ = Scenario.objects.update_or_create(slug=slug, defaults=values)
        services.scenario_metadata_ensure(scenario=scenario)
        scenarios.append(scenario)
    run_on_commit(scenario_list_count_invalidate)
    _usage(scenarios, _learners(), random.Random(33))
    stdout.write(f"  {len(scenarios)} built-in scenarios, usage by {LEARNERS} synthetic learners")
    return None
