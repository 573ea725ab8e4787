"""The plan's words, written from its own numbers: season view, week texts, decision audit."""

from .inputs import GOAL_DISTANCE_M, GOAL_LABEL
from .periodization import PHASE_FOCUS
from .rules import (
    ACCEPT_RISK_CONFIDENCE,
    CROSS_MINUTES,
    EASY_SHARE_OF_LONG,
    LONG_RUN_RANGE,
    QUALITY_SHARE,
    REFS,
    RETURN_NO_QUALITY_WEEKS,
    SINGLE_RUN_LIMIT,
    ordinal,
)
from .vdot import format_duration, format_pace


def refs(*keys: str) -> list[str]:
    return [REFS[key] for key in keys]


def week_focus(phase: str, recovery: bool, race_week: bool, goal: str) -> str:
    if race_week:
        return "Race week: stay fresh, trust the work"
    if recovery:
        return "Recovery: absorb the last weeks' load"
    if phase == "Peak" and goal in GOAL_DISTANCE_M:
        return f"{PHASE_FOCUS[phase]}: {GOAL_LABEL[goal]}-specific work"
    return PHASE_FOCUS[phase]


def week_justification(
    *, volume, compared_with, long_km, phase, recovery, race_week, by_day, unplaced_km
) -> str:
    """From the week's own numbers; the change is against the last full (non-recovery) week."""
    text = f"{volume:g} km of training"
    if compared_with:
        text += f" ({(volume / compared_with - 1) * 100:+.0f}% on the last full week of {compared_with:g} km)"
    text += "."
    if recovery and compared_with:
        text += f" A step back to {volume / compared_with:.0%} of it so the body adapts."
    if phase == "Taper" and not race_week:
        text += " Taper: volume cut, intensity kept."
    if long_km and volume:
        text += f" Long run {long_km:g} km ({long_km / volume:.0%} of the week)."
    quality = [s["title"].split(":")[0] for s in by_day.values() if s.get("quality_kind")]
    if quality:
        text += " Quality: " + ", ".join(quality).lower() + "."
    if unplaced_km and unplaced_km > 0.05:
        text += (
            f" {unplaced_km:g} km left out: no run may outgrow the long run or 110% of the month's longest."
        )
    return text


def coach_notes(phase: str, recovery: bool, race_week: bool, week_in_phase: int) -> str:
    if race_week:
        return "Sleep well, keep the easy runs short, lay out your kit the night before."
    if recovery:
        return "Easier on purpose. If you feel great, bank it: do not add kilometres."
    if phase == "Taper" and week_in_phase == 1:
        return "Feeling sluggish in the first taper week is normal."
    if phase == "Build" and week_in_phase == 1:
        return "Quality starts: run the paces, not faster."
    if phase == "Peak" and week_in_phase == 1:
        return "Race-specific weeks: goal pace becomes familiar here."
    return ""


def decisions(*, ctx, load, phases, assessment, week_notes, unplaced_total) -> list[dict]:
    """The plan's decisions, each with its reasoning, the alternatives and its sources: the plan's
    shape, the long run and the volume, intensity and recovery, the goal pace, the risks taken, and
    what the weeks had to adjust."""
    rows = [
        *_shape_decisions(ctx, phases),
        *_load_decisions(ctx, load),
        *_intensity_decisions(ctx),
        *_goal_pace_decisions(ctx),
        *_risk_decisions(ctx, assessment),
        *_adjustment_decisions(ctx, week_notes, unplaced_total),
    ]
    for row in rows:
        row.setdefault("knowledge_base_refs", [])
    return rows


def _shape_decisions(ctx, phases) -> list[dict]:
    """The fitness estimate every pace follows from, and the periodization."""
    goal = GOAL_LABEL[ctx.goal]
    phase_text = ", ".join(f"{p['name']} {p['end_week'] - p['start_week'] + 1}" for p in phases)
    return [
        {
            "category": "fitness_estimate",
            "decision": f"VDOT {ctx.vdot:g}" + (" (uncertain)" if ctx.vdot_uncertain else ""),
            "reasoning": f"VDOT {ctx.vdot_source}; every pace of the plan follows from it.",
            "alternatives": ["Heart-rate zones", "Perceived effort only"],
            "knowledge_base_refs": refs("vdot", "daniels"),
        },
        {
            "category": "periodization_model",
            "decision": f"Linear block periodization: {phase_text} weeks",
            "reasoning": f"A {ctx.total_weeks}-week plan for a {goal} builds an aerobic base before "
            "threshold and VO2max work; the Peak phase turns race-specific (goal pace), then the taper.",
            "alternatives": ["Reverse periodization (speed first)", "Undulating weekly intensity"],
            "knowledge_base_refs": refs("recovery", "daniels"),
        },
    ]


