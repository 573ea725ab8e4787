"""``generate``: a whole plan (weeks, sessions, decisions, safeguards, season view, snapshot).

The long run leads: it starts at the runner's current longest run, grows 1-2 km a week with step-back
weeks, and reaches what the goal needs; the weekly volume follows from it and from the runner's days,
growing at most 8-10 % a week towards a peak reached late in the plan. ``assess`` runs the same
progression without sessions to tell whether the goal fits before anything is built.
"""

import datetime as dt
from dataclasses import dataclass, field

from . import narrative, workouts
from .context import Context, build_context, cross_minutes
from .fitness import runner_snapshot
from .inputs import (
    FASTEST_S,
    GOAL_DISTANCE_M,
    GOAL_LABEL,
    MAX_WEEKS,
    MIN_RUN_DAYS,
    SLOWEST_S,
    WEEKDAYS,
    PlanRequest,
    RunnerInput,
)
from .periodization import RECOVERY_FRACTION, TAPER_FRACTIONS, is_recovery_week
from .rules import (
    INTENSITY_WEIGHT,
    MIN_RUN_KM,
    QUALITY_MAX_KM,
    QUALITY_SHARE,
    RACE_WEEK_RUNS,
    RACE_WEIGHT,
    RETURN_NO_QUALITY_WEEKS,
    long_run_share_cap_km,
)
from .safeguards import (
    ACWR_WARNING,
    MAX_FIRST_WEEK,
    WARN_WEEKLY_INCREASE,
    Recorder,
    acute_chronic_ratio,
)
from .vdot import format_duration, format_pace, predictions
from .weeks import fill_week, is_hard, layout, quality_types, race_week, round_down, single_run_cap

GENERATOR_VERSION = "2026.12.1"
QUALITY_SIZING = 0.95  # goal-pace steps sized under their weekly share
# Long run in the taper weeks before race week, as a share of the plan's longest.
TAPER_LONG_FRACTIONS = {1: (), 2: (0.65,), 3: (0.75, 0.55)}
RECOVERY_LONG_FRACTION = 0.75


