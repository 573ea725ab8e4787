"""Reads for curriculum: querysets and summaries the API, admin and commands share.

The heart of it is smart plan selection, :func:`alternatives_rank`: every alternative of a step
ranked by its expected success for one learner, with the evidence behind it and a sentence a
person understands.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q

from config.errors import NotFound

from . import sql
from .models import (
    ALL_LEARNERS,
    Alternative,
    AlternativeStat,
    Curriculum,
    Enrollment,
    EnrollmentStep,
    Outcome,
    OutcomeEvent,
    Step,
)
from .selection import Posterior, policy_for, posterior, selection_rng, selection_scores

# --- Curricula ------------------------------------------------------------------------


def curricula_visible(*, user):
    """Published curricula (staff also see drafts)."""
    return Curriculum.objects.visible_to(user)


def curriculum_with_content(*, user):
    """Curricula with their steps and offered alternatives prefetched, in designer order."""
    return curricula_visible(user=user).prefetch_related(
        Prefetch(
            "steps",
            queryset=Step.objects.order_by("order").prefetch_related(
                Prefetch("alternatives", queryset=Alternative.objects.offered().order_by("order"))
            ),
        )
    )


# --- Enrollments ----------------------------------------------------------------------


def enrollments_for(*, user):
    """The user's own curriculum enrollments: anyone else's is a 404."""
    return Enrollment.objects.filter(user=user).select_related("curriculum", "current_step")


def enrollment_with_states(*, user):
    """The user's enrollments with the curriculum's steps and the learner's step states."""
    return enrollments_for(user=user).prefetch_related(
        Prefetch("curriculum__steps", queryset=Step.objects.order_by("order")),
        Prefetch("step_states", queryset=EnrollmentStep.objects.select_related("current_alternative")),
    )


def enrollment_step_rows(*, enrollment: Enrollment) -> list[dict]:
    """One row per step of the curriculum with the learner's state on it (``not_started`` when
    the learner has not reached it). Uses prefetched steps and states when present."""
    states = {state.step_id: state for state in enrollment.step_states.all()}
    rows = []
    for step in sorted(enrollment.curriculum.steps.all(), key=lambda s: s.order):
        state = states.get(step.pk)
        rows.append(
            {
                "order": step.order,
                "title": step.title,
                "state": state.state if state else "not_started",
                "plan_id": state.current_alternative.code if state and state.current_alternative else None,
                "metadata": state.metadata if state else {},
                "started_at": state.started_at if state else None,
                "completed_at": state.completed_at if state else None,
            }
        )
    return rows


def enrollment_history(*, enrollment):
    return (
        OutcomeEvent.objects.filter(enrollment=enrollment)
        .select_related("step", "alternative", "next_alternative")
        .order_by("created_at", "id")
    )


# --- Smart plan selection -------------------------------------------------------------


@dataclass(frozen=True)
class RankedAlternative:
    alternative: Alternative
    rank: int
    recommended: bool
    expected_success: float
    segment: str
    successes: int
    attempts: int
    overall_successes: int
    overall_attempts: int
    tried_without_success: bool
    failed_attempts: int
    excluded: bool
    is_current: bool
    reason: str
    selection_score: float = 0.0
    exploring: bool = False
    posterior: Posterior | None = None

    @property
    def plan_id(self):
        return self.alternative.code

    @property
    def eligible(self) -> bool:
        """Suitable for the learner and not yet tried without success at this step."""
        return not self.excluded and not self.tried_without_success


def _trait_words(curriculum: Curriculum, trait: str) -> str:
    spec = (curriculum.trait_schema or {}).get("properties", {}).get(trait, {})
    return (spec.get("title") or trait.replace("_", " ")).lower()


def rule_holds(rule: dict, traits: dict) -> bool:
    """Whether one match rule holds for ``traits``; a rule about a trait not given holds."""
    if rule.get("trait") not in (traits or {}) or traits[rule["trait"]] is None:
        return True
    value = traits[rule["trait"]]
    operator = rule.get("operator")
    if operator in ("in", "not_in"):
        text = str(value).lower() if isinstance(value, bool) else str(value)
        inside = text in [str(v) for v in rule.get("values") or []]
        return inside if operator == "in" else not inside
    if operator in ("at_least", "at_most") and rule.get("number") is not None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return True
        return number >= rule["number"] if operator == "at_least" else number <= rule["number"]
    return True


