"""Synthetic learners run through the real services to measure a selection policy.

A *truth file* (JSON, see ``curriculum/simulations/``) describes one step: its plans with the
designer's priors and match rules, and the learners, split by one trait into segments, each with
its share of learners and the hidden success rate of every plan::

    {
      "title": "...", "learner_noun": "dogs", "trait": "energy_level",
      "plans": [{"code": "A", "title": "...", "prior_success_rate": 0.8, "prior_strength": 20,
                 "match_rules": []}, ...],
      "segments": {"low": {"share": 0.5, "success": {"A": 0.7, "B": 0.5, ...}}, ...}
    }

:func:`simulate` builds a throwaway curriculum of one step from it, and for every learner in
turn: enrolls them (:func:`~curriculum.services.enrollment_get_or_create` starts them on the
recommended plan), draws the outcome of each plan they try from the hidden rates, records it
(:func:`~curriculum.services.coach_status_record`), and after a failure follows the API's
advice (``switch_to`` of :func:`~curriculum.selectors.enrollment_step_alternatives`) until a
plan succeeds or none is left. Everything runs inside one transaction that is rolled back, so
nothing is left behind. The same learners, with the same luck (one uniform draw per learner and
plan: a plan succeeds when its draw is below its rate), are also run through an *oracle* that
knows the best plan of each segment and through the *fixed order* A → B → C → D.
"""

import random
import statistics
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from config.jsonschemas import load_schema, schema_errors

from . import selectors, services
from .models import Alternative, Curriculum, EnrollmentStep, Outcome, Step
from .selection import POLICIES

NEUTRAL_PRIOR = (0.5, 2.0)
PRIORS = ("designer", "neutral")

TRUTH_SCHEMA = {
    "$defs": {
        "match_rules": {k: v for k, v in load_schema("curriculum", "match_rules").items() if k != "$schema"}
    },
    "type": "object",
    "required": ["trait", "plans", "segments"],
    "properties": {
        "title": {"type": "string"},
        "description": {"type": "string"},
        "learner_noun": {"type": "string", "minLength": 1},
        "trait": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "plans": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9]{0,7}$"},
                    "title": {"type": "string"},
                    "prior_success_rate": {"type": "number", "minimum": 0, "maximum": 1},
                    "prior_strength": {"type": "number", "minimum": 0.5, "maximum": 1000},
                    "match_rules": {"$ref": "#/$defs/match_rules"},
                },
            },
        },
        "segments": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "required": ["share", "success"],
                "properties": {
                    "share": {"type": "number", "exclusiveMinimum": 0},
                    "success": {
                        "type": "object",
                        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
                    },
                },
            },
        },
    },
}


class TruthError(ValueError):
    """The truth file does not describe a simulation."""


def truth_check(truth) -> dict:
    """Check a parsed truth file; raise :class:`TruthError` saying what is wrong."""
    problems = schema_errors(TRUTH_SCHEMA, truth)
    if problems:
        raise TruthError("; ".join(problems))
    codes = [plan["code"] for plan in truth["plans"]]
    if len(set(codes)) != len(codes):
        raise TruthError("plans: every plan needs its own code.")
    for value, segment in truth["segments"].items():
        missing = [code for code in codes if code not in segment["success"]]
        if missing:
            raise TruthError(f"segments/{value}/success: no rate for plan(s) {', '.join(missing)}.")
    return truth


@dataclass
class RunResult:
    """One simulated cohort under one policy (or the oracle / the fixed order)."""

    learners: int = 0
    first_try_successes: int = 0
    successes: int = 0
    tries_to_success: int = 0
    settled_after: int = 0  # learners until every later one starts on their segment's best plan
    best_found: bool = False  # most of the last quarter start on their segment's best plan
    first_plans: list[str] = field(default_factory=list)

    @property
    def first_try_rate(self) -> float:
        return self.first_try_successes / self.learners if self.learners else 0.0

    @property
    def mean_tries(self) -> float:
        return self.tries_to_success / self.successes if self.successes else 0.0


@dataclass(frozen=True)
class Learner:
    value: str  # the segmenting trait's value
    draws: dict[str, float]  # plan code -> uniform draw; the plan succeeds when draw < rate


