"""``generate``: a whole plan (weeks, sessions, decisions, safeguards, season view, snapshot)."""

import datetime as dt
from dataclasses import dataclass, field

from . import narrative
from .fitness import estimate_vdot, measured_longest_km, measured_weekly_km, runner_snapshot
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
from .periodization import (
    RECOVERY_FRACTION,
    TAPER_FRACTIONS,
    goal_peak_volume,
    is_recovery_week,
    phases_for,
    recovery_every,
    taper_weeks,
)
from .safeguards import (
    ACWR_WARNING,
    LONG_RUN_VS_LONGEST,
    LONGEST_WINDOW_DAYS,
    MAX_FIRST_WEEK,
    MAX_WEEKLY_INCREASE,
    WARN_WEEKLY_INCREASE,
    Recorder,
    acute_chronic_ratio,
    long_run_minutes_limit_km,
    long_run_share_limit,
    longest_in_window,
)
from .vdot import format_pace, predictions, training_paces
from .weeks import MAX_KEY_SESSIONS, MAX_RUN_DAYS, fill_week, layout, quality_types, rest_session, round_down

GENERATOR_VERSION = "2026.11.1"
WEEKLY_INCREASE = {"beginner": 0.08, "intermediate": 0.10, "advanced": 0.10}
LONG_RUN_TARGET_SHARE = {"5k": 0.25, "10k": 0.26, "half": 0.28, "marathon": 0.30, "fitness": 0.25}
LONG_RUN_MAX_KM = {"5k": 14.0, "10k": 18.0, "half": 21.0, "marathon": 32.0, "fitness": 16.0}
MIN_REFERENCE_WEEKLY_KM = 5.0
MIN_REFERENCE_LONGEST_KM = 3.0
HEALTH_FACTOR = {"illness": 0.7, "injury": 0.6}
INTENSITY_WEIGHT = {"tempo": 1.0, "intervals": 1.3, "repetition": 1.5}
RACE_WEIGHT = {"5k": 1.4, "10k": 1.2, "half": 1.0, "marathon": 0.8}


