"""Plans: generate, the status transitions, and realign (regenerate the remaining weeks)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Conflict, Invalid, NotFound, Unprocessable
from config.timezones import local_today

from .. import events, generator
from ..generator import realign
from ..generator.inputs import GOAL_LABEL, MAX_WEEKS, MIN_WEEKS
from ..generator.realign import monday_of
from ..models import Activity, PlannedSession, PlanStatus, SessionStatus, TrainingPlan
from .profiles import runner_profile_get

ACTIVITY_WINDOW_DAYS = 60
REALIGN_REASONS = ("missed_key_sessions", "illness", "injury", "schedule_change", "manual")
SYSTEM_REALIGN_REASONS = ("history_imported",)  # given by the platform itself, never by a client


def runner_input_for(*, user, today: dt.date) -> generator.RunnerInput:
    """The generator's view of the runner: the profile and the last 60 days of activities."""
    profile = runner_profile_get(user=user)
    since = timezone.now() - dt.timedelta(days=ACTIVITY_WINDOW_DAYS + 1)
    rows = Activity.objects.filter(user=user, started_at__gte=since).only(
        "started_at", "time_zone", "distance_m", "duration_s", "perceived_effort", "avg_heart_rate", "kind"
    )
    activities = tuple(
        sorted(
            (
                generator.ActivityPoint(
                    date=a.local_date,
                    distance_km=a.distance_m / 1000,
                    duration_s=a.duration_s,
                    perceived_effort=a.perceived_effort,
                    avg_heart_rate=a.avg_heart_rate,
                    kind=a.kind,
                )
                for a in rows
            ),
            key=lambda a: (a.date, a.distance_km, a.duration_s),
        )
    )
    race = None
    if profile.recent_race_distance_m and profile.recent_race_time_s:
        race = generator.RaceResult(
            profile.recent_race_distance_m, profile.recent_race_time_s, profile.recent_race_date
        )
    return generator.RunnerInput(
        experience_level=profile.experience_level,
        recent_weekly_km=profile.recent_weekly_km,
        longest_recent_run_km=profile.longest_recent_run_km,
        recent_race=race,
        available_days=tuple(profile.available_days or ()),
        long_run_day=profile.long_run_day,
        min_rest_days=profile.min_rest_days,
        injury_notes=profile.injury_notes,
        cross_training_days=tuple(profile.cross_training_days or ()),
        activities=activities,
    )


def _plan_dates(*, today, target_date, duration_weeks):
    """(start Monday, weeks) from a target date and/or a length, or ``Invalid`` naming the field."""
    if target_date is None and duration_weeks is None:
        raise Invalid({"duration_weeks": ["Give a target date or a duration in weeks."]})
    if duration_weeks is not None and not MIN_WEEKS <= duration_weeks <= MAX_WEEKS:
        raise Invalid({"duration_weeks": [f"A plan lasts between {MIN_WEEKS} and {MAX_WEEKS} weeks."]})
    first_monday = today if today.weekday() == 0 else monday_of(today) + dt.timedelta(weeks=1)
    if target_date is None:
        return first_monday, duration_weeks
    if target_date <= today:
        raise Invalid({"target_date": ["The target date is in the past."]})
    if duration_weeks is None:
        weeks = (monday_of(target_date) - first_monday).days // 7 + 1
        if weeks < MIN_WEEKS:
            raise Invalid({"target_date": [f"The target date must be at least {MIN_WEEKS} weeks away."]})
        if weeks > MAX_WEEKS:
            raise Invalid({"target_date": [f"The target date must be within {MAX_WEEKS} weeks."]})
        return first_monday, weeks
    start = monday_of(target_date) - dt.timedelta(weeks=duration_weeks - 1)
    if start < monday_of(today):
        raise Invalid(
            {"duration_weeks": ["A plan this long ending on the target date would start in the past."]}
        )
    return start, duration_weeks


def _generate(runner, request) -> generator.GeneratedPlan:
    try:
        return generator.generate(runner, request)
    except generator.GeneratorInputError as error:
        raise Invalid({error.field: [error.message]}) from error