class GeneratorInputError(ValueError):
    """Input the generator cannot plan from; ``field`` names the offending input."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass
class Assessment:
    """What the goal needs against what the plan can reach from where the runner is."""

    feasible: bool
    reasons: list[str]
    long_run_need_km: float | None
    long_run_reach_km: float
    volume_reach_km: float
    expected_s: int | None
    predicted_now_s: int | None
    target_time_s: int | None
    target_believed: bool
    weeks: int


class GoalNotFeasible(Exception):
    def __init__(self, assessment: Assessment):
        self.assessment = assessment
        super().__init__("; ".join(assessment.reasons))


@dataclass
class GeneratedPlan:
    name: str
    goal_type: str
    start_date: dt.date
    end_date: dt.date
    duration_weeks: int
    target_date: dt.date | None
    vdot: float
    vdot_uncertain: bool
    paces: dict
    predictions_s: dict
    season_view: dict
    weekly_plan: list[dict]
    runner_snapshot: dict
    periodization_model: str
    phases: list[dict]
    load_parameters: dict
    target_paces: dict
    decisions: list[dict]
    safeguard_applications: list[dict]
    sessions: list[dict] = field(default_factory=list)
    generator_version: str = GENERATOR_VERSION
    assessment: Assessment | None = None
    race_start_time: dt.time | None = None


def last_training_week(history: tuple[float, ...]) -> float | None:
    """The last week of ``history`` that was training (at least 5 km); None after a break."""
    return next((km for km in reversed(history) if km >= 5.0), None)


def check_request(runner: RunnerInput, request: PlanRequest):
    if request.goal_type not in GOAL_LABEL:
        raise GeneratorInputError("goal_type", f"Unknown goal {request.goal_type!r}.")
    if not 1 <= request.weeks <= MAX_WEEKS:
        raise GeneratorInputError("duration_weeks", f"A plan lasts between 4 and {MAX_WEEKS} weeks.")
    if request.start_date.weekday() != 0:
        raise GeneratorInputError("start_date", "Plans start on a Monday.")
    if request.target_time_s is not None:
        if request.goal_type not in GOAL_DISTANCE_M:
            raise GeneratorInputError("target_time_s", "A target time needs a race goal.")
        low, high = FASTEST_S[request.goal_type], SLOWEST_S[request.goal_type]
        if not low <= request.target_time_s <= high:
            raise GeneratorInputError(
                "target_time_s",
                f"No runner finishes a {GOAL_LABEL[request.goal_type]} in {request.target_time_s} s "
                f"(between {low} and {high} s).",
            )
    available = [d for d in WEEKDAYS if d in runner.available_days]
    if not available:
        raise GeneratorInputError("available_days", "The runner has no available days.")
    run_days = min(len(available), 7 - runner.min_rest_days)
    if run_days < MIN_RUN_DAYS:
        raise GeneratorInputError(
            "available_days",
            f"A plan needs at least {MIN_RUN_DAYS} training days a week; the profile leaves {run_days}.",
        )


@dataclass
class _Week:
    number: int
    start: dt.date
    dates: list[dt.date]
    phase: object
    week_in_phase: int
    recovery: bool
    race_week: bool
    volume: float
    long_km: float | None
    kinds: list[str]


def _race_day(ctx: Context, start: dt.date) -> dt.date:
    day = ctx.request.target_date
    if day is None or not start <= day <= start + dt.timedelta(days=6):
        day = start + dt.timedelta(days=ctx.long_day)
    return day


def _limit(recorder: Recorder, safeguard_id: str, week: int, value: float, cap: float, reason: str) -> float:
    """``value`` held to ``cap``, recording the safeguard when it acts."""
    if value > cap + 1e-9:
        recorder.applied(safeguard_id, week=week, original=value, adjusted=cap, reason=reason)
        return cap
    return value


@dataclass
class _Progression:
    """What the weeks built so far leave for the next one; ``_progress`` carries it week to week."""

    planned_caps: dict[int, float]
    last_nonrecovery: float | None  # the last full (non-recovery, non-taper) week's km
    runs: list[tuple[dt.date, float]]
    hard_dates: set[dt.date]
    week_layout: object
    growth: float
    last_full_long: float | None = None
    peak_reached: float = 0.0
    long_top: float = 0.0
    running_weeks: int = 0
    return_mode: bool = False

    @property
    def quality_allowed(self) -> bool:
        """Back from a break or an injury, the first running weeks hold no quality."""
        return not (self.return_mode and self.running_weeks < RETURN_NO_QUALITY_WEEKS)


def _progress(ctx: Context, recorder: Recorder):
    """Week by week: volume and long run within every bound, and the sessions.

    Yields ``(week, result, volume placed, long run placed)``.
    """
    state = _start_progression(ctx)
    for index in range(ctx.weeks):
        week = _week_frame(ctx, state, index)
        if week.race_week:
            result = _race_week_sessions(ctx, state, week)
        else:
            result = _training_week_sessions(ctx, recorder, state, week)
        actual, actual_long = _record_week(ctx, state, week, result)
        yield week, result, actual, actual_long


def _start_progression(ctx: Context) -> _Progression:
    request = ctx.request
    return _Progression(
        planned_caps=dict(request.planned_volumes),
        last_nonrecovery=last_training_week(request.history_volumes),
        runs=list(ctx.known_runs),
        hard_dates=set(request.history_hard_dates),
        week_layout=layout(ctx.available, ctx.long_day, ctx.run_count, ctx.max_quality),
        growth=_growth_rate(ctx),
        return_mode=ctx.return_mode,
    )


def _growth_rate(ctx: Context) -> float:
    """Growth towards the peak, spread over the build weeks so that the peak comes late."""
    build_weeks = sum(
        1
        for i in range(ctx.weeks)
        if (n := i + 1 + ctx.offset) < (ctx.first_taper or ctx.total_weeks + 1)
        and not is_recovery_week(n, ctx.cycle, ctx.first_taper)
    )
    start_volume = min(ctx.reference, MAX_FIRST_WEEK * ctx.reference)
    ratio = ctx.v_peak / max(start_volume, 1.0)
    return min(ctx.rate, max(0.0, ratio ** (1 / max(1, build_weeks - 1)) - 1))


def _week_frame(ctx: Context, state: _Progression, index: int) -> _Week:
    """The week's place in the plan (phase, recovery, race), its volume and long run, its quality."""
    number = index + 1 + ctx.offset
    phase = next(p for p in ctx.phases if p.start_week <= number <= p.end_week)
    week_in_phase = number - phase.start_week + 1
    start = ctx.request.start_date + dt.timedelta(weeks=index)
    dates = [start + dt.timedelta(days=i) for i in range(7)]
    race = ctx.goal != "fitness" and number == ctx.total_weeks
    recovery = (
        phase.name != "Taper"
        and not race
        and number > 1
        and is_recovery_week(number, ctx.cycle, ctx.first_taper)
    )
    kinds = quality_types(ctx.goal, phase.name, ctx.level, recovery, week_in_phase)
    if not state.quality_allowed:
        kinds = []
    return _Week(number, start, dates, phase, week_in_phase, recovery, race, 0.0, None, kinds)


