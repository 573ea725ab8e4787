import factory

from scenarios.models import Difficulty, Role, Scenario, Visibility
from scenarios.services import scenario_metadata_ensure


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Scenario {n}")
    description = "Order a coffee and ask about the pastries."
    role = Role.CHARACTER
    difficulty = Difficulty.BEGINNER
    instructions = "Greet the barista and order."
    context = "A busy café on a Monday morning."
    cefr_level = "A2"
    visibility = Visibility.PUBLIC
    is_active = True

    @factory.post_generation
    def with_metadata(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            scenario_metadata_ensure(scenario=obj)