def _describe_rule(curriculum: Curriculum, rule: dict) -> str:
    words = _trait_words(curriculum, rule["trait"])
    values = " or ".join(str(v) for v in rule.get("values") or [])
    return {
        "in": f"{words} {values}",
        "not_in": f"{words} other than {values}",
        "at_least": f"{words} of at least {rule.get('number')}",
        "at_most": f"{words} of at most {rule.get('number')}",
    }.get(rule.get("operator"), words)


def expected_success(
    *,
    prior_rate: float,
    prior_strength: float,
    successes: int,
    attempts: int,
    rest_successes: int,
    rest_attempts: int,
    borrow_strength: float,
) -> float:
    """Posterior mean success rate of one alternative for one trait segment.

    A Beta-Bernoulli model with three layers of evidence:

    * the designer prior ``Beta(α0, β0)`` with ``α0 = p0·n0`` and ``β0 = (1 − p0)·n0``
      (``p0`` = expected success rate, ``n0`` = prior strength in learners);
    * the segment's own counted attempts: ``s`` successes in ``n`` attempts;
    * the other learners (all learners outside the segment): ``S`` successes in ``N``
      attempts, rate ``r = S / N``. They lend strength while the segment is sparse, with
      weight ``w = min(N, k) · k / (k + n)``: at most ``k`` pseudo-attempts (``k`` =
      ``CURRICULUM_BORROW_STRENGTH``), fading as the segment gathers its own evidence.

    ``expected = (α0 + w·r + s) / (n0 + w + n)``

    With no data at all this is the designer's ``p0``; with a rich segment it tends to ``s / n``.
    """
    return posterior(
        prior_rate=prior_rate,
        prior_strength=prior_strength,
        successes=successes,
        attempts=attempts,
        rest_successes=rest_successes,
        rest_attempts=rest_attempts,
        borrow_strength=borrow_strength,
    ).mean


def _times(n: int) -> str:
    return f"{n} time" if n == 1 else f"{n} times"


def _reason(
    *,
    curriculum,
    alternative,
    segment,
    seg,
    overall,
    excluded_rule,
    failed,
    traits_segment_words,
    exploring_over=None,
):
    plan = f"Plan {alternative.code}"
    noun = curriculum.learner_noun
    if excluded_rule is not None:
        note = (excluded_rule.get("note") or "").strip()
        return note or f"{plan} is meant for {noun} with {_describe_rule(curriculum, excluded_rule)}."
    if failed:
        times = "once" if failed == 1 else f"{failed} times"
        return f"Already tried at this step without success ({times})."
    s, n = seg
    if exploring_over is not None:
        so_far = f"it succeeded {s} of {_times(n)} so far" if n else "not tried with them yet"
        return (
            f"{plan} is promising but little tried with {noun} like yours ({so_far}): trying it "
            f"shows whether it works better than Plan {exploring_over.code}."
        )
    if n and segment:
        return f"{noun.capitalize()} with {traits_segment_words} succeeded with {plan} {s} of {_times(n)}."
    if n:
        return f"{noun.capitalize()} succeeded with {plan} {s} of {_times(n)}."
    total_s, total_n = overall
    if total_n:
        return (
            f"No {noun} with {traits_segment_words} have tried {plan} yet; across all {noun} it "
            f"succeeded {total_s} of {_times(total_n)}."
        )
    expected = round(alternative.prior_success_rate * 100)
    return f"No results yet: the designers expect {plan} to work for about {expected}% of {noun}."


def alternatives_rank(
    *,
    step: Step,
    traits: dict,
    failed_counts: dict[int, int] | None = None,
    current_alternative_id: int | None = None,
    current_open: bool = False,
    enrollment_id: int | None = None,
    alternatives: list[Alternative] | None = None,
    policy: str | None = None,
) -> list[RankedAlternative]:
    """Rank the offered alternatives of ``step`` for a learner with ``traits``.

    Order: suitable and untried alternatives first by their selection score under the
    curriculum's policy (:mod:`curriculum.selection`; greedy: the :func:`expected_success`),
    designer order breaking ties; then those the learner already tried at this step without
    success or whose match rules exclude the learner, by expected success. Exploration only
    reorders the suitable, untried ones, so it never suggests an excluded or failed plan.

    The first suitable, untried one is ``recommended``, except that while the learner is on a
    plan that has not succeeded (``current_open``) the recommendation is the best *other* plan:
    the one to switch to if the current plan does not work. An alternative ranked above a
    suitable one with a higher expected success is ``exploring``: suggested to learn whether it
    works better, and its reason says so. Thompson sampling draws from
    :func:`~curriculum.selection.selection_rng` of (``enrollment_id``, step), so the same request
    gives the same ranking.

    Two queries (alternatives, statistics) whatever the number of alternatives; one when the
    caller passes ``alternatives``.
    """
    curriculum = step.curriculum
    if alternatives is None:
        alternatives = list(Alternative.objects.offered().filter(step=step).order_by("order"))
    segment = curriculum.segment_for(traits)
    return rank_with_counts(
        curriculum=curriculum,
        step_id=step.pk,
        traits=traits,
        segment=segment,
        alternatives=alternatives,
        counts=stat_counts(alternative_ids=[a.pk for a in alternatives], segment=segment),
        failed_counts=failed_counts,
        current_alternative_id=current_alternative_id,
        current_open=current_open,
        enrollment_id=enrollment_id,
        policy=policy,
    )


