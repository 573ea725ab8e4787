"""What a plan is built from: the runner's fitness, days, return mode, the goal's needs and the
plan's one goal time. Pure arithmetic on the inputs; ``plan.py`` builds the weeks from it."""

import datetime as dt
from dataclasses import dataclass, field

from .fitness import estimate_vdot, measured_longest_km, measured_weekly_km
from .inputs import GOAL_DISTANCE_M, WEEKDAYS, PlanRequest, RunnerInput
from .periodization import Phase, phases_for, recovery_every, taper_weeks
from .rules import (
    CROSS_MINUTES,
    EASY_SHARE_OF_LONG,
    LONG_RUN_PEAK,
    LONG_RUN_RANGE,
    LONG_RUN_STEP_KM,
    MAX_QUALITY,
    MAX_RUN_DAYS,
    PEAK_VOLUME,
    RACE_START_DEFAULT,
    RETURN_AFTER_DAYS,
    TARGET_TOLERANCE,
    VDOT_GAIN_PER_4_WEEKS,
    WEEKLY_INCREASE,
    detraining_factor,
    long_run_minutes,
    long_run_share,
)
from .vdot import Paces, predict_time_s, training_paces
from .workouts import WALK_PACE, PaceBook

MIN_REFERENCE_WEEKLY_KM = 5.0
MIN_REFERENCE_LONGEST_KM = 3.0
HEALTH_FACTOR = {"illness": 0.7, "injury": 0.6}
RUN_WALK_WALK_SHARE = 0.1  # run/walk: 900 m running, 100 m walking


@dataclass
class Context:
    runner: RunnerInput
    request: PlanRequest
    level: str
    goal: str
    offset: int
    weeks: int
    total_weeks: int
    vdot: float
    vdot_uncertain: bool
    vdot_source: str
    paces: Paces
    reference: float
    longest: float
    return_reasons: list[str]
    days_off: int | None
    run_walk: bool
    available: list[int]
    long_day: int
    run_count: int
    cross_days: list[int]
    max_quality: int
    taper: int
    phases: list[Phase]
    first_taper: int | None
    cycle: int
    rate: float
    share: float
    long_pace_s_per_km: int
    time_cap_km: float
    lr_floor: float | None
    lr_peak: float
    step_km: float
    v_peak: float
    gain: float
    predicted_now_s: int | None
    expected_s: int | None
    target_believed: bool
    goal_time_s: int | None
    book: PaceBook
    race_start: dt.time
    known_runs: list[tuple[dt.date, float]] = field(default_factory=list)
    influencers: list[str] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)  # decisions found while building the context

    @property
    def return_mode(self) -> bool:
        return bool(self.return_reasons)

    @property
    def distance_m(self) -> float | None:
        return GOAL_DISTANCE_M.get(self.goal)


def _days(runner: RunnerInput) -> tuple[list[int], int]:
    available = [WEEKDAYS.index(d) for d in WEEKDAYS if d in runner.available_days]
    long_day = WEEKDAYS.index(runner.long_run_day) if runner.long_run_day in WEEKDAYS else available[-1]
    return available, long_day


def build_context(runner: RunnerInput, request: PlanRequest) -> Context:
    """Everything the weeks are built from, in order: fitness and time off, the load to start from,
    the runner's days, the periodization, the long run the goal needs, and the one goal time."""
    level, goal = runner.experience_level, request.goal_type
    fitness = _fitness(runner, request)
    load = _reference_load(runner, request, fitness["days_off"], fitness["return_reasons"])
    fitness["influencers"].extend(load.pop("influencers"))
    run_walk = request.run_walk or (
        (level == "beginner" or fitness["return_reasons"]) and load["reference"] < 10 and load["longest"] < 5
    )
    days = _run_days(runner, level)
    periodization = _periodization(runner, request)
    needs = _long_run_needs(goal, level, fitness["paces"], load, days["run_count"], bool(run_walk))
    goal_time = _goal_time(request, level, fitness["vdot"])
    race_pace = (
        round(goal_time["goal_time_s"] / (GOAL_DISTANCE_M[goal] / 1000)) if goal_time["goal_time_s"] else None
    )
    known_runs = [(request.today - dt.timedelta(days=1), load["longest"])]
    known_runs += [(a.date, a.distance_km) for a in fitness.pop("runs")]
    known_runs += list(request.history_long_runs)
    return Context(
        runner=runner,
        request=request,
        level=level,
        goal=goal,
        offset=request.week_offset,
        weeks=request.weeks,
        run_walk=bool(run_walk),
        # Back from injury or a break: one quality session a week at most, once quality returns.
        max_quality=1 if fitness["return_reasons"] else MAX_QUALITY[level],
        rate=WEEKLY_INCREASE[level],
        step_km=LONG_RUN_STEP_KM[level],
        book=PaceBook.build(fitness["paces"], fitness["vdot"], race_pace, goal),
        race_start=request.race_start_time or dt.time(*RACE_START_DEFAULT),
        known_runs=known_runs,
        **fitness,
        **load,
        **days,
        **periodization,
        **needs,
        **goal_time,
    )