def _load_decisions(ctx, load) -> list[dict]:
    """The long run's progression and share, the starting and the peak volume."""
    goal = GOAL_LABEL[ctx.goal]
    share = ctx.share
    return [
        {
            "category": "long_run_progression",
            "decision": f"Long run from {ctx.longest:g} km to {load['peak_long_run_km']:g} km",
            "reasoning": f"It starts at the runner's longest recent run ({ctx.longest:g} km) and grows "
            f"{ctx.step_km:g} km a week, stepping back in recovery weeks, never over "
            f"{SINGLE_RUN_LIMIT:.0%} of the longest run of the 30 days before it"
            + (
                f"; a {goal} needs about {LONG_RUN_RANGE[ctx.goal][0]:g}-{LONG_RUN_RANGE[ctx.goal][1]:g} km"
                if ctx.goal in LONG_RUN_RANGE
                else ""
            )
            + f", and it lasts at most {int(ctx.time_cap_km * ctx.long_pace_s_per_km / 60)} minutes.",
            "alternatives": ["Long run as a fixed share of the week", "Time-based long runs only"],
            "knowledge_base_refs": refs("higdon", "pfitzinger", "single_run"),
        },
        {
            "category": "long_run_share",
            "decision": f"Long run up to {share:.0%} of the week on {ctx.run_count} run days",
            "reasoning": "The share published plans use at this number of run days: FIRST's 3-day plans "
            "about 55%, Higdon's 4-day novice plans 50%, 5-day intermediate 45%, Pfitzinger and Daniels' "
            "6-7 day high-volume schedules a third. Weekly volume follows from the long run and the days; "
            f"easy runs stay under {EASY_SHARE_OF_LONG:.0%} of the long run.",
            "alternatives": ["Daniels' 25-30% for every runner"],
            "knowledge_base_refs": refs("first", "higdon", "pfitzinger", "daniels"),
        },
        {
            "category": "starting_volume",
            "decision": f"Start at {load['starting_volume']:g} km in week {ctx.offset + 1}",
            "reasoning": f"The runner's recent volume is {ctx.reference:g} km a week; the first week never "
            "exceeds it by more than 10%.",
            "alternatives": ["Start at the goal's typical volume"],
            "knowledge_base_refs": refs("ten_percent"),
        },
        {
            "category": "peak_volume",
            "decision": f"Peak at {load['peak_volume']:g} km a week",
            "reasoning": f"Volume grows by at most {load['weekly_increase']:.0%} a week, spread so the peak "
            f"comes in the last weeks before the taper (aiming at {ctx.v_peak:g} km: a typical "
            f"{ctx.level} {goal} peak, or what the long run needs on {ctx.run_count} days).",
            "alternatives": ["A higher peak with a longer plan", "Reach the peak early and hold it"],
            "knowledge_base_refs": refs("ten_percent", "acwr"),
        },
    ]


def _intensity_decisions(ctx) -> list[dict]:
    """Quality sessions, the recovery rhythm and the taper."""
    rows = [
        {
            "category": "quality_sessions",
            "decision": f"Up to {ctx.max_quality} quality sessions a week besides the long run",
            "reasoning": "Threshold at most 10%, intervals 8%, repetitions and hills 5%, goal pace "
            f"{QUALITY_SHARE['goal_pace']:.0%} of the week; no two hard sessions (quality, long run, race) "
            "on consecutive days, so fewer quality sessions when the runner's days leave no room.",
            "alternatives": ["One quality session a week", "Polarized 80/20 by time"],
            "knowledge_base_refs": refs("daniels", "hard_easy"),
        },
        {
            "category": "recovery_rhythm",
            "decision": f"A recovery week every {ctx.cycle} weeks at about 75% volume",
            "reasoning": "Two weeks up, one down for beginners and injury-prone runners; "
            "three up, one down otherwise. Recovery weeks keep their week numbers when the plan is "
            "realigned.",
            "alternatives": ["No planned recovery weeks", "Recovery every 5th week"],
            "knowledge_base_refs": refs("recovery"),
        },
    ]
    if ctx.taper:
        rows.append(
            {
                "category": "taper_length",
                "decision": f"{ctx.taper}-week taper",
                "reasoning": "Volume falls to 40-60% of the peak while a little goal-pace work stays, "
                "so fitness stays and fatigue goes; race week keeps short runs with strides.",
                "alternatives": ["1-week taper", "Step taper with volume and intensity cut"],
                "knowledge_base_refs": refs("taper"),
            }
        )
    return rows