def stat_counts(*, alternative_ids: list[int], segment: str) -> dict[tuple[int, str], tuple[int, int]]:
    """(alternative id, segment) -> (successes, attempts) for all learners and ``segment`` (one
    query)."""
    segments = {ALL_LEARNERS} | ({segment} if segment else set())
    return {
        (row.alternative_id, row.segment): (row.successes, row.attempts)
        for row in AlternativeStat.objects.filter(alternative__in=alternative_ids, segment__in=segments).only(
            "alternative_id", "segment", "successes", "attempts"
        )
    }


@dataclass(slots=True)
class _Evidence:
    """One alternative as the ranking weighs it."""

    alternative: Alternative
    belief: Posterior
    seg: tuple[int, int]  # (successes, attempts) in the learner's segment
    overall: tuple[int, int]  # (successes, attempts) of all learners
    score: float = 0.0
    excluded_rule: dict | None = None
    failed: int = 0

    @property
    def eligible(self) -> bool:
        return self.excluded_rule is None and self.failed == 0


def _evidence(*, alternatives: list[Alternative], counts, segment: str) -> list[_Evidence]:
    """Each alternative's posterior from its prior, its segment's counts and the other learners'."""
    borrow = float(settings.CURRICULUM_BORROW_STRENGTH)
    found = []
    for alternative in alternatives:
        overall = counts.get((alternative.pk, ALL_LEARNERS), (0, 0))
        seg = counts.get((alternative.pk, segment), (0, 0)) if segment else overall
        rest = (overall[0] - seg[0], overall[1] - seg[1]) if segment else (0, 0)
        belief = posterior(
            prior_rate=alternative.prior_success_rate,
            prior_strength=alternative.prior_strength,
            successes=seg[0],
            attempts=seg[1],
            rest_successes=rest[0],
            rest_attempts=rest[1],
            borrow_strength=borrow,
        )
        found.append(_Evidence(alternative=alternative, belief=belief, seg=seg, overall=overall))
    return found


def _scored(evidence: list[_Evidence], *, policy: str, rng, traits: dict, failed_counts) -> list[_Evidence]:
    """The evidence scored under ``policy`` (the excluded and failed by their expected success)
    and sorted: eligible first, best score first, designer order breaking ties."""
    scores = selection_scores(policy, [item.belief for item in evidence], rng=rng)
    for item, score in zip(evidence, scores, strict=True):
        item.excluded_rule = next(
            (r for r in item.alternative.match_rules or [] if not rule_holds(r, traits)), None
        )
        item.failed = failed_counts.get(item.alternative.pk, 0)
        item.score = score if item.eligible else item.belief.mean
    return sorted(
        evidence,
        key=lambda item: (not item.eligible, -item.score, item.alternative.order, item.alternative.pk),
    )


def _best_below(scored: list[_Evidence]) -> list[tuple[Alternative, float] | None]:
    """For each place, the eligible alternative ranked below it that looks best now (and its
    expected success): an eligible plan ranked above a better-looking one is explored."""
    best_below: list[tuple[Alternative, float] | None] = [None] * len(scored)
    leader = None
    for index in range(len(scored) - 1, -1, -1):
        best_below[index] = leader
        item = scored[index]
        if item.eligible and (leader is None or item.belief.mean >= leader[1]):
            leader = (item.alternative, item.belief.mean)
    return best_below


def _ranked(
    item: _Evidence,
    *,
    rank: int,
    recommended: bool,
    is_current: bool,
    exploring_over,
    curriculum,
    segment,
    words,
) -> RankedAlternative:
    return RankedAlternative(
        alternative=item.alternative,
        rank=rank,
        recommended=recommended,
        expected_success=round(item.belief.mean, 4),
        segment=segment or ALL_LEARNERS,
        successes=item.seg[0],
        attempts=item.seg[1],
        overall_successes=item.overall[0],
        overall_attempts=item.overall[1],
        tried_without_success=item.failed > 0,
        failed_attempts=item.failed,
        excluded=item.excluded_rule is not None,
        is_current=is_current,
        reason=_reason(
            curriculum=curriculum,
            alternative=item.alternative,
            segment=segment,
            seg=item.seg,
            overall=item.overall,
            excluded_rule=item.excluded_rule,
            failed=item.failed,
            traits_segment_words=words,
            exploring_over=exploring_over,
        ),
        selection_score=round(item.score, 4),
        exploring=exploring_over is not None,
        posterior=item.belief,
    )