def _volume_bound(ctx: Context, state: _Progression, number: int) -> float:
    """The most the week may hold: 110 % of the reference in the first week, else the weekly growth rate."""
    if state.last_nonrecovery is None:
        v_max = MAX_FIRST_WEEK * ctx.reference
        if ctx.request.health_note:
            v_max = ctx.reference
    else:
        v_max = state.last_nonrecovery * (1 + ctx.rate)
    if number in state.planned_caps:
        v_max = min(v_max, state.planned_caps[number])
    return v_max


def _taper_targets(ctx: Context, state: _Progression, week: _Week) -> tuple[float, float | None]:
    """Taper: volume and long run as shares of the peak reached."""
    fractions = TAPER_FRACTIONS[ctx.taper]
    volume = fractions[min(week.week_in_phase, len(fractions)) - 1] * (state.peak_reached or ctx.reference)
    long_km = None
    long_fractions = TAPER_LONG_FRACTIONS[ctx.taper]
    if long_fractions:
        long_km = long_fractions[min(week.week_in_phase, len(long_fractions)) - 1] * (
            state.long_top or ctx.longest
        )
    return volume, long_km


def _step_back_targets(ctx: Context, state: _Progression) -> tuple[float, float]:
    """Recovery week: a step back from the last full week and its long run."""
    volume = RECOVERY_FRACTION * (state.last_nonrecovery or ctx.reference)
    long_km = RECOVERY_LONG_FRACTION * (state.last_full_long or ctx.longest)
    return volume, long_km


def _growth_targets(
    ctx: Context, recorder: Recorder, state: _Progression, number: int, v_max: float
) -> tuple[float, float]:
    """Build week: the long run grows by a step up to its peak (then holds), within its share and
    duration; the volume follows the growth path, at least what carries the long run at its share."""
    desired = ctx.longest if state.last_full_long is None else state.last_full_long + ctx.step_km
    long_km = min(desired, ctx.lr_peak)
    limits = [
        (
            "long_run_share",
            long_run_share_cap_km(v_max, ctx.run_count),
            f"Long run at most {ctx.share:.0%} of a {v_max:.1f} km week on {ctx.run_count} run days.",
        ),
        (
            "long_run_duration",
            ctx.time_cap_km,
            f"Long run at most {ctx.time_cap_km:g} km: "
            f"{int(ctx.time_cap_km * ctx.long_pace_s_per_km / 60)} minutes at "
            f"{format_pace(ctx.long_pace_s_per_km)}/km.",
        ),
    ]
    for safeguard_id, cap, reason in limits:
        long_km = _limit(recorder, safeguard_id, number, long_km, cap, reason)
    if state.last_nonrecovery is None:
        path = ctx.reference
    else:
        path = min(ctx.v_peak, state.last_nonrecovery * (1 + state.growth))
    volume = min(v_max, max(path, long_km / ctx.share))
    return volume, long_km


def _week_targets(ctx: Context, recorder: Recorder, state: _Progression, week: _Week) -> None:
    """Volume bound, then the long run within it, then the volume from the long run."""
    number = week.number
    v_max = _volume_bound(ctx, state, number)
    if week.phase.name == "Taper":
        volume, long_km = _taper_targets(ctx, state, week)
    elif week.recovery:
        volume, long_km = _step_back_targets(ctx, state)
    else:
        volume, long_km = _growth_targets(ctx, recorder, state, number, v_max)
    if number in state.planned_caps:
        volume = min(volume, state.planned_caps[number])
    if state.last_nonrecovery is not None:
        volume = min(volume, v_max)
    week.volume = round_down(volume)
    if long_km is not None:
        long_km = _cap_long_run(ctx, recorder, state, week, long_km)
    week.long_km = long_km


