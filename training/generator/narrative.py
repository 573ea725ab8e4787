"""The plan's words, written from its own numbers: season view, week texts, decision audit."""

from .inputs import GOAL_DISTANCE_M, GOAL_LABEL, PlanRequest, RunnerInput
from .periodization import PHASE_FOCUS
from .vdot import format_duration, format_pace, predict_time_s

# Where the rules come from (cited in the decision audit).
REFS = {
    "vdot": "Daniels & Gilbert (1979), Oxygen Power: VDOT tables",
    "daniels": "Daniels (2014), Daniels' Running Formula, 3rd ed.: E/M/T/I/R intensities",
    "ten_percent": "Buist et al. (2008), graded training volume and running injuries",
    "acwr": "Gabbett (2016), the training-injury prevention paradox (acute:chronic workload)",
    "taper": "Bosquet et al. (2007), effects of tapering on performance: a meta-analysis",
    "recovery": "Issurin (2010), block periodization; 3:1 and 2:1 loading cycles",
    "long_run": "Pfitzinger & Douglas (2009), Advanced Marathoning: long run share of weekly volume",
}
# Expected VDOT gain per four weeks of training by experience level.
VDOT_GAIN_PER_4_WEEKS = {"beginner": 1.5, "intermediate": 1.0, "advanced": 0.5}


def race_session(goal: str, request: PlanRequest, vdot: float, race_km: float) -> dict:
    distance = GOAL_DISTANCE_M[goal]
    predicted = predict_time_s(vdot, distance)
    goal_time = request.target_time_s or predicted
    pace = round(goal_time / (distance / 1000))
    name = request.target_event or f"{GOAL_LABEL[goal]} race"
    text = f"{name}: {race_km:g} km at about {format_pace(pace)}/km ({format_duration(goal_time)})."
    if not request.target_date:
        text = (
            f"Time trial over {race_km:g} km at about {format_pace(pace)}/km ({format_duration(goal_time)})."
        )
    return {
        "session_type": "race",
        "title": name if request.target_date else f"{GOAL_LABEL[goal]} time trial",
        "description": text + " Start controlled, even splits, finish strong.",
        "target_distance_km": race_km,
        "target_duration_s": goal_time,
        "target_pace_s_per_km": pace,
        "is_key_session": True,
    }


def week_focus(phase: str, recovery: bool, race_week: bool, goal: str) -> str:
    if race_week:
        return "Race week: stay fresh, trust the work"
    if recovery:
        return "Recovery: absorb the last weeks' load"
    return PHASE_FOCUS[phase]


def week_justification(
    volume, previous, long_km, phase, week_in_phase, recovery, race_week, kinds, by_day
) -> str:
    parts = [f"{volume:g} km of training"]
    if previous:
        parts.append(f"({(volume / previous - 1) * 100:+.0f}% on last week)")
    text = " ".join(parts) + "."
    if recovery:
        text += " About 25% less than the last full week so the body adapts."
    if phase == "Taper" and not race_week:
        text += " Taper: volume cut, intensity kept."
    if long_km:
        text += f" Long run {long_km:g} km ({long_km / volume:.0%} of the week)." if volume else ""
    quality = [s["session_type"] for s in by_day.values() if s.get("quality_kind")]
    if quality:
        text += " Quality: " + ", ".join(quality) + "."
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
    return ""


def decisions(
    *,
    runner: RunnerInput,
    request: PlanRequest,
    vdot,
    vdot_source,
    vdot_uncertain,
    reference,
    load,
    phases,
    taper,
    cycle,
    key_count,
    run_count,
) -> list[dict]:
    goal = GOAL_LABEL[request.goal_type]
    phase_text = ", ".join(f"{p['name']} {p['end_week'] - p['start_week'] + 1}" for p in phases)
    rows = [
        {
            "category": "fitness_estimate",
            "decision": f"VDOT {vdot:g}" + (" (uncertain)" if vdot_uncertain else ""),
            "reasoning": f"VDOT {vdot_source}; every pace of the plan follows from it.",
            "alternatives": ["Heart-rate zones", "Perceived effort only"],
            "knowledge_base_refs": [REFS["vdot"], REFS["daniels"]],
        },
        {
            "category": "periodization_model",
            "decision": f"Linear block periodization: {phase_text} weeks",
            "reasoning": f"A {request.weeks}-week plan for a {goal} builds an aerobic base before "
            "threshold and VO2max work, then sharpens and tapers.",
            "alternatives": ["Reverse periodization (speed first)", "Undulating weekly intensity"],
            "knowledge_base_refs": [REFS["recovery"], REFS["daniels"]],
        },
        {
            "category": "starting_volume",
            "decision": f"Start at {load['starting_volume']:g} km in week 1",
            "reasoning": f"The runner's recent volume is {reference:g} km a week; the first week never "
            "exceeds it by more than 10%.",
            "alternatives": ["Start at the goal's typical volume"],
            "knowledge_base_refs": [REFS["ten_percent"]],
        },
        {
            "category": "peak_volume",
            "decision": f"Peak at {load['peak_volume']:g} km a week",
            "reasoning": f"Volume grows by at most {load['weekly_increase']:.0%} a week from the start, "
            f"towards a typical {runner.experience_level} peak for a {goal}, never more than 1.30 x the last "
            "full week.",
            "alternatives": ["A higher peak with a longer plan", "Hold volume and add intensity"],
            "knowledge_base_refs": [REFS["ten_percent"], REFS["acwr"]],
        },
        {
            "category": "quality_sessions",
            "decision": f"Up to {key_count} quality sessions a week on {run_count} run days",
            "reasoning": "Threshold at most 10%, intervals 8% and repetitions 5% of the week's volume; "
            "quality days are spread away from the long run.",
            "alternatives": ["One quality session a week", "Polarized 80/20 by time"],
            "knowledge_base_refs": [REFS["daniels"]],
        },
        {
            "category": "recovery_rhythm",
            "decision": f"A recovery week every {cycle} weeks at about 75% volume",
            "reasoning": "Two weeks up, one down for beginners and injury-prone runners; "
            "three up, one down otherwise.",
            "alternatives": ["No planned recovery weeks", "Recovery every 5th week"],
            "knowledge_base_refs": [REFS["recovery"]],
        },
    ]
    if taper:
        rows.append(
            {
                "category": "taper_length",
                "decision": f"{taper}-week taper",
                "reasoning": "Volume falls to 40-60% of the peak while the sessions keep their pace, "
                "so fitness stays and fatigue goes.",
                "alternatives": ["1-week taper", "Step taper with volume and intensity cut"],
                "knowledge_base_refs": [REFS["taper"]],
            }
        )
    return rows