def rank_with_counts(
    *,
    curriculum: Curriculum,
    step_id: int,
    traits: dict,
    segment: str,
    alternatives: list[Alternative],
    counts: dict[tuple[int, str], tuple[int, int]],
    failed_counts: dict[int, int] | None = None,
    current_alternative_id: int | None = None,
    current_open: bool = False,
    enrollment_id: int | None = None,
    policy: str | None = None,
) -> list[RankedAlternative]:
    """:func:`alternatives_rank` on evidence already read: ``counts`` maps (alternative id,
    segment) to (successes, attempts) for ``"*"`` and the learner's ``segment`` (no query)."""
    alternatives = sorted(alternatives, key=lambda a: (a.order, a.pk))
    evidence = _evidence(alternatives=alternatives, counts=counts, segment=segment)
    scored = _scored(
        evidence,
        policy=policy or policy_for(curriculum),
        rng=selection_rng(enrollment_id=enrollment_id, step_id=step_id),
        traits=traits,
        failed_counts=failed_counts or {},
    )
    best_below = _best_below(scored)
    words = curriculum.describe_segment(segment)
    ranked = []
    recommended_given = False
    for index, item in enumerate(scored):
        is_current = item.alternative.pk == current_alternative_id
        recommended = item.eligible and not recommended_given and not (is_current and current_open)
        recommended_given = recommended_given or recommended
        better = best_below[index]
        exploring_over = (
            better[0] if item.eligible and better and better[1] > item.belief.mean + 1e-9 else None
        )
        ranked.append(
            _ranked(
                item,
                rank=index + 1,
                recommended=recommended,
                is_current=is_current,
                exploring_over=exploring_over,
                curriculum=curriculum,
                segment=segment,
                words=words,
            )
        )
    return ranked


def failed_attempt_counts(*, enrollment_id: int, step_id: int) -> dict[int, int]:
    """Alternative id -> how many times this learner failed with it at this step (one query)."""
    rows = (
        OutcomeEvent.objects.filter(enrollment_id=enrollment_id, step_id=step_id)
        .exclude(outcome=Outcome.SUCCESS)
        .values("alternative_id")
        .annotate(failed=Count("id", filter=Q(counted=True)))
    )
    return {row["alternative_id"]: max(row["failed"], 1) for row in rows}


@dataclass(frozen=True)
class StepAlternatives:
    enrollment: Enrollment
    step: Step
    state: EnrollmentStep | None
    segment: str
    alternatives: list[RankedAlternative]
    policy: str = "greedy"
    switch_to: RankedAlternative | None = None


def enrollment_step_alternatives(*, enrollment: Enrollment, step: Step) -> StepAlternatives:
    """The ranked options for one learner at one step (a constant number of queries).

    While the learner is on a plan that has not succeeded, ``switch_to`` is the plan to switch
    to if it does not work: the best other suitable plan not yet tried without success (``None``
    when none is left). It is always a valid ``next_plan_id`` for a ``SWAPPED`` status.
    """
    state = (
        EnrollmentStep.objects.filter(enrollment=enrollment, step=step)
        .select_related("current_alternative")
        .first()
    )
    current_open = bool(
        state and state.current_alternative_id and state.state != EnrollmentStep.State.SUCCEEDED
    )
    policy = policy_for(enrollment.curriculum)
    ranked = alternatives_rank(
        step=step,
        traits=enrollment.traits,
        failed_counts=failed_attempt_counts(enrollment_id=enrollment.pk, step_id=step.pk),
        current_alternative_id=state.current_alternative_id if state else None,
        current_open=current_open,
        enrollment_id=enrollment.pk,
        policy=policy,
    )
    switch_to = next((r for r in ranked if r.recommended), None) if current_open else None
    segment = enrollment.curriculum.segment_for(enrollment.traits) or ALL_LEARNERS
    return StepAlternatives(
        enrollment=enrollment,
        step=step,
        state=state,
        segment=segment,
        alternatives=ranked,
        policy=policy,
        switch_to=switch_to,
    )