def _fitness(runner: RunnerInput, request: PlanRequest) -> dict:
    """VDOT and its source, lowered after time off; the days since the last run and why the plan
    starts in return mode."""
    today = request.today
    notes: list[dict] = []
    vdot, uncertain, source = estimate_vdot(runner, today)
    # Time off: days since the last recorded run (None when nothing is recorded).
    runs = [a for a in runner.activities if a.kind == "run" and a.date <= today]
    days_off = (today - max(a.date for a in runs)).days if runs else None
    return_reasons = []
    if runner.injury_notes.strip():
        return_reasons.append("injury notes on the profile")
    if request.health_note == "injury":
        return_reasons.append("an injury reported at realign")
    if days_off is not None and days_off >= RETURN_AFTER_DAYS:
        return_reasons.append(f"no run recorded for {days_off} days")
    if days_off is not None and days_off > 5 and "typical value" not in source:
        factor = detraining_factor(days_off)
        if factor < 1.0:
            vdot = round(vdot * factor, 1)
            source += f", lowered {1 - factor:.1%} for {days_off} days without running"
            notes.append(
                {
                    "category": "detraining",
                    "decision": f"VDOT lowered to {vdot:g} ({factor:.1%} of its value)",
                    "reasoning": f"The last recorded run was {days_off} days ago; fitness fades after "
                    "about a week off, so paces start slower.",
                    "alternatives": ["Keep the pre-break VDOT", "Run a time trial first"],
                    "knowledge_base_refs": ["detraining"],
                }
            )
    return {
        "vdot": vdot,
        "vdot_uncertain": uncertain,
        "vdot_source": source,
        "paces": training_paces(vdot),
        "days_off": days_off,
        "return_reasons": return_reasons,
        "notes": notes,
        "influencers": [f"VDOT {vdot:g} {source}{' (uncertain)' if uncertain else ''}"],
        "runs": runs,
    }


def _reference_load(runner: RunnerInput, request: PlanRequest, days_off, return_reasons) -> dict:
    """What the runner does now (re-planning reads only what was measured), restarted lower after a
    break, an illness or an injury."""
    today = request.today
    influencers = []
    measured = measured_weekly_km(runner, today)
    if request.reference_weekly_km is not None:
        reference = request.reference_weekly_km
    else:
        reference = max(runner.recent_weekly_km, measured or 0.0)
    measured_longest = measured_longest_km(runner, today) or 0.0
    longest = measured_longest if request.realign else max(runner.longest_recent_run_km, measured_longest)
    if days_off is not None and days_off >= RETURN_AFTER_DAYS and not request.realign:
        # Daniels: after four or more weeks off, restart at about half the former load.
        factor = 0.5 if days_off < 56 else 0.33
        reference *= factor
        longest *= factor
        influencers.append(f"{days_off} days without running: volume restarts at {factor:.0%}")
    if request.health_note in HEALTH_FACTOR:
        factor = HEALTH_FACTOR[request.health_note]
        influencers.append(f"Returning from {request.health_note}: volume restarts at {factor:.0%}")
        reference *= factor
    if runner.injury_notes.strip() and not (days_off is not None and days_off >= RETURN_AFTER_DAYS):
        longest *= 0.8  # return mode: the first long run a little under the longest recent run
    reference = round(max(reference, MIN_REFERENCE_WEEKLY_KM), 1)
    longest = round(max(longest, MIN_REFERENCE_LONGEST_KM), 1)
    influencers.append(f"Recent volume {reference:g} km/week, longest run {longest:g} km")
    if return_reasons:
        influencers.append("Return mode: " + ", ".join(return_reasons))
    return {"reference": reference, "longest": longest, "influencers": influencers}