def season_view(
    *, runner, request: PlanRequest, vdot, vdot_uncertain, predicted, weekly_plan, load, phases, taper, cycle
) -> dict:
    goal = request.goal_type
    label = GOAL_LABEL[goal]
    weeks = len(weekly_plan)
    first, peak = load["starting_volume"], load["peak_volume"]
    longest_long = max((w.get("long_run_km", 0) for w in weekly_plan), default=0)
    summary = (
        f"{weeks} weeks to your {label.lower() if goal == 'fitness' else label}"
        f"{' at ' + request.target_event if request.target_event else ''}: weekly volume grows from "
        f"{first:g} km to {peak:g} km with a long run up to {longest_long:g} km. "
        f"Paces come from your VDOT of {vdot:g}"
        f"{' (an estimate: a race or time trial will sharpen it)' if vdot_uncertain else ''}. "
    )
    summary += f"A recovery week every {cycle} weeks" + (f" and a {taper}-week taper." if taper else ".")
    gain = min(weeks / 4, 4) * VDOT_GAIN_PER_4_WEEKS.get(runner.experience_level, 1.0)
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
    if goal != "fitness":
        milestones.append(
            {
                "week_number": weekly_plan[-1]["week_number"],
                "milestone": "Race day" if request.target_date else "Time trial",
                "significance": f"The {label} you trained for.",
            }
        )
    milestones.sort(key=lambda m: m["week_number"])
    risks = [
        {
            "risk": "Doing too much too soon",
            "mitigation": "Volume rises at most 10% a week; recovery weeks are not optional.",
            "monitoring_signals": [
                "Soreness lasting over 48 hours",
                "Resting heart rate up 5+ bpm",
                "Easy pace feels hard",
            ],
        }
    ]
    if runner.injury_notes.strip():
        risks.append(
            {
                "risk": f"Injury history: {runner.injury_notes.strip()[:120]}",
                "mitigation": "Recovery every third week; stop the session on sharp or worsening pain.",
                "monitoring_signals": ["Pain that changes your stride", "Pain the morning after"],
            }
        )
    if vdot_uncertain:
        risks.append(
            {
                "risk": "Paces based on an estimate",
                "mitigation": "Run the week-4 tempo by feel (comfortably hard) and log a race or time trial.",
                "monitoring_signals": ["Tempo pace unsustainable for 20 minutes", "Easy runs breathless"],
            }
        )
    if goal in GOAL_DISTANCE_M:
        distance = GOAL_DISTANCE_M[goal]
        now = predicted[f"{distance:g}"]
        expected = predict_time_s(vdot + gain, distance)
        if request.target_time_s:
            gap = (expected - request.target_time_s) / request.target_time_s
            confidence = 85 if gap <= 0 else int(max(5, min(85, 85 - gap * 100 * 8)))
            reason = (
                f"Your VDOT predicts {format_duration(now)} today and about "
                f"{format_duration(expected)} after "
                f"{weeks} weeks; the target {format_duration(request.target_time_s)} is "
                f"{abs(gap) * 100:.1f}% {'slower' if gap <= 0 else 'faster'} than that."
            )
            primary = f"Finish the {label} in {format_duration(request.target_time_s)}"
        else:
            confidence = 80
            reason = (
                f"Your VDOT predicts {format_duration(now)} today and about "
                f"{format_duration(expected)} after "
                f"{weeks} weeks of consistent training."
            )
            primary = f"Finish the {label} strong, around {format_duration(expected)}"
        if vdot_uncertain:
            confidence = max(5, confidence - 15)
            reason += " The VDOT is an estimate, so confidence is lower."
    else:
        confidence = 85
        reason = (
            f"A gradual build from {first:g} to {peak:g} km a week is within reach for consistent training."
        )
        primary = f"Run {peak:g} km a week comfortably"
    return {
        "coach_summary": summary.strip(),
        "periodization_justification": (
            "Phases: "
            + ", ".join(f"{p['name']} (weeks {p['start_week']}-{p['end_week']})" for p in phases)
            + ". "
            "Aerobic base first because most of the race is aerobic; quality builds on it; "
            "the taper sheds fatigue."
        ),
        "volume_strategy_justification": (
            f"From {first:g} km (your recent volume) to {peak:g} km, "
            f"at most {load['weekly_increase']:.0%} more "
            f"per week, every {cycle}th week about 25% lighter."
        ),
        "key_milestones": milestones,
        "identified_risks": risks,
        "expected_outcomes": {
            "primary_goal": primary,
            "confidence_level": confidence,
            "confidence_reason": reason,
            "secondary_outcomes": [
                f"An aerobic base of {peak:g} km a week",
                "Paces you can hold by feel",
                "A habit of consistent training",
            ],
        },
    }