def _session_rows(plan: TrainingPlan, specs: list[dict]) -> list[PlannedSession]:
    return [
        PlannedSession(
            plan=plan,
            user_id=plan.user_id,
            date=spec["date"],
            week_number=spec["week_number"],
            session_type=spec["session_type"],
            title=spec["title"],
            description=spec["description"],
            target_distance_km=spec["target_distance_km"],
            target_duration_s=spec["target_duration_s"],
            target_pace_s_per_km=spec["target_pace_s_per_km"],
            is_key_session=spec["is_key_session"],
            purpose=spec.get("purpose", ""),
            steps=spec.get("steps", []),
            start_time_local=spec["start_time_local"],
            time_zone=plan.time_zone,
        )
        for spec in specs
    ]


PLAN_BODY_FIELDS = (
    "goal_type",
    "target_date",
    "duration_weeks",
    "target_time_s",
    "target_event",
    "race_start_time",
    "run_walk",
)
SHORTER_GOALS = {"marathon": ("half", "10k", "5k"), "half": ("10k", "5k"), "10k": ("5k",), "5k": ()}


def _plan_request(*, profile, body: dict, today, now) -> generator.PlanRequest:
    """The generator's request for a plan body (the fields of ``POST /training-plans/``)."""
    goal_type = body["goal_type"]
    if goal_type not in GOAL_LABEL:
        raise Invalid({"goal_type": [f"Choose one of {', '.join(GOAL_LABEL)}."]})
    if body.get("target_time_s") is not None and goal_type == "fitness":
        raise Invalid({"target_time_s": ["A target time needs a race goal."]})
    start, weeks = _plan_dates(
        today=today, target_date=body.get("target_date"), duration_weeks=body.get("duration_weeks")
    )
    return generator.PlanRequest(
        goal_type=goal_type,
        start_date=start,
        weeks=weeks,
        today=today,
        captured_at=now,
        target_date=body.get("target_date"),
        target_time_s=body.get("target_time_s"),
        target_event=body.get("target_event") or "",
        start_time_local=profile.preferred_start_time,
        race_start_time=body.get("race_start_time"),
        accept_risk=bool(body.get("accept_risk")),
        run_walk=bool(body.get("run_walk")),
    )


def _fits(*, profile, runner, body, today, now) -> bool:
    try:
        request = _plan_request(profile=profile, body=body, today=today, now=now)
        return generator.assess(runner, request).feasible
    except (Invalid, generator.GeneratorInputError):
        return False


def _as_json(body: dict) -> dict:
    out = {}
    for key, value in body.items():
        if value in (None, "", False):
            continue
        out[key] = (
            value.isoformat(timespec="minutes")
            if isinstance(value, dt.time)
            else (value.isoformat() if isinstance(value, dt.date) else value)
        )
    return out


def feasible_options(*, profile, runner, body: dict, request, today, now) -> list[dict]:
    """Complete request bodies that the feasibility gate accepts as they are, best first: the same goal
    later, without the target time, a shorter goal by the same date, run/walk for beginners."""
    candidates: list[dict] = []
    base = {key: body.get(key) for key in PLAN_BODY_FIELDS}
    for extra in range(1, MAX_WEEKS - request.weeks + 1):
        later = dict(base)
        if base.get("target_date"):
            later["target_date"] = base["target_date"] + dt.timedelta(weeks=extra)
            if base.get("duration_weeks"):
                later["duration_weeks"] = base["duration_weeks"] + extra
        else:
            later["duration_weeks"] = request.weeks + extra
        if _fits(profile=profile, runner=runner, body=later, today=today, now=now):
            candidates.append(later)
            break
    if base.get("target_time_s"):
        untimed = {**base, "target_time_s": None}
        if _fits(profile=profile, runner=runner, body=untimed, today=today, now=now):
            candidates.append(untimed)
    for shorter in SHORTER_GOALS.get(base["goal_type"], ()):
        body_ = {**base, "goal_type": shorter, "target_time_s": None}
        if _fits(profile=profile, runner=runner, body=body_, today=today, now=now):
            candidates.append(body_)
            break
    if runner.experience_level == "beginner" or runner.injury_notes.strip():
        walk = {**base, "target_time_s": None, "run_walk": True}
        if not base.get("run_walk") and _fits(
            profile=profile, runner=runner, body=walk, today=today, now=now
        ):
            candidates.append(walk)
    seen, options = set(), []
    for candidate in candidates:
        as_json = _as_json(candidate)
        key = tuple(sorted(as_json.items()))
        if key not in seen:
            seen.add(key)
            options.append(as_json)
    return options