class GeneratorInputError(ValueError):
    """Input the generator cannot plan from; ``field`` names the offending input."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


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


def last_training_week(history: tuple[float, ...]) -> float | None:
    """The last week of ``history`` that was training (at least 5 km); None after a break."""
    return next((km for km in reversed(history) if km >= MIN_REFERENCE_WEEKLY_KM), None)


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


def generate(runner: RunnerInput, request: PlanRequest) -> GeneratedPlan:
    """Build the plan for ``runner`` and ``request``. Pure: the same input gives the same plan."""
    check_request(runner, request)
    recorder = Recorder()
    decisions: list[dict] = []
    influencers: list[str] = []
    level = runner.experience_level
    goal = request.goal_type
    offset = request.week_offset

    vdot, vdot_uncertain, vdot_source = estimate_vdot(runner, request.today)
    paces = training_paces(vdot)
    influencers.append(f"VDOT {vdot:g} {vdot_source}{' (uncertain)' if vdot_uncertain else ''}")

    # Reference volume and longest run: what the runner does now.
    measured = measured_weekly_km(runner, request.today)
    if request.reference_weekly_km is not None:
        reference = request.reference_weekly_km
    else:
        reference = max(runner.recent_weekly_km, measured or 0.0)
    if request.health_note in HEALTH_FACTOR:
        factor = HEALTH_FACTOR[request.health_note]
        influencers.append(f"Returning from {request.health_note}: volume restarts at {factor:.0%}")
        reference *= factor
    reference = round(max(reference, MIN_REFERENCE_WEEKLY_KM), 1)
    longest = max(runner.longest_recent_run_km, measured_longest_km(runner, request.today) or 0.0)
    longest = round(max(longest, MIN_REFERENCE_LONGEST_KM), 1)
    influencers.append(f"Recent volume {reference:g} km/week, longest run {longest:g} km")
    if runner.injury_notes.strip():
        influencers.append("Injury notes: recovery every third week")

    # Days.
    available = [WEEKDAYS.index(d) for d in WEEKDAYS if d in runner.available_days]
    long_day = WEEKDAYS.index(runner.long_run_day) if runner.long_run_day in WEEKDAYS else available[-1]
    if long_day not in available:
        recorder.applied(
            "long_run_day",
            original=long_day,
            adjusted=available[-1],
            reason=f"{runner.long_run_day} is not an available day; "
            f"long runs move to {WEEKDAYS[available[-1]]}.",
        )
        long_day = available[-1]
    run_count = min(len(available), 7 - runner.min_rest_days, MAX_RUN_DAYS[level])
    if run_count < len(available):
        recorder.applied(
            "available_days",
            original=len(available),
            adjusted=run_count,
            reason=f"{run_count} of the {len(available)} available days are run days "
            f"({runner.min_rest_days} rest days minimum, "
            f"at most {MAX_RUN_DAYS[level]} runs for a {level} runner).",
        )
    key_count = max(0, min(MAX_KEY_SESSIONS[level], run_count - 2))
    week_layout = layout(available, long_day, run_count, key_count)

    # Periodization.
    weeks = request.weeks
    taper = taper_weeks(goal, weeks)
    phases = phases_for(goal, weeks, taper)
    first_taper = next((p.start_week for p in phases if p.name == "Taper"), None)
    cycle = recovery_every(level, runner.injury_notes, request.health_note)
    rate = WEEKLY_INCREASE[level]
    peak_target = max(goal_peak_volume(goal, level), reference)

    weekly_plan: list[dict] = []
    sessions: list[dict] = []
    volumes = list(request.history_volumes) or [reference] * 4
    long_runs = list(request.history_long_runs)
    last_nonrecovery = last_training_week(request.history_volumes)
    peak_reached = 0.0
    race_day = request.target_date
    for index in range(weeks):
        number = index + 1
        phase = next(p for p in phases if p.start_week <= number <= p.end_week)
        week_in_phase = number - phase.start_week + 1
        start = request.start_date + dt.timedelta(weeks=index)
        dates = [start + dt.timedelta(days=i) for i in range(7)]
        recovery = phase.name != "Taper" and is_recovery_week(number, cycle, first_taper) and number > 1
        race_week = goal != "fitness" and number == weeks
        if race_week and (race_day is None or not start <= race_day <= dates[-1]):
            race_day = start + dt.timedelta(days=long_day)

        # Volume.
        if phase.name == "Taper":
            fractions = TAPER_FRACTIONS[taper]
            target = fractions[min(week_in_phase, len(fractions)) - 1] * (peak_reached or reference)
            if race_week:  # the race itself is most of race week's load
                target = max(0.0, target - GOAL_DISTANCE_M[goal] / 2000)
        elif recovery:
            target = RECOVERY_FRACTION * (last_nonrecovery or reference)
        elif last_nonrecovery is None:
            target = reference
            if target > MAX_FIRST_WEEK * reference:
                recorder.applied(
                    "first_week_volume",
                    week=number + offset,
                    original=target,
                    adjusted=MAX_FIRST_WEEK * reference,
                    reason="The first week is at most 1.10 x the recent weekly volume.",
                )
                target = MAX_FIRST_WEEK * reference
        else:
            target = min(peak_target, last_nonrecovery * (1 + rate))
        if index == 0 and request.health_note:
            target = min(target, reference)
        if last_nonrecovery is not None and target > MAX_WEEKLY_INCREASE * last_nonrecovery:
            recorder.applied(
                "weekly_volume_increase",
                week=number + offset,
                original=target,
                adjusted=MAX_WEEKLY_INCREASE * last_nonrecovery,
                reason="Weekly volume at most 1.30 x the last non-recovery week.",
            )
            target = MAX_WEEKLY_INCREASE * last_nonrecovery
        target = round_down(target)

        # Long run.
        long_km = None
        if not race_week:
            long_date = dates[long_day]
            desired = LONG_RUN_TARGET_SHARE[goal] * target
            done = longest if (long_date - request.today).days <= LONGEST_WINDOW_DAYS else 0.0
            previous = max(done, longest_in_window(long_date, long_runs))
            caps = [
                (
                    "long_run_share",
                    long_run_share_limit(target) * target,
                    f"Long run at most {long_run_share_limit(target):.0%} of the week's {target:g} km.",
                ),
                (
                    "long_run_duration",
                    long_run_minutes_limit_km(paces.easy_max_s_per_km),
                    f"Long run at most 150 minutes at easy pace ({format_pace(paces.easy_max_s_per_km)}/km).",
                ),
                (
                    "long_run_vs_recent_longest",
                    LONG_RUN_VS_LONGEST * previous,
                    f"Long run at most 1.10 x the longest run of the previous 30 days ({previous:g} km).",
                ),
            ]
            long_km = min(desired, LONG_RUN_MAX_KM[goal])
            for safeguard_id, cap, reason in caps:
                if long_km > cap + 1e-9:
                    recorder.applied(
                        safeguard_id, week=number + offset, original=long_km, adjusted=cap, reason=reason
                    )
                    long_km = cap
            long_km = round_down(long_km)
            if long_km < 2.0:
                long_km = None

        kinds = quality_types(goal, phase.name, level, recovery, week_in_phase)
        if race_week:
            before = [d for d in week_layout.run_days if d < race_day.weekday() - 1]
            days_layout = (
                layout(before, before[-1], len(before), 1 if race_day.weekday() >= 4 else 0)
                if before
                else None
            )
            kinds = kinds[:1]
            by_day = {}
            if days_layout is not None:
                by_day = fill_week(
                    volume_km=target,
                    long_km=None,
                    layout_=days_layout,
                    kinds=kinds,
                    level=level,
                    paces=paces,
                    week_number=number + offset,
                    recorder=recorder,
                )
        else:
            by_day = fill_week(
                volume_km=target,
                long_km=long_km,
                layout_=week_layout,
                kinds=kinds,
                level=level,
                paces=paces,
                week_number=number + offset,
                recorder=recorder,
            )
        if long_km is not None:
            long_runs.append((dates[long_day], long_km))

        # The week's numbers from its sessions.
        volume = round(sum(s["target_distance_km"] or 0 for s in by_day.values()), 1)
        race_km = 0.0
        if race_week:
            race_km = round(GOAL_DISTANCE_M[goal] / 1000, 1)
            by_day[race_day.weekday()] = narrative.race_session(goal, request, vdot, race_km)
        previous_volume = volumes[-1] if volumes else None
        volumes.append(volume)
        ratio = acute_chronic_ratio(volumes)
        warnings = []
        if last_nonrecovery and volume > WARN_WEEKLY_INCREASE * last_nonrecovery + 0.05:
            warnings.append(f"Volume up {volume / last_nonrecovery - 1:.0%} on the last full week.")
            recorder.warning(
                "weekly_volume_increase",
                week=number + offset,
                original=last_nonrecovery,
                adjusted=volume,
                reason="Warning: more than 1.10 x the last non-recovery week.",
            )
        if ratio is not None and ratio > ACWR_WARNING:
            warnings.append(f"Acute:chronic load ratio {ratio:.2f}: watch fatigue and soreness.")
            recorder.warning(
                "acute_chronic_ratio",
                week=number + offset,
                original=ratio,
                reason="Warning signal only: load rising faster than the last four weeks'.",
            )
        if not recovery and phase.name != "Taper" and not race_week:
            last_nonrecovery = volume
            peak_reached = max(peak_reached, volume)
        elif last_nonrecovery is None:
            last_nonrecovery = volume

        hard = sum(
            INTENSITY_WEIGHT[s["quality_kind"]] * s["quality_km"]
            for s in by_day.values()
            if s.get("quality_kind")
        )
        hard += RACE_WEIGHT.get(goal, 0) * race_km
        total = volume + race_km
        intensity = int(min(100, round(25 + 250 * hard / total))) if total else 0
        run_sessions = [s for s in by_day.values() if s["session_type"] != "rest"]
        last_day = race_day.weekday() if race_week else 6
        week_days = [d for d in dates[: last_day + 1]]
        label = (
            "Race" if race_week else ("Taper" if phase.name == "Taper" else ("Recovery" if recovery else ""))
        )
        week = {
            "week_number": number + offset,
            "week_start_date": start.isoformat(),
            "week_end_date": week_days[-1].isoformat(),
            "phase_name": phase.name,
            "phase_week_number": week_in_phase,
            "volume_km": round(total, 1),
            "intensity_score": intensity,
            "is_recovery_week": recovery,
            "long_run_km": long_km or 0.0,
            "race_km": race_km,
            "key_sessions": sum(1 for s in run_sessions if s["is_key_session"]),
            "easy_runs": sum(1 for s in run_sessions if s["session_type"] == "easy"),
            "rest_days": len(week_days) - len(run_sessions),
            "week_focus": narrative.week_focus(phase.name, recovery, race_week, goal),
            "week_justification": narrative.week_justification(
                volume,
                previous_volume,
                long_km,
                phase.name,
                week_in_phase,
                recovery,
                race_week,
                kinds,
                by_day,
            ),
            "volume_change_percent": round((volume / previous_volume - 1) * 100, 1)
            if previous_volume
            else 0.0,
            "warning_signals": warnings,
        }
        week["week_label"] = label
        week["acute_chronic_ratio"] = ratio
        week["coach_notes"] = narrative.coach_notes(phase.name, recovery, race_week, week_in_phase)
        weekly_plan.append(week)
        for day in week_days:
            if day < request.today:
                continue
            spec = by_day.get(day.weekday()) or rest_session()
            sessions.append(
                {
                    **spec,
                    "date": day,
                    "week_number": number + offset,
                    "start_time_local": request.start_time_local if spec["session_type"] != "rest" else None,
                }
            )

    end_date = (
        race_day
        if goal != "fitness" and race_day
        else request.start_date + dt.timedelta(weeks=weeks, days=-1)
    )
    starting_volume = weekly_plan[0]["volume_km"] - weekly_plan[0].get("race_km", 0)
    load_parameters = {
        "starting_volume": starting_volume,
        "peak_volume": round(peak_reached or max(w["volume_km"] for w in weekly_plan), 1),
        "weekly_increase": rate,
        "estimated_vdot": vdot,
        "recovery_every": cycle,
        "taper_weeks": taper,
        "reference_weekly_km": reference,
        "reference_longest_run_km": longest,
    }
    target_paces = {
        "easy": f"{format_pace(paces.easy_min_s_per_km)}-{format_pace(paces.easy_max_s_per_km)}/km",
        "marathon": f"{format_pace(paces.marathon_s_per_km)}/km",
        "threshold": f"{format_pace(paces.threshold_s_per_km)}/km",
        "interval": f"{format_pace(paces.interval_s_per_km)}/km",
        "repetition": f"{format_pace(paces.repetition_s_per_km)}/km",
    }
    phase_rows = [p.as_dict(offset) for p in phases]
    predicted = predictions(vdot)
    decisions.extend(
        narrative.decisions(
            runner=runner,
            request=request,
            vdot=vdot,
            vdot_source=vdot_source,
            vdot_uncertain=vdot_uncertain,
            reference=reference,
            load=load_parameters,
            phases=phase_rows,
            taper=taper,
            cycle=cycle,
            key_count=key_count,
            run_count=run_count,
        )
    )
    decisions.extend(request.extra_decisions)
    snapshot = runner_snapshot(
        runner,
        request,
        vdot=vdot,
        vdot_uncertain=vdot_uncertain,
        reference_weekly_km=reference,
        peak_volume=load_parameters["peak_volume"],
        influencers=influencers,
    )
    season_view = narrative.season_view(
        runner=runner,
        request=request,
        vdot=vdot,
        vdot_uncertain=vdot_uncertain,
        predicted=predicted,
        weekly_plan=weekly_plan,
        load=load_parameters,
        phases=phase_rows,
        taper=taper,
        cycle=cycle,
    )
    total_weeks = weeks + offset
    return GeneratedPlan(
        name=f"{GOAL_LABEL[goal]} - {total_weeks} Week Plan",
        goal_type=goal,
        start_date=request.start_date,
        end_date=end_date,
        duration_weeks=total_weeks,
        target_date=request.target_date,
        vdot=vdot,
        vdot_uncertain=vdot_uncertain,
        paces=paces.as_dict(),
        predictions_s=predicted,
        season_view=season_view,
        weekly_plan=weekly_plan,
        runner_snapshot=snapshot,
        periodization_model="linear-block" if goal != "fitness" else "linear-base",
        phases=phase_rows,
        load_parameters=load_parameters,
        target_paces=target_paces,
        decisions=decisions,
        safeguard_applications=recorder.finish(),
        sessions=sessions,
    )