def _goal_pace_decisions(ctx) -> list[dict]:
    """The one goal time: the target when believed, else what the plan expects."""
    rows = []
    if ctx.goal in GOAL_DISTANCE_M:
        race_pace = round(ctx.goal_time_s / (GOAL_DISTANCE_M[ctx.goal] / 1000))
        text = f"{format_duration(ctx.goal_time_s)} ({format_pace(race_pace)}/km)"
        if ctx.request.target_time_s and ctx.target_believed:
            why = f"the runner's target; the plan expects about {format_duration(ctx.expected_s)}"
        elif ctx.request.target_time_s:
            why = (
                f"what the plan expects (VDOT {ctx.vdot:g} + {ctx.gain:g}); the target "
                f"{format_duration(ctx.request.target_time_s)} is not believed and is listed as a risk"
            )
        else:
            why = f"what the plan expects from VDOT {ctx.vdot:g} plus a realistic gain of {ctx.gain:g}"
        rows.append(
            {
                "category": "goal_pace",
                "decision": f"Race pace {text}",
                "reasoning": f"One number for the race session, the goal-pace workouts and the expected "
                f"outcome: {why}. The race starts at {ctx.race_start:%H:%M} local time.",
                "alternatives": ["Race by feel", "Pace from the target time whatever the fitness"],
                "knowledge_base_refs": refs("vdot", "daniels"),
            }
        )
    return rows


def _risk_decisions(ctx, assessment) -> list[dict]:
    """A goal built at the runner's risk, return mode or run/walk."""
    rows = []
    if not assessment.feasible:
        rows.append(
            {
                "category": "feasibility",
                "decision": "Built at the runner's risk: the goal does not fit",
                "reasoning": " ".join(assessment.reasons),
                "alternatives": [
                    "A later target date",
                    "A shorter goal",
                    "The same goal without a target time",
                ],
                "knowledge_base_refs": refs("single_run", "ten_percent", "vdot"),
            }
        )
    if ctx.return_mode:
        rows.append(
            {
                "category": "return_mode",
                "decision": "Return mode: "
                + ", ".join(ctx.return_reasons)
                + f"; no quality until {RETURN_NO_QUALITY_WEEKS} weeks of running, then one session a week",
                "reasoning": "Easy running rebuilds tissue tolerance before intensity returns; "
                "recovery every "
                "third week" + ("; run/walk sessions" if ctx.run_walk else "") + ".",
                "alternatives": ["Resume the previous plan", "See a physiotherapist first"],
                "knowledge_base_refs": refs("detraining", "galloway"),
            }
        )
    elif ctx.run_walk:
        rows.append(
            {
                "category": "run_walk",
                "decision": "Run/walk sessions: 900 m running, 100 m walking",
                "reasoning": "Walk breaks let a runner with little base cover the distance with less strain; "
                "the long run's time limit counts the walking pace.",
                "alternatives": ["Continuous running from the start"],
                "knowledge_base_refs": refs("galloway"),
            }
        )
    return rows