def learners_for(truth: dict, *, count: int, seed: int) -> list[Learner]:
    """The cohort of one seed: segment by share, and one uniform draw per plan."""
    rng = random.Random(f"simulate:{seed}")
    values = list(truth["segments"])
    weights = [truth["segments"][v]["share"] for v in values]
    codes = [plan["code"] for plan in truth["plans"]]
    cohort = []
    for _ in range(count):
        value = rng.choices(values, weights=weights)[0]
        cohort.append(Learner(value=value, draws={code: rng.random() for code in codes}))
    return cohort


def _suitable(truth: dict, value: str) -> list[str]:
    traits = {truth["trait"]: value}
    return [
        plan["code"]
        for plan in truth["plans"]
        if all(selectors.rule_holds(rule, traits) for rule in plan.get("match_rules") or [])
    ]


def best_plans(truth: dict) -> dict[str, str]:
    """The truly best suitable plan of every segment (designer order breaks ties)."""
    best = {}
    for value, segment in truth["segments"].items():
        suitable = _suitable(truth, value)
        best[value] = max(suitable, key=lambda code: (segment["success"][code], -suitable.index(code)))
    return best


def _finish(result: RunResult, cohort: list[Learner], best: dict[str, str]) -> RunResult:
    misses = [
        i
        for i, (learner, first) in enumerate(zip(cohort, result.first_plans, strict=True))
        if first != best[learner.value]
    ]
    result.settled_after = misses[-1] + 1 if misses else 0
    tail = range(len(cohort) - max(1, len(cohort) // 4), len(cohort))
    found = True
    for value in best:
        picks = [result.first_plans[i] == best[value] for i in tail if cohort[i].value == value]
        if picks and sum(picks) * 2 <= len(picks):
            found = False
    result.best_found = found
    return result


def _walk(truth: dict, cohort: list[Learner], order_for) -> RunResult:
    """Learners who try plans in a fixed order per segment (``order_for(value)``)."""
    result = RunResult()
    for learner in cohort:
        rates = truth["segments"][learner.value]["success"]
        order = order_for(learner.value)
        result.learners += 1
        result.first_plans.append(order[0])
        for tries, code in enumerate(order, start=1):
            if learner.draws[code] < rates[code]:
                result.successes += 1
                result.tries_to_success += tries
                result.first_try_successes += tries == 1
                break
    return _finish(result, cohort, best_plans(truth))


def oracle_run(truth: dict, cohort: list[Learner]) -> RunResult:
    """Every learner starts on their segment's truly best plan, then the next best, and so on."""

    def order_for(value):
        suitable = _suitable(truth, value)
        rates = truth["segments"][value]["success"]
        return sorted(suitable, key=lambda code: (-rates[code], suitable.index(code)))

    return _walk(truth, cohort, order_for)


def fixed_order_run(truth: dict, cohort: list[Learner]) -> RunResult:
    """Every learner tries the suitable plans in designer order: A, then B, then C ..."""
    return _walk(truth, cohort, lambda value: _suitable(truth, value))


def _build(truth: dict, *, policy: str, prior: str) -> Step:
    values = list(truth["segments"])
    curriculum = Curriculum.objects.create(
        slug=f"simulation-{uuid.uuid4().hex[:12]}",
        title=truth.get("title") or "Simulation",
        learner_noun=truth.get("learner_noun") or "learners",
        status=Curriculum.Status.PUBLISHED,
        selection_policy=policy,
        trait_schema={
            "type": "object",
            "properties": {truth["trait"]: {"type": "string", "enum": values, "x-segment": True}},
            "required": [truth["trait"]],
        },
    )
    step = Step.objects.create(curriculum=curriculum, order=1, title="Simulated step")
    for order, plan in enumerate(truth["plans"], start=1):
        rate, strength = (
            NEUTRAL_PRIOR
            if prior == "neutral"
            else (plan.get("prior_success_rate", 0.5), plan.get("prior_strength", 2.0))
        )
        Alternative.objects.create(
            step=step,
            order=order,
            code=plan["code"],
            title=plan.get("title") or f"Plan {plan['code']}",
            content={"instructions": ["Simulated."]},
            match_rules=plan.get("match_rules") or [],
            prior_success_rate=rate,
            prior_strength=strength,
        )
    step.curriculum = curriculum
    return step


def policy_run(truth: dict, cohort: list[Learner], *, users, policy: str, prior: str, tick=None) -> RunResult:
    """The cohort through the real services under ``policy`` (call inside a transaction that is
    rolled back: it writes a curriculum, enrollments and their history)."""
    step = _build(truth, policy=policy, prior=prior)
    curriculum = step.curriculum
    result = RunResult()
    for learner, user in zip(cohort, users, strict=False):
        rates = truth["segments"][learner.value]["success"]
        enrollment, _ = services.enrollment_get_or_create(
            user=user, curriculum=curriculum, traits={truth["trait"]: learner.value}
        )
        code = (
            EnrollmentStep.objects.select_related("current_alternative")
            .get(enrollment=enrollment, step=step)
            .current_alternative.code
        )
        result.learners += 1
        result.first_plans.append(code)
        tries = 0
        while True:
            tries += 1
            report = {"user": user, "enrollment": enrollment, "step_order": 1, "plan_id": code}
            if learner.draws[code] < rates[code]:
                services.coach_status_record(**report, outcome=Outcome.SUCCESS)
                result.successes += 1
                result.tries_to_success += tries
                result.first_try_successes += tries == 1
                break
            services.coach_status_record(**report, outcome=Outcome.STOPPED)
            advice = selectors.enrollment_step_alternatives(enrollment=enrollment, step=step).switch_to
            if advice is None:
                break
            services.coach_status_record(**report, outcome=Outcome.SWAPPED, next_plan_id=advice.plan_id)
            code = advice.plan_id
        if tick:
            tick()
    return _finish(result, cohort[: result.learners], best_plans(truth))


@dataclass
class Summary:
    """Figures over seeds for one row of the report."""

    name: str
    runs: list[RunResult]

    @property
    def first_try(self) -> float:
        return statistics.fmean(r.first_try_rate for r in self.runs)

    @property
    def first_try_range(self) -> tuple[float, float]:
        rates = [r.first_try_rate for r in self.runs]
        return min(rates), max(rates)

    @property
    def mean_tries(self) -> float:
        return statistics.fmean(r.mean_tries for r in self.runs)

    @property
    def settled_after(self) -> float:
        return statistics.median(r.settled_after for r in self.runs)

    @property
    def found(self) -> int:
        return sum(r.best_found for r in self.runs)


def simulate(
    truth: dict,
    *,
    policies=POLICIES,
    seeds: int = 20,
    learners: int = 400,
    prior: str = "designer",
    progress=None,
) -> dict[str, Summary]:
    """Run ``seeds`` cohorts of ``learners`` under each policy, the oracle and the fixed order.

    Returns a :class:`Summary` per row name (``oracle``, ``fixed order``, then each policy).
    ``progress(total)`` may return a callable ticked once per simulated learner (e.g. a tqdm
    bar's ``update``). Nothing is written: the runs happen in a transaction rolled back at the end.
    """
    truth_check(truth)
    if prior not in PRIORS:
        raise TruthError(f"Unknown prior {prior!r}: use one of {', '.join(PRIORS)}.")
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        raise TruthError(f"Unknown policy {', '.join(unknown)}: use {', '.join(POLICIES)}.")
    tick = progress(seeds * learners * len(policies)) if progress else None
    rows = {"oracle": Summary("oracle", []), "fixed order": Summary("fixed order", [])}
    rows.update({policy: Summary(policy, []) for policy in policies})
    User = get_user_model()
    with transaction.atomic():
        tag = uuid.uuid4().hex[:8]
        users = User.objects.bulk_create(
            [User(username=f"simulated-{tag}-{i}", password="!") for i in range(learners)]
        )
        for seed in range(seeds):
            cohort = learners_for(truth, count=learners, seed=seed)
            rows["oracle"].runs.append(oracle_run(truth, cohort))
            rows["fixed order"].runs.append(fixed_order_run(truth, cohort))
            for policy in policies:
                rows[policy].runs.append(
                    policy_run(truth, cohort, users=users, policy=policy, prior=prior, tick=tick)
                )
        transaction.set_rollback(True)
    return rows