def _cap_long_run(ctx: Context, recorder: Recorder, state: _Progression, week: _Week, long_km: float):
    """The long run within its share of the week and 110 % of the month's longest run; None when short."""
    long_km = _limit(
        recorder,
        "long_run_share",
        week.number,
        long_km,
        long_run_share_cap_km(week.volume, ctx.run_count),
        f"Long run at most {ctx.share:.0%} of the week's {week.volume:g} km.",
    )
    long_date = week.dates[ctx.long_day]
    long_km = _limit(
        recorder,
        "long_run_vs_recent_longest",
        week.number,
        long_km,
        single_run_cap(long_date, state.runs),
        f"No run over 110% of the longest run of the 30 days before {long_date}.",
    )
    long_km = round_down(long_km)
    return None if long_km < MIN_RUN_KM else long_km


def _race_week_sessions(ctx: Context, state: _Progression, week: _Week):
    """Race week: a few short runs before the race, sized from the peak reached."""
    return race_week(
        dates=week.dates,
        race_day=_race_day(ctx, week.start),
        available=ctx.available,
        volume_hint=min(
            0.35 * (state.peak_reached or ctx.reference),
            state.last_nonrecovery or MAX_FIRST_WEEK * ctx.reference,
            state.planned_caps.get(week.number, float("inf")),
        ),
        **_runner_args(ctx, state),
        max_runs=min(RACE_WEEK_RUNS, ctx.run_count - 1),
        first_day=ctx.request.today,
        race_km=GOAL_DISTANCE_M[ctx.goal] / 1000,
        allow_quality=state.quality_allowed,
    )


def _runner_args(ctx: Context, state: _Progression) -> dict:
    """What every week's sessions are sized from: the runner, the paces, the runs and hard days so far."""
    return dict(
        level=ctx.level,
        goal=ctx.goal,
        book=ctx.book,
        runs=state.runs,
        hard_dates=state.hard_dates,
        run_walk=ctx.run_walk,
    )


def _week_args(ctx: Context, state: _Progression, week: _Week) -> dict:
    """What ``fill_week`` needs besides the long run."""
    week_layout = state.week_layout
    phase, recovery, volume = week.phase.name, week.recovery, week.volume
    cross_budget = 0
    if ctx.run_count <= 4 and ctx.cross_days:
        cross_budget = max(0, 7 - ctx.run_count - ctx.runner.min_rest_days)
    goal_pace_long_km = 0.0
    if ctx.goal == "marathon" and phase == "Peak" and not recovery:
        goal_pace_long_km = QUALITY_SIZING * min(
            QUALITY_MAX_KM["goal_pace"][ctx.level], QUALITY_SHARE["goal_pace"] * volume
        )
    return dict(
        dates=week.dates,
        layout_=week_layout,
        volume_km=volume,
        kinds=week.kinds,
        **_runner_args(ctx, state),
        medium_long=ctx.goal == "marathon"
        and ctx.run_count >= 5
        and phase in ("Build", "Peak")
        and not recovery,
        goal_pace_long_km=goal_pace_long_km,
        cross_days=[d for d in ctx.cross_days if d not in week_layout.run_days],
        cross_budget=cross_budget,
        cross_minutes=cross_minutes(ctx.level),
        first_day=ctx.request.today,
        done_dates=frozenset(ctx.request.completed_dates),
    )


def _training_week_sessions(ctx: Context, recorder: Recorder, state: _Progression, week: _Week):
    """A training week's sessions; when the week cannot hold its volume, the long run shrinks to its
    share of what was placed (a few rounds)."""
    _week_targets(ctx, recorder, state, week)
    week_args = _week_args(ctx, state, week)
    result = fill_week(long_km=week.long_km, **week_args)
    for _ in range(4):
        spec = result.by_day.get(ctx.long_day)
        if not spec or spec["session_type"] != "long":
            break
        placed = sum(x["target_distance_km"] or 0 for x in result.by_day.values())
        if spec["target_distance_km"] <= long_run_share_cap_km(placed, ctx.run_count) + 0.05:
            break
        rest_km = placed - spec["target_distance_km"]
        smaller = round_down(ctx.share * rest_km / (1 - ctx.share))
        recorder.applied(
            "long_run_share",
            week=week.number,
            original=spec["target_distance_km"],
            adjusted=smaller,
            reason=f"The week holds {placed:g} km; the long run keeps to {ctx.share:.0%} of it.",
        )
        result = fill_week(long_km=smaller if smaller >= MIN_RUN_KM else None, **week_args)
    return result