def _adjustment_decisions(ctx, week_notes, unplaced_total) -> list[dict]:
    """Cross-training, quality the weeks moved or left out, volume they could not place."""
    rows = []
    if ctx.cross_days and ctx.run_count <= 4:
        rows.append(
            {
                "category": "cross_training",
                "decision": f"Cross-training ({CROSS_MINUTES[ctx.level]} minutes) "
                "on offered non-running days",
                "reasoning": f"On {ctx.run_count} run days, aerobic work without impact adds fitness at no "
                "injury cost, as FIRST's three-day plans and Higdon's novice plans do.",
                "alternatives": ["Rest instead", "A fourth run"],
                "knowledge_base_refs": refs("first", "higdon"),
            }
        )
    if week_notes:
        rows.append(
            {
                "category": "hard_easy",
                "decision": f"Quality adjusted in {len(week_notes)} week(s)",
                "reasoning": "; ".join(week_notes[:12]) + (" …" if len(week_notes) > 12 else "") + ".",
                "alternatives": ["Two hard days in a row"],
                "knowledge_base_refs": refs("hard_easy"),
            }
        )
    if unplaced_total > 0:
        rows.append(
            {
                "category": "unscheduled_volume",
                "decision": f"{unplaced_total:g} km over the plan not scheduled",
                "reasoning": "The weekly targets asked for more than the runs could hold without one "
                "outgrowing the long run or 110% of the month's longest run; the surplus is left out, "
                "never added to a single run.",
                "alternatives": ["A longer easy run", "An extra run day"],
                "knowledge_base_refs": refs("single_run"),
            }
        )
    return rows


def season_view(*, ctx, weekly_plan, load, phases, assessment) -> dict:
    """The season at a glance: the summary, milestones, risks and expected outcome, and why the
    phases and the volume are what they are."""
    first, peak = load["starting_volume"], load["peak_volume"]
    return {
        "coach_summary": _coach_summary(ctx, len(weekly_plan), load),
        "periodization_justification": (
            "Phases: "
            + ", ".join(f"{p['name']} (weeks {p['start_week']}-{p['end_week']})" for p in phases)
            + ". Aerobic base first because most of the race is aerobic; quality builds on it; the peak "
            "turns race-specific; the taper sheds fatigue."
        ),
        "volume_strategy_justification": (
            f"From {first:g} km (your recent volume) to {peak:g} km, at most "
            f"{load['weekly_increase']:.0%} more "
            f"per week, every {ordinal(ctx.cycle)} week about 25% lighter; the long run leads "
            f"(up to {ctx.share:.0%} of the week on {ctx.run_count} days)."
        ),
        "key_milestones": _milestones(ctx, weekly_plan),
        "identified_risks": _risks(ctx, assessment),
        "expected_outcomes": _outcomes(ctx, load, assessment),
    }


def _coach_summary(ctx, weeks: int, load) -> str:
    goal = ctx.goal
    label = GOAL_LABEL[goal]
    first, peak = load["starting_volume"], load["peak_volume"]
    request = ctx.request
    summary = (
        f"{weeks} weeks to your {label.lower() if goal == 'fitness' else label}"
        f"{' at ' + request.target_event if request.target_event else ''}: weekly volume grows from "
        f"{first:g} km to {peak:g} km with a long run up to {load['peak_long_run_km']:g} km. "
        f"Paces come from your VDOT of {ctx.vdot:g}"
        f"{' (an estimate: a race or time trial will sharpen it)' if ctx.vdot_uncertain else ''}. "
    )
    summary += f"A recovery every {ordinal(ctx.cycle)} week" + (
        f" and a {ctx.taper}-week taper." if ctx.taper else "."
    )
    return summary.strip()


def _milestones(ctx, weekly_plan) -> list[dict]:
    """Each phase's start, the longest run and the race (or time trial), in week order."""
    milestones = []
    for w in weekly_plan:
        if w["phase_week_number"] == 1:
            milestones.append(
                {
                    "week_number": w["week_number"],
                    "milestone": f"{w['phase_name']} phase starts",
                    "significance": PHASE_FOCUS[w["phase_name"]],
                }
            )
    longest_week = max(weekly_plan, key=lambda w: (w.get("long_run_km", 0), -w["week_number"]))
    if longest_week.get("long_run_km"):
        milestones.append(
            {
                "week_number": longest_week["week_number"],
                "milestone": f"Longest run: {longest_week['long_run_km']:g} km",
                "significance": "The endurance the race asks for.",
            }
        )
    if ctx.goal != "fitness":
        milestones.append(
            {
                "week_number": weekly_plan[-1]["week_number"],
                "milestone": "Race day" if ctx.request.target_date else "Time trial",
                "significance": f"The {GOAL_LABEL[ctx.goal]} you trained for.",
            }
        )
    milestones.sort(key=lambda m: m["week_number"])
    return milestones


