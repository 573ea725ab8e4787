"""The plan generator: small, pure functions from a runner and a goal to a whole plan.

Nothing here reads or writes the database; ``training.services`` turns models into
``RunnerInput``/``PlanRequest`` and saves the ``GeneratedPlan``. The same input always gives the
same plan, and ``GENERATOR_VERSION`` is stored with it.
"""

from .inputs import ActivityPoint, PlanRequest, RaceResult, RunnerInput
from .plan import (
    GENERATOR_VERSION,
    Assessment,
    GeneratedPlan,
    GeneratorInputError,
    GoalNotFeasible,
    assess,
    generate,
)
from .vdot import predictions, training_paces, vdot_from_race

__all__ = [
    "GENERATOR_VERSION",
    "ActivityPoint",
    "Assessment",
    "GeneratedPlan",
    "GeneratorInputError",
    "GoalNotFeasible",
    "PlanRequest",
    "RaceResult",
    "RunnerInput",
    "assess",
    "generate",
    "predictions",
    "training_paces",
    "vdot_from_race",
]