ENROLLMENT_NOT_FOUND = "No Enrollment matches the given query."
STEP_NOT_FOUND = "No Step matches the given query."


def _row_models(row: dict) -> tuple[Enrollment, Step, list[Alternative], EnrollmentStep | None]:
    """The enrollment (with its curriculum), the step, its offered alternatives and the learner's
    state on it (``None``: not started) of a :func:`curriculum.sql.step_alternatives_row`."""
    curriculum = sql.loaded(
        Curriculum,
        {
            "id": row["curriculum_id"],
            **{name: row[name] for name in ("trait_schema", "learner_noun", "selection_policy")},
        },
    )
    enrollment = sql.loaded(
        Enrollment, {name: row[name] for name in ("id", "user_id", "curriculum_id", "traits")}
    )
    enrollment.curriculum = curriculum
    step = sql.loaded(
        Step,
        {
            "id": row["step_id"],
            "curriculum_id": curriculum.pk,
            "order": row["step_order"],
            "title": row["step_title"],
        },
    )
    step.curriculum = curriculum
    alternatives = [
        sql.loaded(
            Alternative,
            {
                **item,
                "step_id": step.pk,
                "prior_success_rate": float(item["prior_success_rate"]),
                "prior_strength": float(item["prior_strength"]),
                "is_active": True,
            },
        )
        for item in row["alternatives"]
    ]
    if row["state_id"] is None:
        return enrollment, step, alternatives, None
    state = sql.loaded(
        EnrollmentStep,
        {
            "id": row["state_id"],
            "enrollment_id": enrollment.pk,
            "step_id": step.pk,
            "current_alternative_id": row["state_alternative_id"],
            "state": row["state"],
        },
    )
    if row["state_alternative_id"] is not None:
        state.current_alternative = next(
            (a for a in alternatives if a.pk == row["state_alternative_id"]), None
        ) or sql.loaded(Alternative, {"id": row["state_alternative_id"], "code": row["state_plan_code"]})
    return enrollment, step, alternatives, state


def _row_counts(row: dict, *, segment: str) -> tuple[dict, dict]:
    """(statistics counts, failed attempts) of a :func:`curriculum.sql.step_alternatives_row`,
    as :func:`rank_with_counts` takes them."""
    counts, failed_counts = {}, {}
    for item in row["alternatives"]:
        if item["attempts"] is not None:
            counts[(item["id"], ALL_LEARNERS)] = (item["successes"], item["attempts"])
        if item["segment_attempts"] is not None:
            counts[(item["id"], segment)] = (item["segment_successes"], item["segment_attempts"])
        if item["failed"] is not None:
            failed_counts[item["id"]] = item["failed"]
    if segment != row["segment"]:
        # A trait value the statement spells differently: read the learner's statistics again.
        counts = stat_counts(alternative_ids=[item["id"] for item in row["alternatives"]], segment=segment)
    return counts, failed_counts


def step_alternatives_for(*, user, enrollment_id: int, order: int) -> StepAlternatives:
    """:func:`enrollment_step_alternatives` of the user's enrollment ``enrollment_id`` at its
    step ``order``; ``NotFound`` when the enrollment is not the user's or has no such step.

    Everything it reads comes in one query (:func:`curriculum.sql.step_alternatives_row`), ranked
    by the same :func:`rank_with_counts`.
    """
    row = sql.step_alternatives_row(user_id=user.pk, enrollment_id=enrollment_id, order=order)
    if row is None:
        raise NotFound(ENROLLMENT_NOT_FOUND)
    if row["step_id"] is None:
        raise NotFound(STEP_NOT_FOUND)
    enrollment, step, alternatives, state = _row_models(row)
    curriculum = enrollment.curriculum
    segment = curriculum.segment_for(enrollment.traits)
    counts, failed_counts = _row_counts(row, segment=segment)
    current_open = bool(
        state and state.current_alternative_id and state.state != EnrollmentStep.State.SUCCEEDED
    )
    policy = policy_for(curriculum)
    ranked = rank_with_counts(
        curriculum=curriculum,
        step_id=step.pk,
        traits=enrollment.traits,
        segment=segment,
        alternatives=alternatives,
        counts=counts,
        failed_counts=failed_counts,
        current_alternative_id=state.current_alternative_id if state else None,
        current_open=current_open,
        enrollment_id=enrollment.pk,
        policy=policy,
    )
    return StepAlternatives(
        enrollment=enrollment,
        step=step,
        state=state,
        segment=segment or ALL_LEARNERS,
        alternatives=ranked,
        policy=policy,
        switch_to=next((r for r in ranked if r.recommended), None) if current_open else None,
    )