def _record_week(ctx: Context, state: _Progression, week: _Week, result) -> tuple[float, float | None]:
    """What the week placed: its runs and hard days count for the next weeks' caps, a full week becomes
    the base of the next one's growth. Returns the km placed and the long run placed."""
    by_day = result.by_day
    for d in sorted(by_day):
        spec = by_day[d]
        if spec["target_distance_km"] and spec["session_type"] != "cross":
            state.runs.append((week.dates[d], spec["target_distance_km"]))
        if is_hard(spec):
            state.hard_dates.add(week.dates[d])
    actual = round(
        sum(s["target_distance_km"] or 0 for s in by_day.values() if s["session_type"] != "race"), 1
    )
    long_spec = by_day.get(ctx.long_day)
    actual_long = (
        long_spec["target_distance_km"] if long_spec and long_spec["session_type"] == "long" else None
    )
    if actual > 0:
        state.running_weeks += 1
    if _is_full_week(week):
        state.last_nonrecovery = actual
        state.peak_reached = max(state.peak_reached, actual)
        if actual_long:
            state.last_full_long = actual_long
    elif state.last_nonrecovery is None:
        state.last_nonrecovery = actual
    if actual_long:
        state.long_top = max(state.long_top, actual_long)
    return actual, actual_long


def _is_full_week(week: _Week) -> bool:
    """A week that counts as the base of the next one's growth: not recovery, taper or race."""
    return not week.recovery and week.phase.name != "Taper" and not week.race_week


def _assess_ctx(ctx: Context, built: list | None = None) -> Assessment:
    """The goal against what the built weeks reach (``built``: the weeks ``_progress`` yielded)."""
    if built is None:
        built = list(_progress(ctx, Recorder()))
    reach_long = max((actual_long or 0.0 for _w, _r, _a, actual_long in built), default=0.0)
    reach_volume = max((actual for _w, _r, actual, _l in built), default=0.0)
    reasons = []
    label = GOAL_LABEL[ctx.goal]
    if ctx.lr_floor is not None and reach_long + 0.05 < ctx.lr_floor:
        reasons.append(
            f"A {label} needs long runs of about {ctx.lr_floor:g} km; from your longest run of "
            f"{ctx.longest:g} km, {ctx.weeks} weeks of safe growth (1-2 km a week, at most 110% of "
            f"the longest run of the month before) reach {reach_long:g} km."
        )
    if ctx.request.target_time_s and not ctx.target_believed:
        reasons.append(
            f"Your VDOT of {ctx.vdot:g} predicts {format_duration(ctx.predicted_now_s)} today and about "
            f"{format_duration(ctx.expected_s)} after {ctx.weeks} weeks (a realistic gain of "
            f"{ctx.gain:g} VDOT); {format_duration(ctx.request.target_time_s)} is "
            f"{(1 - ctx.request.target_time_s / ctx.expected_s) * 100:.1f}% faster than that."
        )
    return Assessment(
        feasible=not reasons,
        reasons=reasons,
        long_run_need_km=ctx.lr_floor,
        long_run_reach_km=round(reach_long, 1),
        volume_reach_km=round(reach_volume, 1),
        expected_s=ctx.expected_s,
        predicted_now_s=ctx.predicted_now_s,
        target_time_s=ctx.request.target_time_s,
        target_believed=ctx.target_believed,
        weeks=ctx.weeks,
    )


def assess(runner: RunnerInput, request: PlanRequest) -> Assessment:
    """Does the goal fit? The plan's own weeks, built and measured against the goal's needs."""
    check_request(runner, request)
    return _assess_ctx(build_context(runner, request))