def _risks(ctx, assessment) -> list[dict]:
    """Too much too soon always; injury history, estimated paces and a goal built at risk when so."""
    risks = [
        {
            "risk": "Doing too much too soon",
            "mitigation": "Volume rises at most 10% a week; "
            "no run outgrows the month's longest by more than 10%; "
            "recovery weeks are not optional.",
            "monitoring_signals": [
                "Soreness lasting over 48 hours",
                "Resting heart rate up 5+ bpm",
                "Easy pace feels hard",
            ],
        }
    ]
    if ctx.runner.injury_notes.strip():
        risks.append(
            {
                "risk": f"Injury history: {ctx.runner.injury_notes.strip()[:120]}",
                "mitigation": "Recovery every third week; stop the session on sharp or worsening pain.",
                "monitoring_signals": ["Pain that changes your stride", "Pain the morning after"],
            }
        )
    if ctx.vdot_uncertain:
        risks.append(
            {
                "risk": "Paces based on an estimate",
                "mitigation": "Run the first tempo by feel (comfortably hard) and log a race or time trial.",
                "monitoring_signals": ["Tempo pace unsustainable for 20 minutes", "Easy runs breathless"],
            }
        )
    if not assessment.feasible:
        risks.append(
            {
                "risk": "Goal beyond what this plan can safely build: " + " ".join(assessment.reasons),
                "mitigation": "The plan keeps every safety limit; the goal is yours. "
                "Consider a later race, a "
                "shorter distance or no target time.",
                "monitoring_signals": ["Long runs that feel like races", "Goal-pace work out of reach"],
            }
        )
    return risks


def _race_confidence(ctx) -> tuple[int, str]:
    """How sure the plan is of the goal time, and why: the target believed, not believed, or none."""
    request = ctx.request
    if request.target_time_s and ctx.target_believed:
        gap = (ctx.expected_s - request.target_time_s) / request.target_time_s
        confidence = 85 if gap <= 0 else int(max(40, min(85, 85 - gap * 100 * 8)))
        reason = (
            f"Your VDOT predicts {format_duration(ctx.predicted_now_s)} today and about "
            f"{format_duration(ctx.expected_s)} after {ctx.weeks} weeks; your target "
            f"{format_duration(request.target_time_s)} is within reach."
        )
    elif request.target_time_s:
        confidence = 20
        reason = (
            f"Your target {format_duration(request.target_time_s)} is faster than the "
            f"{format_duration(ctx.expected_s)} your VDOT of {ctx.vdot:g} allows after {ctx.weeks} "
            f"weeks; "
            f"the plan paces the race for {format_duration(ctx.goal_time_s)}."
        )
    else:
        confidence = 80
        reason = (
            f"Your VDOT predicts {format_duration(ctx.predicted_now_s)} today and about "
            f"{format_duration(ctx.expected_s)} after {ctx.weeks} weeks of consistent training."
        )
    if ctx.vdot_uncertain:
        confidence = max(5, confidence - 15)
        reason += " The VDOT is an estimate, so confidence is lower."
    return confidence, reason


def _outcomes(ctx, load, assessment) -> dict:
    """The primary goal with its confidence, and what comes with it."""
    first, peak = load["starting_volume"], load["peak_volume"]
    if ctx.goal in GOAL_DISTANCE_M:
        confidence, reason = _race_confidence(ctx)
        primary = f"Finish the {GOAL_LABEL[ctx.goal]} in {format_duration(ctx.goal_time_s)}"
    else:
        confidence = 85
        reason = (
            f"A gradual build from {first:g} to {peak:g} km a week is within reach for consistent training."
        )
        primary = f"Run {peak:g} km a week comfortably"
    if not assessment.feasible:
        confidence = min(confidence, ACCEPT_RISK_CONFIDENCE)
        reason += " Built at your risk: " + " ".join(assessment.reasons)
    outcomes = {
        "primary_goal": primary,
        "confidence_level": confidence,
        "confidence_reason": reason,
        "secondary_outcomes": [
            f"An aerobic base of {peak:g} km a week",
            f"A long run of {load['peak_long_run_km']:g} km",
            "Paces you can hold by feel",
        ],
    }
    if ctx.goal in GOAL_DISTANCE_M:
        outcomes["goal_time_s"] = ctx.goal_time_s
    return outcomes