def plan_preview(
    *,
    user,
    goal_type,
    target_date=None,
    duration_weeks=None,
    target_time_s=None,
    target_event="",
    today=None,
    race_start_time=None,
    accept_risk=False,
    run_walk=False,
) -> generator.GeneratedPlan:
    """The plan ``plan_generate`` would save, without saving it (``--dry-run``, admin preview).

    A goal that does not fit is ``Unprocessable`` (code ``goal_not_feasible``) with the reasons and
    request bodies that would be accepted as they are, unless ``accept_risk``."""
    profile = runner_profile_get(user=user)
    now = timezone.now()
    today = today or local_today(profile.time_zone, now)
    body = {
        "goal_type": goal_type,
        "target_date": target_date,
        "duration_weeks": duration_weeks,
        "target_time_s": target_time_s,
        "target_event": target_event,
        "race_start_time": race_start_time,
        "accept_risk": accept_risk,
        "run_walk": run_walk,
    }
    request = _plan_request(profile=profile, body=body, today=today, now=now)
    runner = runner_input_for(user=user, today=today)
    try:
        return _generate(runner, request)
    except generator.GoalNotFeasible as refused:
        raise Unprocessable(
            "This goal does not fit the time and the fitness you have; the options would be accepted as "
            "they are, "
            'or send "accept_risk": true.',
            code="goal_not_feasible",
            reasons=refused.assessment.reasons,
            options=feasible_options(
                profile=profile, runner=runner, body=body, request=request, today=today, now=now
            ),
        ) from refused


@transaction.atomic
def plan_generate(*, user, today=None, **goal) -> TrainingPlan:
    """Generate a draft plan and its sessions for ``user``; ``goal`` takes ``plan_preview``'s fields
    (``goal_type``, ``target_date``, ``duration_weeks``, ``target_time_s``, ``target_event``,
    ``race_start_time``, ``accept_risk``, ``run_walk``)."""
    result = plan_preview(user=user, today=today, **goal)
    profile = runner_profile_get(user=user)
    plan = TrainingPlan(
        user=user,
        name=result.name,
        goal_type=result.goal_type,
        target_event=goal.get("target_event") or "",
        target_date=result.target_date,
        target_time_s=goal.get("target_time_s"),
        race_start_time=result.race_start_time,
        start_date=result.start_date,
        end_date=result.end_date,
        duration_weeks=result.duration_weeks,
        status=PlanStatus.DRAFT,
        time_zone=profile.time_zone,
        season_view=result.season_view,
        weekly_plan=result.weekly_plan,
        runner_snapshot=result.runner_snapshot,
        periodization_model=result.periodization_model,
        phases=result.phases,
        load_parameters=result.load_parameters,
        target_paces=result.target_paces,
        decisions=result.decisions,
        safeguard_applications=result.safeguard_applications,
        generated_at=timezone.now(),
        generator_version=result.generator_version,
    )
    plan.full_clean(exclude=["user"])
    plan.save()
    PlannedSession.objects.bulk_create(_session_rows(plan, result.sessions))
    return plan


def _locked_plan(*, user, plan) -> TrainingPlan:
    locked = TrainingPlan.objects.select_for_update(of=("self",)).filter(pk=plan.pk, user=user).first()
    if locked is None:
        raise NotFound("No such plan among yours.")
    return locked


def _transition(plan: TrainingPlan, status: str):
    if not plan.can_become(status):
        raise Conflict(
            f"A {plan.get_status_display().lower()} plan cannot become {status}.",
            code=f"plan_{plan.status}",
        )


@transaction.atomic
def plan_activate(*, user, plan: TrainingPlan) -> TrainingPlan:
    """Make ``plan`` the user's active plan (from draft, or resume it from paused)."""
    plan = _locked_plan(user=user, plan=plan)
    _transition(plan, PlanStatus.ACTIVE)
    other = TrainingPlan.objects.filter(user=user, status=PlanStatus.ACTIVE).exclude(pk=plan.pk).first()
    if other is not None:
        raise Conflict(
            "You already have an active plan; pause, complete or abandon it first.",
            code="active_plan_exists",
            active_plan_id=other.pk,
        )
    plan.status = PlanStatus.ACTIVE
    plan.activated_at = timezone.now()
    try:
        with transaction.atomic():
            plan.save(update_fields=["status", "activated_at", "updated_at"])
    except IntegrityError as error:  # another request activated a plan at the same moment
        raise Conflict("You already have an active plan.", code="active_plan_exists") from error
    events.emit("plan_activated", plan.pk)
    return plan