def generate(runner: RunnerInput, request: PlanRequest) -> GeneratedPlan:
    """Build the plan for ``runner`` and ``request``. Pure: the same input gives the same plan.

    Raises ``GoalNotFeasible`` when the goal does not fit and ``request.accept_risk`` is not set.

    The phases, in order: the inputs checked and read into a ``Context`` (fitness, days, periodization,
    what the goal needs); the long-run progression and the weeks' sessions (``_progress``); the goal
    checked against what they reach (``_assess_ctx``); each week's row, warnings and dated sessions
    (``_summarise_weeks``); then the load figures and the narrative (decisions, season view)."""
    check_request(runner, request)
    ctx = build_context(runner, request)
    recorder = Recorder()
    built = list(_progress(ctx, recorder))
    assessment = _assess_ctx(ctx, built)
    if not assessment.feasible and not request.accept_risk and not request.realign:
        raise GoalNotFeasible(assessment)
    summary = _summarise_weeks(ctx, recorder, built)
    load_parameters = _load_parameters(ctx, summary)
    phase_rows = _phase_rows(ctx)
    decisions = _decisions(ctx, summary, load_parameters, phase_rows, assessment)
    return GeneratedPlan(
        name=f"{GOAL_LABEL[ctx.goal]} - {ctx.total_weeks} Week Plan",
        goal_type=ctx.goal,
        start_date=request.start_date,
        end_date=_end_date(ctx, summary.race_day),
        duration_weeks=ctx.total_weeks,
        target_date=request.target_date,
        vdot=ctx.vdot,
        vdot_uncertain=ctx.vdot_uncertain,
        paces=ctx.paces.as_dict(),
        predictions_s=predictions(ctx.vdot),
        season_view=narrative.season_view(
            ctx=ctx,
            weekly_plan=summary.weekly_plan,
            load=load_parameters,
            phases=phase_rows,
            assessment=assessment,
        ),
        weekly_plan=summary.weekly_plan,
        runner_snapshot=runner_snapshot(
            runner,
            request,
            vdot=ctx.vdot,
            vdot_uncertain=ctx.vdot_uncertain,
            reference_weekly_km=ctx.reference,
            peak_volume=load_parameters["peak_volume"],
            influencers=ctx.influencers,
        ),
        periodization_model="linear-block" if ctx.goal != "fitness" else "linear-base",
        phases=phase_rows,
        load_parameters=load_parameters,
        target_paces=_target_paces(ctx),
        decisions=decisions,
        safeguard_applications=recorder.finish(),
        sessions=summary.sessions,
        assessment=assessment,
        race_start_time=ctx.race_start if ctx.goal != "fitness" else None,
    )


@dataclass
class _Summary:
    """The weeks as the plan stores them, and what the narrative needs from them."""

    volumes: list[float]  # weekly km, history first, for the acute:chronic ratio
    last_full: float | None  # the last full (non-recovery) week's km
    race_day: dt.date | None
    weekly_plan: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    week_notes: list[str] = field(default_factory=list)
    unplaced_total: float = 0.0
    peak_reached: float = 0.0


def _summarise_weeks(ctx: Context, recorder: Recorder, built: list) -> _Summary:
    """Each built week: the race placed, the load warnings, its row and its dated sessions."""
    request = ctx.request
    summary = _Summary(
        volumes=list(request.history_volumes) or [ctx.reference] * 4,
        last_full=last_training_week(request.history_volumes),
        race_day=request.target_date,
    )
    for week, result, actual, actual_long in built:
        _note_week(recorder, summary, week, result, actual)
        race_km = 0.0
        if week.race_week:
            summary.race_day = _race_day(ctx, week.start)
            race_km = GOAL_DISTANCE_M[ctx.goal] / 1000
            result.by_day[summary.race_day.weekday()] = _race_session(ctx, race_km)
        summary.volumes.append(actual)
        ratio = acute_chronic_ratio(summary.volumes)
        warnings = _load_warnings(recorder, week, actual, summary.last_full, ratio)
        compared_with = summary.last_full
        if _is_full_week(week):
            summary.last_full = actual
            summary.peak_reached = max(summary.peak_reached, actual)
        elif summary.last_full is None:
            summary.last_full = actual
        last_day = summary.race_day.weekday() if week.race_week else 6
        week_days = week.dates[: last_day + 1]
        row = _week_row(ctx, week, result, week_days, actual=actual, actual_long=actual_long, race_km=race_km)
        row.update(_week_story(ctx, week, result, actual, actual_long, compared_with))
        optional = {
            "week_label": _week_label(week),
            "acute_chronic_ratio": ratio,
            "coach_notes": narrative.coach_notes(
                week.phase.name, week.recovery, week.race_week, week.week_in_phase
            ),
            "warning_signals": warnings,
            "unscheduled_km": result.unplaced_km if result.unplaced_km > 0.05 else None,
        }
        row.update({key: value for key, value in optional.items() if value not in ("", None, [])})
        summary.weekly_plan.append(row)
        summary.sessions.extend(_dated_sessions(ctx, week, result.by_day, week_days))
    return summary


