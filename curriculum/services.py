"""Writes for curriculum: keyword-only, atomic functions named <entity>_<verb>.

The coach status flow (:func:`coach_status_record`) in short:

* ``SUCCESS`` completes the step and moves the enrollment to the next step (the last step
  completes the enrollment); ``STOPPED`` keeps the step open and counts as a failure of the
  alternative; ``SWAPPED`` moves the step to ``next_plan_id`` (another alternative of the same
  step). The legacy ``SKIPPED_INEFFECTIVE`` is ``SWAPPED`` to the next alternative in designer
  order with reason ``ineffective``.
* Every outcome is an append-only :class:`OutcomeEvent`. Each attempt counts once in the
  statistics: ``SUCCESS`` and ``STOPPED`` conclude an attempt; ``SWAPPED`` concludes the attempt
  in progress as a failure, except right after a ``STOPPED`` of the same plan (that attempt was
  already counted), when it only records the change of plan.
* Outcomes of one enrollment are serialised by locking the enrollment row; statistics move
  by increments in the same transaction (an upsert in the last statement, as the
  rows are shared by every learner on the plan), so concurrent outcomes never lose a count.
* Retries: a request carrying a ``client_key`` already recorded for the enrollment is answered
  with the recorded result and changes nothing (a different request reusing the key is a 409).
  Without a key, a repeated ``SUCCESS`` or ``SWAPPED`` is refused with a 409 (the step or plan
  moved on) while a repeated ``STOPPED`` counts as another failed attempt.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from config.errors import Conflict, Invalid, NotFound
from config.jsonschemas import validate_with_schema
from config.metrics import record_drift
from config.revisions import content_revision

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
from .selectors import ENROLLMENT_NOT_FOUND, alternatives_rank
from .sql import loaded, lock_outcome_history

LEGACY_SKIPPED_INEFFECTIVE = "SKIPPED_INEFFECTIVE"
OUTCOME_CHOICES = [choice for choice, _ in Outcome.choices]


# --- Curricula (content designers) ----------------------------------------------------


@transaction.atomic
def curriculum_publish(*, user, curriculum: Curriculum) -> Curriculum:
    """Publish a curriculum: every step needs at least one offered alternative."""
    steps = list(
        curriculum.steps.annotate(offered=Count("alternatives", filter=Q(alternatives__is_active=True)))
    )
    if not steps:
        raise ValidationError(f"{curriculum} has no steps yet.")
    empty = [str(step.order) for step in steps if not step.offered]
    if empty:
        raise ValidationError(f"{curriculum}: step(s) {', '.join(empty)} have no offered alternative.")
    if not curriculum.is_published:
        with content_revision(user=user, comment="Published"):
            curriculum.status = Curriculum.Status.PUBLISHED
            curriculum.published_at = timezone.now()
            curriculum.save(update_fields=["status", "published_at", "updated_at"])
    return curriculum


@transaction.atomic
def curriculum_unpublish(*, user, curriculum: Curriculum) -> Curriculum:
    """Withdraw a curriculum from learners; enrollments already made carry on."""
    if curriculum.is_published:
        with content_revision(user=user, comment="Unpublished"):
            curriculum.status = Curriculum.Status.DRAFT
            curriculum.save(update_fields=["status", "updated_at"])
    return curriculum


# --- Enrollment ------------------------------------------------------------------------


def _open_step(*, enrollment: Enrollment, step: Step) -> EnrollmentStep:
    """Start ``step`` for the learner on the alternative smart selection recommends."""
    ranked = alternatives_rank(step=step, traits=enrollment.traits, enrollment_id=enrollment.pk)
    chosen = next((r for r in ranked if r.recommended), ranked[0] if ranked else None)
    state, _ = EnrollmentStep.objects.get_or_create(
        enrollment=enrollment,
        step=step,
        defaults={
            "current_alternative": chosen.alternative if chosen else None,
            "metadata": {
                "selected_alternative_id": chosen.plan_id if chosen else None,
                "reason": "recommended",
            },
        },
    )
    return state


def enrollment_get_or_create(*, user, curriculum: Curriculum, traits) -> tuple[Enrollment, bool]:
    """Enroll ``user`` with ``traits`` (checked against the curriculum's trait schema).

    Enrolling again while an enrollment is active returns that one, unchanged, with
    ``created=False``.
    """
    if not isinstance(traits, dict):
        raise ValidationError({"traits": ["Traits must be an object."]})
    existing = Enrollment.objects.filter(
        user=user, curriculum=curriculum, state=Enrollment.State.ACTIVE
    ).first()
    if existing is not None:
        return existing, False
    validate_with_schema(curriculum.trait_schema or {}, traits, field="traits")
    first_step = curriculum.steps.order_by("order").first()
    if first_step is None:
        raise ValidationError({"non_field_errors": [f"{curriculum} has no steps yet."]})
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                user=user, curriculum=curriculum, traits=traits, current_step=first_step
            )
            _open_step(enrollment=enrollment, step=first_step)
    except IntegrityError:
        # Two enrolments at once: the other one won; return it.
        existing = Enrollment.objects.filter(
            user=user, curriculum=curriculum, state=Enrollment.State.ACTIVE
        ).first()
        if existing is None:
            raise
        return existing, False
    return enrollment, True


def enrollment_traits_update(*, user, enrollment: Enrollment, traits) -> Enrollment:
    """Replace the learner's traits (a dog calms down or gets hungrier), checked against the
    curriculum's trait schema.

    Rankings use the new traits from now on. Outcomes already recorded keep the segment they were
    recorded under (``OutcomeEvent.segment``), so statistics never move retroactively; the
    current plan of the open step stays until the learner reports on it. A completed enrollment
    is a ``Conflict``.
    """
    if not isinstance(traits, dict):
        raise Invalid({"traits": ["Traits must be an object."]})
    with transaction.atomic():
        # Serialised with the learner's outcomes, which lock the same row.
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("curriculum")
            .get(pk=enrollment.pk)
        )
        validate_with_schema(enrollment.curriculum.trait_schema or {}, traits, field="traits")
        if enrollment.state != Enrollment.State.ACTIVE:
            raise Conflict("This enrollment is completed.", code="enrollment_completed")
        if enrollment.traits != traits:
            enrollment.traits = traits
            enrollment.save(update_fields=["traits", "updated_at"])
    return enrollment


# --- Outcomes --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusResult:
    enrollment: Enrollment
    state: EnrollmentStep
    event: OutcomeEvent
    replayed: bool


def _stat_segments(segment: str) -> list[str]:
    return [ALL_LEARNERS] + ([segment] if segment else [])


@dataclass(frozen=True)
class _Status:
    """A status as the coach sent it, the legacy ``SKIPPED_INEFFECTIVE`` read as the ``SWAPPED``
    it is (``legacy``)."""

    step_order: int
    plan_id: str
    outcome: str
    next_plan_id: str | None
    reason: str
    legacy: bool
    client_key: str


def _replay(*, enrollment, event, status: _Status) -> StatusResult:
    same = (
        event.step.order == status.step_order
        and event.alternative.code == status.plan_id
        and (
            event.legacy_status == LEGACY_SKIPPED_INEFFECTIVE
            if status.legacy
            else event.outcome == status.outcome
        )
        and (
            status.legacy
            or (event.next_alternative.code if event.next_alternative else None)
            == (status.next_plan_id or None)
        )
    )
    if not same:
        raise Conflict(
            "This client_key was already used for a different status of this enrollment.",
            code="client_key_reused",
        )
    state = EnrollmentStep.objects.select_related("step", "current_alternative").get(
        enrollment=enrollment, step=event.step
    )
    return StatusResult(enrollment=enrollment, state=state, event=event, replayed=True)


@dataclass(frozen=True)
class _StatusContext:
    """What recording a status reads under the enrollment's lock."""

    step: Step | None
    alternatives: list[Alternative]
    state: EnrollmentStep | None  # locked
    earlier: OutcomeEvent | None  # the event already recorded under the client_key


def _status_context(*, enrollment: Enrollment, step_order: int, client_key: str) -> _StatusContext:
    """One query (:func:`curriculum.sql.status_context_row`), the earlier event loaded if any."""
    row = sql.status_context_row(
        enrollment_id=enrollment.pk,
        curriculum_id=enrollment.curriculum_id,
        step_order=step_order,
        client_key=client_key,
    )
    earlier = None
    if row["earlier_event_id"] is not None:
        earlier = OutcomeEvent.objects.select_related("step", "alternative", "next_alternative").get(
            pk=row["earlier_event_id"]
        )
    if row["step_id"] is None:
        return _StatusContext(step=None, alternatives=[], state=None, earlier=earlier)
    step = loaded(
        Step, {"id": row["step_id"], "curriculum_id": enrollment.curriculum_id, "order": row["step_order"]}
    )
    alternatives = [loaded(Alternative, {**item, "step_id": step.pk}) for item in row["alternatives"]]
    state = None
    if row["state_id"] is not None:
        state = loaded(
            EnrollmentStep,
            {
                "id": row["state_id"],
                "enrollment_id": enrollment.pk,
                "step_id": step.pk,
                **{name: row[f"state_{name}"] for name in sql.STATUS_STATE_COLUMNS},
            },
        )
    return _StatusContext(step=step, alternatives=alternatives, state=state, earlier=earlier)


def _locked_enrollment(*, user, enrollment: Enrollment | int) -> Enrollment:
    """The enrollment locked for the rest of the transaction (an id: one of ``user``'s)."""
    locked = Enrollment.objects.select_for_update(of=("self",)).select_related("curriculum")
    if isinstance(enrollment, Enrollment):
        return locked.get(pk=enrollment.pk)
    found = locked.filter(pk=enrollment, user=user).first()
    if found is None:
        raise NotFound(ENROLLMENT_NOT_FOUND)
    return found


def _checked_status(step_order, plan_id, outcome, next_plan_id, reason, client_key) -> _Status:
    """The status asked; an unknown outcome or a ``next_plan_id`` where it does not belong is a
    ``ValidationError``."""
    legacy = outcome == LEGACY_SKIPPED_INEFFECTIVE
    if legacy:
        outcome = Outcome.SWAPPED
        reason = reason or "ineffective"
    if outcome not in OUTCOME_CHOICES:
        raise ValidationError(
            {"outcome": [f"Unknown outcome {outcome!r}: use one of {', '.join(OUTCOME_CHOICES)}."]}
        )
    if outcome == Outcome.SWAPPED and not legacy and not next_plan_id:
        raise ValidationError({"next_plan_id": ["SWAPPED needs next_plan_id: the plan to switch to."]})
    if outcome != Outcome.SWAPPED and next_plan_id:
        raise ValidationError({"next_plan_id": ["next_plan_id is only allowed with SWAPPED."]})
    return _Status(step_order, plan_id, outcome, next_plan_id, reason, legacy, client_key)


def _named_plans(
    *, enrollment: Enrollment, context: _StatusContext, status: _Status
) -> tuple[Alternative, Alternative | None]:
    """The plan ``plan_id`` and the plan ``next_plan_id`` (``None`` when not given) of the step,
    or a ``ValidationError``."""
    step_order, plan_id, next_plan_id = status.step_order, status.plan_id, status.next_plan_id
    if context.step is None:
        raise ValidationError({"step": [f"{enrollment.curriculum} has no step {step_order}."]})
    by_code = {a.code: a for a in context.alternatives}
    plan = by_code.get(plan_id)
    if plan is None:
        raise ValidationError({"plan_id": [f"Step {step_order} has no Plan {plan_id}."]})
    if not next_plan_id:
        return plan, None
    following = by_code.get(next_plan_id)
    if following is None:
        raise ValidationError(
            {"next_plan_id": [f"Plan {next_plan_id} is not an alternative of step {step_order}."]}
        )
    if following.pk == plan.pk:
        raise ValidationError({"next_plan_id": ["next_plan_id must be another plan than plan_id."]})
    if not following.is_active:
        raise ValidationError({"next_plan_id": [f"Plan {next_plan_id} is no longer offered."]})
    return plan, following


def _open_state(*, enrollment: Enrollment, context: _StatusContext, step_order: int) -> EnrollmentStep:
    """The learner's state on the step, which must be the enrollment's open step (else a
    ``Conflict``); started now if the learner had none."""
    step = context.step
    if enrollment.state != Enrollment.State.ACTIVE:
        raise Conflict("This enrollment is completed.", code="enrollment_completed")
    if enrollment.current_step_id != step.pk:
        where = enrollment.current_step.order if enrollment.current_step else "-"
        raise Conflict(
            f"Step {step_order} is not open: the enrollment is on step {where}.",
            code="step_not_open",
            current_step=str(where),
        )
    enrollment.current_step = step
    if context.state is not None:
        return context.state
    step.curriculum = enrollment.curriculum
    return _open_step(enrollment=enrollment, step=step)


def _checked_plan_move(
    *, state: EnrollmentStep, context: _StatusContext, plan: Alternative, following, status: _Status
) -> Alternative | None:
    """The plan a status moves to (``following``; for the legacy status the next offered plan in
    designer order), after checking that ``plan`` is the learner's current plan (``Conflict``s)."""
    plan_id, step_order = plan.code, status.step_order
    if state.current_alternative_id is not None and state.current_alternative_id != plan.pk:
        current = next((a for a in context.alternatives if a.pk == state.current_alternative_id), None)
        if current is None:
            current = Alternative.objects.get(pk=state.current_alternative_id)
        raise Conflict(
            f"Plan {plan_id} is not the current plan of step {step_order} (Plan {current.code} is).",
            code="not_current_plan",
            current_plan_id=current.code,
        )
    if status.legacy and following is None:
        following = next((a for a in context.alternatives if a.is_active and a.order > plan.order), None)
        if following is None:
            raise Conflict(
                f"Plan {plan_id} is the last alternative of step {step_order}: nothing to skip to.",
                code="no_next_alternative",
            )
    return following


def _new_event(
    *, enrollment, step, state: EnrollmentStep, plan, following, status: _Status, now
) -> OutcomeEvent:
    """The outcome event to append (read before the state moves: a ``SWAPPED`` right after a
    ``STOPPED`` is not counted again). The client_key was looked up under the enrollment's lock,
    so it is free here."""
    return OutcomeEvent(
        enrollment=enrollment,
        step=step,
        alternative=plan,
        outcome=status.outcome,
        next_alternative=following if status.outcome == Outcome.SWAPPED else None,
        reason=status.reason,
        legacy_status=LEGACY_SKIPPED_INEFFECTIVE if status.legacy else "",
        segment=enrollment.curriculum.segment_for(enrollment.traits),
        counted=not (status.outcome == Outcome.SWAPPED and state.state == EnrollmentStep.State.STOPPED),
        client_key=status.client_key,
        created_at=now,
    )


def _move_state(*, state: EnrollmentStep, status: _Status, plan: Alternative, following, now):
    """The learner's state after the status of ``plan`` (in memory; written with the event)."""
    state.current_alternative = plan
    if status.outcome == Outcome.SUCCESS:
        state.state = EnrollmentStep.State.SUCCEEDED
        state.completed_at = now
    elif status.outcome == Outcome.STOPPED:
        state.state = EnrollmentStep.State.STOPPED
    else:
        state.current_alternative = following
        state.state = EnrollmentStep.State.IN_PROGRESS
        state.metadata = {"selected_alternative_id": following.code, "reason": status.reason or "swapped"}
    if not state.metadata:
        state.metadata = {"selected_alternative_id": plan.code, "reason": "chosen"}
    state.updated_at = now


def coach_status_record(
    *,
    user,
    enrollment: Enrollment | int,
    step_order: int,
    plan_id: str,
    outcome: str,
    next_plan_id: str | None = None,
    reason: str = "",
    client_key: str = "",
) -> StatusResult:
    """Record the outcome of the learner's plan ``plan_id`` at step ``step_order``.

    ``enrollment`` is the learner's enrollment, or the id of one of ``user``'s enrollments
    (another user's is a ``NotFound``). Bad input is a ``ValidationError`` (400); a status the
    current state forbids is a ``Conflict`` (409). See the module docstring for the rules.

    The usual case is three statements: the locked enrollment; the step, its alternatives and
    the locked state (:func:`curriculum.sql.status_context_row`); the event, the state and,
    shared by every learner on the plan and so written last, the statistics
    (:func:`curriculum.sql.outcome_write`).
    """
    with transaction.atomic():
        enrollment = _locked_enrollment(user=user, enrollment=enrollment)
        status = _checked_status(step_order, plan_id, outcome, next_plan_id, reason, client_key)
        context = _status_context(enrollment=enrollment, step_order=step_order, client_key=client_key)
        if context.earlier is not None:
            return _replay(enrollment=enrollment, event=context.earlier, status=status)
        plan, following = _named_plans(enrollment=enrollment, context=context, status=status)
        step = context.step
        state = _open_state(enrollment=enrollment, context=context, step_order=step_order)
        following = _checked_plan_move(
            state=state, context=context, plan=plan, following=following, status=status
        )
        now = timezone.now()
        event = _new_event(
            enrollment=enrollment,
            step=step,
            state=state,
            plan=plan,
            following=following,
            status=status,
            now=now,
        )
        success = status.outcome == Outcome.SUCCESS
        _move_state(state=state, status=status, plan=plan, following=following, now=now)
        if success:
            _advance(enrollment=enrollment, step=step, now=now)
        # Last: the statistics rows are shared by every learner on the plan.
        _outcome_write(event=event, state=state, success=success)
    state.step = step
    return StatusResult(enrollment=enrollment, state=state, event=event, replayed=False)


def _plain(value):
    """Choices as the plain strings they are stored as."""
    return str(value) if isinstance(value, str) else value


def _outcome_write(*, event: OutcomeEvent, state: EnrollmentStep, success: bool):
    """Append ``event``, save ``state`` and, when the event is counted, count it in the
    statistics, in one statement (:func:`curriculum.sql.outcome_write`, which writes the state's
    columns as they are in memory, all loaded under its lock)."""
    event.pk = sql.outcome_write(
        event={name: _plain(getattr(event, name)) for name in sql.OUTCOME_EVENT_COLUMNS},
        state={name: _plain(getattr(state, name)) for name in sql.ENROLLMENT_STEP_COLUMNS},
        state_id=state.pk,
        stat_segments=_stat_segments(event.segment) if event.counted else [],
        success=success,
    )
    event._state.adding = False
    event._state.db = DEFAULT_DB_ALIAS


def _advance(*, enrollment: Enrollment, step: Step, now):
    following = (
        Step.objects.filter(curriculum_id=enrollment.curriculum_id, order__gt=step.order)
        .order_by("order")
        .first()
    )
    enrollment.current_step = following
    fields = ["current_step", "updated_at"]
    if following is None:
        enrollment.state = Enrollment.State.COMPLETED
        enrollment.completed_at = now
        fields += ["state", "completed_at"]
    enrollment.save(update_fields=fields)
    if following is not None:
        following.curriculum = enrollment.curriculum
        _open_step(enrollment=enrollment, step=following)


# --- Statistics reconciliation ---------------------------------------------------------


@dataclass(frozen=True)
class StatDrift:
    alternative_id: int
    segment: str
    before: tuple[int, int]  # (attempts, successes)
    after: tuple[int, int]


def curriculum_stats_rebuild(*, dry_run: bool = False, progress=None) -> list[StatDrift]:
    """Recompute every ``AlternativeStat`` from the history and correct the rows that drifted.

    The history table is locked against writes (``SHARE`` mode) for the duration,
    so outcomes recorded meanwhile wait instead of being missed. ``progress`` wraps the loop
    over statistics keys (e.g. ``tqdm``). Returns the drift found (corrected unless ``dry_run``).
    """
    with transaction.atomic():
        lock_outcome_history()
        expected: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
        rows = (
            OutcomeEvent.objects.filter(counted=True)
            .values("alternative_id", "segment")
            .annotate(attempts=Count("id"), successes=Count("id", filter=Q(outcome=Outcome.SUCCESS)))
            .order_by()
        )
        for row in rows:
            for segment in [ALL_LEARNERS] + ([row["segment"]] if row["segment"] else []):
                expected[(row["alternative_id"], segment)][0] += row["attempts"]
                expected[(row["alternative_id"], segment)][1] += row["successes"]
        current = {
            (s.alternative_id, s.segment): s
            for s in AlternativeStat.objects.select_for_update(of=("self",)).all()
        }
        keys = sorted(set(expected) | set(current))
        drift = []
        for key in progress(keys) if progress else keys:
            after = tuple(expected.get(key, (0, 0)))
            row = current.get(key)
            before = (row.attempts, row.successes) if row else (0, 0)
            if before == after:
                continue
            drift.append(StatDrift(alternative_id=key[0], segment=key[1], before=before, after=after))
            if dry_run:
                continue
            if row is None:
                AlternativeStat.objects.create(
                    alternative_id=key[0], segment=key[1], attempts=after[0], successes=after[1]
                )
            elif after == (0, 0):
                row.delete()
            else:
                AlternativeStat.objects.filter(pk=row.pk).update(
                    attempts=after[0], successes=after[1], updated_at=timezone.now()
                )
    record_drift("curriculum_stats_rebuild", len(drift))
    return drift


# --- Revisions (config/revisions.py) ---------------------------------------------------


def curriculum_revert_refusals(*, deleted) -> list[str]:
    """Why a revert that deletes ``deleted`` (steps or plans added since the revision) must not
    happen: learners are on the step, or outcomes were recorded for the plan."""
    reasons = []
    for obj in deleted:
        if isinstance(obj, Step) and EnrollmentStep.objects.filter(step=obj).exists():
            reasons.append(f"it would delete step “{obj}”, which learners have started")
        elif isinstance(obj, Alternative) and OutcomeEvent.objects.filter(alternative=obj).exists():
            reasons.append(f"it would delete plan “{obj}”, for which learners recorded outcomes")
    return reasons


# --- Scheduled publishing (config/scheduling.py) ---------------------------------------


def curriculum_schedule_apply(*, now) -> dict:
    """Publish the curricula whose ``publish_at`` has come and withdraw those whose
    ``unpublish_at`` has, through :func:`curriculum_publish` / :func:`curriculum_unpublish`;
    each applied time is cleared, so a second run finds nothing. A curriculum its rules do not
    let publish (a step without an offered plan) stays a draft and is reported."""
    done = {"published": 0, "unpublished": 0, "refused": []}
    for pk in Curriculum.objects.filter(publish_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            curriculum = (
                Curriculum.objects.select_for_update(of=("self",)).filter(pk=pk, publish_at__lte=now).first()
            )
            if curriculum is None:
                continue
            try:
                with content_revision(comment="Published on schedule"):
                    curriculum_publish(user=None, curriculum=curriculum)
                    curriculum.publish_at = None
                    curriculum.save(update_fields=["publish_at", "updated_at"])
            except ValidationError as exc:
                done["refused"].append(f"{curriculum}: {' '.join(exc.messages)}")
                continue
            done["published"] += 1
    for pk in Curriculum.objects.filter(unpublish_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            curriculum = (
                Curriculum.objects.select_for_update(of=("self",))
                .filter(pk=pk, unpublish_at__lte=now)
                .first()
            )
            if curriculum is None:
                continue
            with content_revision(comment="Unpublished on schedule"):
                curriculum_unpublish(user=None, curriculum=curriculum)
                curriculum.unpublish_at = None
                curriculum.save(update_fields=["unpublish_at", "updated_at"])
            done["unpublished"] += 1
    return done