def _run_days(runner: RunnerInput, level: str) -> dict:
    available, long_day = _days(runner)
    if long_day not in available:
        long_day = available[-1]
    return {
        "available": available,
        "long_day": long_day,
        "run_count": min(len(available), 7 - runner.min_rest_days, MAX_RUN_DAYS[level]),
        "cross_days": [WEEKDAYS.index(d) for d in WEEKDAYS if d in runner.cross_training_days],
    }


def _periodization(runner: RunnerInput, request: PlanRequest) -> dict:
    goal = request.goal_type
    total = request.week_offset + request.weeks
    taper = taper_weeks(goal, total)
    phases = phases_for(goal, total, taper)
    return {
        "total_weeks": total,
        "taper": taper,
        "phases": phases,
        "first_taper": next((p.start_week for p in phases if p.name == "Taper"), None),
        # A re-plan keeps the plan's recovery weeks where they were.
        "cycle": recovery_every(
            runner.experience_level, runner.injury_notes, "" if request.realign else request.health_note
        ),
    }


def _long_run_needs(goal: str, level: str, paces: Paces, load: dict, run_count: int, run_walk: bool) -> dict:
    """The long run the goal needs, within the time a long run may last, and the peak volume."""
    long_pace = paces.easy_max_s_per_km
    if run_walk:
        long_pace = round((1 - RUN_WALK_WALK_SHARE) * long_pace + RUN_WALK_WALK_SHARE * WALK_PACE["max"])
    time_cap = round(long_run_minutes(goal) * 60 / long_pace, 1)
    share = long_run_share(run_count)
    if goal in LONG_RUN_RANGE:
        low, high = LONG_RUN_RANGE[goal]
        lr_floor = round(min(low, time_cap), 1)
        lr_peak = min(LONG_RUN_PEAK[goal][level], time_cap)
        if load["longest"] > lr_peak:  # already beyond the goal's need: hold it, up to the range's top
            lr_peak = min(load["longest"], high, time_cap)
    else:
        lr_floor = None
        lr_peak = min(LONG_RUN_PEAK["fitness"][level], time_cap)
    lr_peak = round(lr_peak, 1)
    capacity = lr_peak * (1 + (run_count - 1) * EASY_SHARE_OF_LONG)
    # Typical peaks are for five run days; fewer days hold less besides the long run.
    typical = PEAK_VOLUME[goal][level] * min(1.0, run_count / 5)
    return {
        "share": share,
        "long_pace_s_per_km": long_pace,
        "time_cap_km": time_cap,
        "lr_floor": lr_floor,
        "lr_peak": lr_peak,
        "v_peak": round(min(capacity, max(typical, lr_peak / share, load["reference"])), 1),
    }


def _goal_time(request: PlanRequest, level: str, vdot: float) -> dict:
    """One goal time: the target when the plan believes it, else the time it expects."""
    goal = request.goal_type
    gain = min(request.weeks / 4, 4) * VDOT_GAIN_PER_4_WEEKS.get(level, 1.0)
    predicted_now = expected = goal_time = None
    believed = True
    if goal in GOAL_DISTANCE_M:
        distance = GOAL_DISTANCE_M[goal]
        predicted_now = predict_time_s(vdot, distance)
        expected = predict_time_s(vdot + gain, distance)
        goal_time = expected
        if request.target_time_s:
            believed = request.target_time_s >= expected * (1 - TARGET_TOLERANCE)
            if believed:
                goal_time = request.target_time_s
    return {
        "gain": round(gain, 1),
        "predicted_now_s": predicted_now,
        "expected_s": expected,
        "target_believed": believed,
        "goal_time_s": goal_time,
    }


def cross_minutes(level: str) -> int:
    return CROSS_MINUTES[level]