def _note_week(recorder: Recorder, summary: _Summary, week: _Week, result, actual: float) -> None:
    """Volume the week could not place, quality it left out, sessions it moved."""
    if result.unplaced_km > 0.05:
        summary.unplaced_total += result.unplaced_km
        recorder.applied(
            "unscheduled_volume",
            week=week.number,
            original=week.volume,
            adjusted=actual,
            reason=f"{result.unplaced_km:g} km not scheduled: no run may be longer than the week's long "
            "run (easy runs 75% of it) or 110% of the month's longest run.",
        )
    for kind in result.dropped_quality:
        summary.week_notes.append(
            f"week {week.number}: {kind} left out (no day for it away from another hard day)"
        )
    for text in result.moved:
        summary.week_notes.append(f"week {week.number}: {text}")


def _load_warnings(
    recorder: Recorder, week: _Week, actual: float, last_full: float | None, ratio: float | None
) -> list[str]:
    """Warning signals only: a rise over the last full week, a high acute:chronic ratio."""
    warnings = []
    if last_full and actual > WARN_WEEKLY_INCREASE * last_full + 0.05:
        warnings.append(f"Volume up {actual / last_full - 1:.0%} on the last full week.")
        recorder.warning(
            "weekly_volume_increase",
            week=week.number,
            original=last_full,
            adjusted=actual,
            reason="Warning: more than 1.10 x the last full (non-recovery) week.",
        )
    if ratio is not None and ratio > ACWR_WARNING:
        warnings.append(f"Acute:chronic load ratio {ratio:.2f}: watch fatigue and soreness.")
        recorder.warning(
            "acute_chronic_ratio",
            week=week.number,
            original=ratio,
            reason="Warning signal only: load rising faster than the last four weeks'.",
        )
    return warnings


def _week_row(
    ctx: Context, week: _Week, result, week_days: list[dt.date], *, actual, actual_long, race_km
) -> dict:
    """The week's figures: volume, intensity, long run, counts of key, easy and rest days."""
    by_day = result.by_day
    hard = sum(
        INTENSITY_WEIGHT[s["quality_kind"]] * s["quality_km"]
        for s in by_day.values()
        if s.get("quality_kind")
    )
    hard += RACE_WEIGHT.get(ctx.goal, 0) * race_km
    total = actual + race_km
    intensity = int(min(100, round(25 + 250 * hard / total))) if total else 0
    run_sessions = [s for s in by_day.values() if s["session_type"] not in ("rest", "cross")]
    return {
        "week_number": week.number,
        "week_start_date": week.start.isoformat(),
        "week_end_date": week_days[-1].isoformat(),
        "phase_name": week.phase.name,
        "phase_week_number": week.week_in_phase,
        "volume_km": round(total, 1),
        "intensity_score": intensity,
        "is_recovery_week": week.recovery,
        "long_run_km": actual_long or 0.0,
        "race_km": round(race_km, 1),
        "key_sessions": sum(1 for s in run_sessions if s["is_key_session"]),
        "easy_runs": sum(1 for s in run_sessions if s["session_type"] == "easy"),
        "rest_days": sum(1 for d in week_days if d.weekday() not in by_day),
    }


def _week_story(ctx: Context, week: _Week, result, actual: float, actual_long, compared_with) -> dict:
    """The week's focus, why it holds what it holds, and its change on the last full week."""
    return {
        "week_focus": narrative.week_focus(week.phase.name, week.recovery, week.race_week, ctx.goal),
        "week_justification": narrative.week_justification(
            volume=actual,
            compared_with=compared_with,
            long_km=actual_long,
            phase=week.phase.name,
            recovery=week.recovery,
            race_week=week.race_week,
            by_day=result.by_day,
            unplaced_km=result.unplaced_km,
        ),
        "volume_change_percent": round((actual / compared_with - 1) * 100, 1) if compared_with else 0.0,
    }