def _deactivate(*, user, plan, status) -> TrainingPlan:
    plan = _locked_plan(user=user, plan=plan)
    _transition(plan, status)
    was_running = plan.status in (PlanStatus.ACTIVE, PlanStatus.PAUSED)
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    if was_running:
        events.emit("plan_deactivated", plan.pk, str(status))
    return plan


@transaction.atomic
def plan_pause(*, user, plan: TrainingPlan) -> TrainingPlan:
    """Pause the active plan: its sessions are not marked missed while it is paused."""
    return _deactivate(user=user, plan=plan, status=PlanStatus.PAUSED)


@transaction.atomic
def plan_abandon(*, user, plan: TrainingPlan) -> TrainingPlan:
    """Give the plan up (from draft, active or paused); its history stays."""
    return _deactivate(user=user, plan=plan, status=PlanStatus.ABANDONED)


@transaction.atomic
def plan_complete(*, user, plan: TrainingPlan) -> TrainingPlan:
    """Mark an active or paused plan completed (the sweep does it when its last day ends)."""
    return _deactivate(user=user, plan=plan, status=PlanStatus.COMPLETED)


@transaction.atomic
def plan_realign(*, user, plan: TrainingPlan, reason: str, today=None) -> TrainingPlan:
    """Regenerate the remaining weeks from today, from what the runner actually ran.

    Past weeks, done sessions and decisions stay. The load comes from recorded activities (a skipped
    or missed session is 0 km), no later week rises above what was planned for it before, the recovery
    weeks stay where they were, the next long run is bounded by the month's longest actual run, and a
    missed key session of this week moves to a free later day that is not next to a hard one. The
    arithmetic is ``training.generator.realign``; here the rows are read and written."""
    if reason not in REALIGN_REASONS + SYSTEM_REALIGN_REASONS:
        raise Invalid({"reason": [f"Choose one of {', '.join(REALIGN_REASONS)}."]})
    plan = _locked_plan(user=user, plan=plan)
    if plan.status not in (PlanStatus.ACTIVE, PlanStatus.PAUSED, PlanStatus.DRAFT):
        raise Conflict(f"A {plan.status} plan cannot be realigned.", code=f"plan_{plan.status}")
    now = timezone.now()
    today = today or local_today(plan.time_zone, now)
    remaining = plan.duration_weeks - realign.current_week(plan.start_date, today) + 1
    if remaining < 1 or today > plan.end_date:
        raise Conflict("The plan has ended; there is nothing left to realign.", code="plan_over")
    runner = runner_input_for(user=user, today=today)
    so_far = _plan_so_far(plan)
    request, decision = realign.realign_request(
        plan=so_far,
        reason=reason,
        activities=runner.activities,
        sessions=_recent_sessions(plan, today),
        today=today,
        now=now,
        start_time_local=runner_profile_get(user=user).preferred_start_time,
    )
    result = _generate(runner, request)
    for name, value in realign.merge(so_far, result, reason=reason, today=today, decision=decision).items():
        setattr(plan, name, value)
    plan.generated_at = now
    plan.realigned_at = now
    plan.full_clean(exclude=["user"])
    plan.save()
    plan.sessions.filter(date__gte=today, status=SessionStatus.PLANNED).delete()
    taken = set(plan.sessions.filter(date__gte=today).values_list("date", flat=True))
    PlannedSession.objects.bulk_create(
        _session_rows(plan, [s for s in result.sessions if s["date"] not in taken])
    )
    events.emit("plan_realigned", plan.pk)
    return plan


def _plan_so_far(plan: TrainingPlan) -> realign.PlanSoFar:
    return realign.PlanSoFar(
        goal_type=plan.goal_type,
        start_date=plan.start_date,
        duration_weeks=plan.duration_weeks,
        target_date=plan.target_date,
        target_time_s=plan.target_time_s,
        target_event=plan.target_event,
        race_start_time=plan.race_start_time,
        weekly_plan=plan.weekly_plan,
        phases=plan.phases,
        safeguard_applications=plan.safeguard_applications,
        load_parameters=plan.load_parameters,
        decisions=plan.decisions,
    )


def _recent_sessions(plan: TrainingPlan, today: dt.date) -> list[realign.PastSession]:
    """The plan's sessions of the days a realign looks back on, in date order."""
    since = today - dt.timedelta(days=realign.SHORTFALL_DAYS)
    rows = plan.sessions.filter(date__gte=since, date__lt=today).values_list(
        "date", "session_type", "target_distance_km", "status"
    )
    return [realign.PastSession(*row) for row in rows]
