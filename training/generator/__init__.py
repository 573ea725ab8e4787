"""The plan generator: small, pure functions from a runner and a goal to a whole plan.

Nothing here reads or writes the database; ``training.services`` turns models into
``RunnerInput``/``PlanRequest`` and saves the ``GeneratedPlan``. The same input always gives the
same plan, and ``GENERATOR_VERSION`` is stored with it.
"""

from .inputs import ActivityPoint, PlanRequest, RaceResult, RunnerInput
from .plan import GENERATOR_VERSION, GeneratedPlan, GeneratorInputError, generate
from .vdot import predictions, training_paces, vdot_from_race

__all__ = [
    "GENERATOR_VERSION",
    "ActivityPoint",
    "GeneratedPlan",
    "GeneratorInputError",
    "PlanRequest",
    "RaceResult",
    "RunnerInput",
    "generate",
    "predictions",
    "training_paces",
    "vdot_from_race",
]