def _week_label(week: _Week) -> str:
    if week.race_week:
        return "Race"
    if week.phase.name == "Taper":
        return "Taper"
    return "Recovery" if week.recovery else ""


def _dated_sessions(ctx: Context, week: _Week, by_day: dict, week_days: list[dt.date]) -> list[dict]:
    """The week's sessions from today on, a rest day where nothing is planned, with their start times."""
    request = ctx.request
    sessions = []
    for day in week_days:
        if day < request.today:
            continue
        spec = by_day.get(day.weekday()) or workouts.rest()
        if spec["session_type"] == "race":
            start_time = ctx.race_start
        elif spec["session_type"] == "rest":
            start_time = None
        else:
            start_time = request.start_time_local
        sessions.append({**spec, "date": day, "week_number": week.number, "start_time_local": start_time})
    return sessions


def _end_date(ctx: Context, race_day: dt.date | None) -> dt.date:
    if ctx.goal != "fitness" and race_day:
        return race_day
    return ctx.request.start_date + dt.timedelta(weeks=ctx.weeks, days=-1)


def _load_parameters(ctx: Context, summary: _Summary) -> dict:
    weekly_plan = summary.weekly_plan
    return {
        "starting_volume": weekly_plan[0]["volume_km"] - weekly_plan[0].get("race_km", 0),
        "peak_volume": round(summary.peak_reached or max(w["volume_km"] for w in weekly_plan), 1),
        "weekly_increase": ctx.rate,
        "estimated_vdot": ctx.vdot,
        "recovery_every": ctx.cycle,
        "taper_weeks": ctx.taper,
        "reference_weekly_km": ctx.reference,
        "reference_longest_run_km": ctx.longest,
        "peak_long_run_km": max((w["long_run_km"] for w in weekly_plan), default=0.0),
        "long_run_share": ctx.share,
        "run_days": ctx.run_count,
        "return_mode": ctx.return_mode,
        "run_walk": ctx.run_walk,
    }


def _target_paces(ctx: Context) -> dict:
    paces = ctx.paces
    return {
        "easy": f"{format_pace(paces.easy_min_s_per_km)}-{format_pace(paces.easy_max_s_per_km)}/km",
        "marathon": f"{format_pace(ctx.book.paces.marathon_s_per_km)}/km",
        "threshold": f"{format_pace(paces.threshold_s_per_km)}/km",
        "interval": f"{format_pace(paces.interval_s_per_km)}/km",
        "repetition": f"{format_pace(paces.repetition_s_per_km)}/km",
    }


def _phase_rows(ctx: Context) -> list[dict]:
    """The phases from the plan's first generated week on (a re-plan starts inside one)."""
    phase_rows = [p.as_dict() for p in ctx.phases if p.end_week > ctx.offset]
    if phase_rows and phase_rows[0]["start_week"] <= ctx.offset:
        phase_rows[0]["start_week"] = ctx.offset + 1
    return phase_rows


def _decisions(ctx: Context, summary: _Summary, load: dict, phase_rows: list[dict], assessment) -> list[dict]:
    """The context's notes, the plan's decisions with their sources, and the caller's extra ones."""
    decisions: list[dict] = list(ctx.notes)
    decisions.extend(
        narrative.decisions(
            ctx=ctx,
            load=load,
            phases=phase_rows,
            assessment=assessment,
            week_notes=summary.week_notes,
            unplaced_total=round(summary.unplaced_total, 1),
        )
    )
    decisions.extend(ctx.request.extra_decisions)
    return decisions


def _race_session(ctx: Context, race_km: float) -> dict:
    request = ctx.request
    name = request.target_event or f"{GOAL_LABEL[ctx.goal]} race"
    title = name if request.target_date else f"{GOAL_LABEL[ctx.goal]} time trial"
    spec = workouts.race(
        race_km,
        ctx.goal_time_s,
        ctx.book,
        title=title,
        purpose=f"The goal: {format_duration(ctx.goal_time_s)}, about "
        f"{format_pace(round(ctx.goal_time_s / race_km))}/km. Start controlled, even splits, finish strong.",
    )
    spec["description"] = (
        f"{title}: {race_km:g} km at about {format_pace(round(ctx.goal_time_s / race_km))}/km "
        f"({format_duration(ctx.goal_time_s)}). Start controlled, even splits, finish strong."
    )
    return spec
