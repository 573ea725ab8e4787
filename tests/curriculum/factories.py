import factory

from curriculum.models import Alternative, Curriculum, Enrollment, OutcomeEvent, Step

DOG_TRAITS = {
    "type": "object",
    "properties": {
        "energy_level": {
            "type": "string",
            "title": "Energy level",
            "enum": ["low", "medium", "high"],
            "x-segment": True,
            "x-segment-labels": {"low": "low energy", "medium": "medium energy", "high": "high energy"},
        },
        "food_motivation": {"type": "string", "title": "Food motivation", "enum": ["low", "medium", "high"]},
        "age_months": {"type": "integer", "minimum": 2, "maximum": 240},
    },
    "required": ["energy_level"],
    "additionalProperties": False,
}


class CurriculumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Curriculum

    slug = factory.Sequence(lambda n: f"curriculum-{n}")
    title = factory.Sequence(lambda n: f"Curriculum {n}")
    status = Curriculum.Status.PUBLISHED
    learner_noun = "dogs"
    trait_schema = factory.LazyFunction(lambda: DOG_TRAITS)


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    curriculum = factory.SubFactory(CurriculumFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Step {n}")
    goal = "Stay calm."
    success_criteria = "Calm for five minutes."


class AlternativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alternative

    step = factory.SubFactory(StepFactory)
    order = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: chr(ord("A") + n % 26))
    title = factory.LazyAttribute(lambda a: f"Plan {a.code}")
    summary = "Try this."
    content = factory.LazyFunction(
        lambda: {"instructions": ["Do it."], "duration_minutes": 10, "reward_type": "food"}
    )
    prior_success_rate = 0.5
    prior_strength = 2.0


def make_curriculum(*, steps=2, plans="ABCD", priors=None, **kwargs):
    """A published curriculum with ``steps`` steps of the plans ``plans`` each (Plan A first)."""
    curriculum = CurriculumFactory(**kwargs)
    for order in range(1, steps + 1):
        step = StepFactory(curriculum=curriculum, order=order, title=f"Step {order}")
        for index, code in enumerate(plans, start=1):
            AlternativeFactory(
                step=step,
                order=index,
                code=code,
                prior_success_rate=(priors or {}).get(code, 0.5),
            )
    return curriculum


def add_history(*, step, user_factory, segment_traits, plan_outcomes, counts):
    """Synthetic history: for each (plan code, outcome) in ``plan_outcomes`` with ``counts``
    learners of ``segment_traits``, an enrollment and a counted OutcomeEvent row."""
    curriculum = step.curriculum
    plans = {a.code: a for a in step.alternatives.all()}
    events = []
    for (code, outcome), count in zip(plan_outcomes, counts, strict=True):
        for _ in range(count):
            enrollment = Enrollment.objects.create(
                user=user_factory(), curriculum=curriculum, traits=segment_traits, current_step=step
            )
            events.append(
                OutcomeEvent(
                    enrollment=enrollment,
                    step=step,
                    alternative=plans[code],
                    outcome=outcome,
                    next_alternative=plans["B" if code != "B" else "A"] if outcome == "SWAPPED" else None,
                    segment=curriculum.segment_for(segment_traits),
                    counted=True,
                )
            )
    OutcomeEvent.objects.bulk_create(events)
    return events
