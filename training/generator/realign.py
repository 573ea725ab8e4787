"""Realign: regenerate a plan's remaining weeks from what the runner actually ran.

Pure arithmetic on plain data: ``realign_request`` turns the recorded load (activities) and the plan's
own sessions and weeks into the ``PlanRequest`` for the remaining weeks (weekly history, the reference
volume, the hard dates to keep away from, what each later week may hold) and the decision that says why;
``merge`` puts the regenerated weeks after the kept ones. ``training.services.plans.plan_realign`` reads
and writes the rows around them.
"""

import datetime as dt
from dataclasses import dataclass

from .inputs import ActivityPoint, PlanRequest
from .plan import GeneratedPlan

HISTORY_WEEKS = 4
SHORTFALL_DAYS = 14  # ran against planned, over this many days
HARD_SESSION_TYPES = ("tempo", "intervals", "repetition", "goal_pace", "hills", "long", "race")
# Statuses of a session that was not done (anything else on a past day counts as done).
NOT_DONE_STATUSES = ("missed", "planned", "skipped")

REALIGN_TEXT = {
    "missed_key_sessions": "Three key sessions were not done within 14 days (missed, skipped or cut short)",
    "illness": "The runner reported an illness",
    "injury": "The runner reported an injury",
    "schedule_change": "The runner's schedule changed",
    "manual": "The runner asked for a fresh plan",
    "history_imported": "The runner imported their training history",
}


@dataclass(frozen=True)
class PastSession:
    """A planned session of the last ``SHORTFALL_DAYS`` days, as the plan stores it."""

    date: dt.date
    session_type: str
    target_distance_km: float | None
    status: str


@dataclass(frozen=True)
class PlanSoFar:
    """The parts of the stored plan a realign reads."""

    goal_type: str
    start_date: dt.date
    duration_weeks: int
    target_date: dt.date | None
    target_time_s: int | None
    target_event: str
    race_start_time: dt.time | None
    weekly_plan: list[dict]
    phases: list[dict]
    safeguard_applications: list[dict]
    load_parameters: dict
    decisions: list[dict]


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def current_week(start_date: dt.date, today: dt.date) -> int:
    """The plan's week that holds ``today`` (1 before the plan starts)."""
    return max(1, (monday_of(today) - start_date).days // 7 + 1)


def weekly_actual_km(
    activities: tuple[ActivityPoint, ...], this_monday: dt.date, *, weeks: int
) -> list[float | None]:
    """Km run in each of the ``weeks`` weeks before ``this_monday`` (None for a week without activities)."""
    totals: list[float | None] = []
    for back in range(weeks, 0, -1):
        start = this_monday - dt.timedelta(weeks=back)
        end = start + dt.timedelta(days=7)
        km = [a.distance_km for a in activities if start <= a.date < end]
        totals.append(round(sum(km), 1) if km else None)
    return totals


def history_volumes(activities, this_monday: dt.date, plan_start: dt.date) -> list[float]:
    """What was run: recorded km per week; a week of the plan with nothing recorded is 0 km."""
    actual = weekly_actual_km(activities, this_monday, weeks=HISTORY_WEEKS)
    history = []
    for back, km in zip(range(HISTORY_WEEKS, 0, -1), actual, strict=True):
        week_start = this_monday - dt.timedelta(weeks=back)
        if km is not None:
            history.append(km)
        elif week_start >= plan_start:
            history.append(0.0)
    return history


def reference_km(history: list[float]) -> float | None:
    """The volume the remaining weeks start again from: the mean of the last two weeks run."""
    measured = history[-2:]
    return sum(measured) / len(measured) if measured else None


def shortfall(activities, sessions: list[PastSession], today: dt.date) -> tuple[float, float]:
    """Km run and km planned (runs only) in the last ``SHORTFALL_DAYS`` days."""
    since = today - dt.timedelta(days=SHORTFALL_DAYS)
    ran = round(sum(a.distance_km for a in activities if since <= a.date < today), 1)
    planned = round(
        sum(
            s.target_distance_km or 0
            for s in sessions
            if since <= s.date < today and s.session_type not in ("rest", "cross")
        ),
        1,
    )
    return ran, planned


def hard_dates(sessions: list[PastSession], today: dt.date) -> tuple[dt.date, ...]:
    """Days of the last week with a hard session done: the new weeks keep hard days away from them."""
    since = today - dt.timedelta(days=7)
    return tuple(
        s.date
        for s in sessions
        if since <= s.date < today and s.status == "completed" and s.session_type in HARD_SESSION_TYPES
    )


def done_dates(sessions: list[PastSession], this_monday: dt.date, today: dt.date) -> tuple[dt.date, ...]:
    """Days of this week already done (not rescheduled)."""
    return tuple(
        s.date for s in sessions if this_monday <= s.date < today and s.status not in NOT_DONE_STATUSES
    )


def planned_volumes(weekly_plan: list[dict], week: int) -> tuple[tuple[int, float], ...]:
    """What each week from ``week`` on was planned to hold (race aside): no week rises above it."""
    return tuple(
        (w["week_number"], round(w["volume_km"] - w.get("race_km", 0), 1))
        for w in weekly_plan
        if w["week_number"] >= week
    )


def realign_decision(
    *, reason: str, week: int, duration_weeks: int, today: dt.date, ran: float, planned: float, reference
) -> dict:
    return {
        "category": "realign",
        "decision": f"Weeks {week}-{duration_weeks} regenerated on {today.isoformat()}",
        "reasoning": f"{REALIGN_TEXT[reason]}. Ran {ran:g} of {planned:g} km planned "
        "in the last 14 days; "
        + (
            f"the remaining weeks start again from {reference:.1f} km a week actually run, "
            if reference is not None
            else "the remaining weeks start again from the runner's profile, "
        )
        + "no week above what was planned for it before, recovery weeks where they were.",
        "alternatives": ["Keep the plan as it was", "Start a new plan"],
        "knowledge_base_refs": [
            "Gabbett (2016), the training-injury prevention paradox (acute:chronic workload)",
            "Frandsen et al. (2025), BJSM: single-session running distance spikes and injury risk",
        ],
    }


def realign_request(
    *,
    plan: PlanSoFar,
    reason: str,
    activities: tuple[ActivityPoint, ...],
    sessions: list[PastSession],
    today: dt.date,
    now: dt.datetime,
    start_time_local: dt.time | None,
) -> tuple[PlanRequest, dict]:
    """The request for the weeks from today's on, and the decision that records the realign.

    The load comes from recorded activities (a skipped or missed session is 0 km), no later week rises
    above what was planned for it before, and hard sessions done this past week keep the next hard day
    away. ``sessions``: the plan's sessions of the last ``SHORTFALL_DAYS`` days, in date order."""
    week = current_week(plan.start_date, today)
    this_monday = monday_of(today)
    history = history_volumes(activities, this_monday, plan.start_date)
    reference = reference_km(history)
    ran, planned = shortfall(activities, sessions, today)
    decision = realign_decision(
        reason=reason,
        week=week,
        duration_weeks=plan.duration_weeks,
        today=today,
        ran=ran,
        planned=planned,
        reference=reference,
    )
    request = PlanRequest(
        goal_type=plan.goal_type,
        start_date=this_monday if week > 1 else plan.start_date,
        weeks=plan.duration_weeks - week + 1,
        today=today,
        captured_at=now,
        target_date=plan.target_date,
        target_time_s=plan.target_time_s,
        target_event=plan.target_event,
        start_time_local=start_time_local,
        race_start_time=plan.race_start_time,
        accept_risk=True,
        realign=True,
        week_offset=week - 1,
        history_volumes=tuple(history),
        health_note=reason if reason in ("illness", "injury") else "",
        reference_weekly_km=reference,
        planned_volumes=planned_volumes(plan.weekly_plan, week),
        history_hard_dates=hard_dates(sessions, today),
        completed_dates=done_dates(sessions, this_monday, today),
    )
    return request, decision


def merge(plan: PlanSoFar, result: GeneratedPlan, *, reason: str, today: dt.date, decision: dict) -> dict:
    """The plan's stored fields after a realign: the weeks, phases and safeguards before today's week
    kept, the regenerated ones after them (a phase cut at today's week continues), the first week's
    starting volume and the earlier decisions kept."""
    week = current_week(plan.start_date, today)
    kept_phases = [
        {**p, "end_week": min(p["end_week"], week - 1)} for p in plan.phases if p["start_week"] < week
    ]
    new_phases = list(result.phases)
    if kept_phases and new_phases and kept_phases[-1]["name"] == new_phases[0]["name"]:
        kept_phases[-1] = {**kept_phases[-1], "end_week": new_phases[0]["end_week"]}
        new_phases = new_phases[1:]
    kept_safeguards = [
        r for r in plan.safeguard_applications if (r.get("week_number") or 0) and r["week_number"] < week
    ]
    return {
        "weekly_plan": [w for w in plan.weekly_plan if w["week_number"] < week] + result.weekly_plan,
        "phases": kept_phases + new_phases,
        "season_view": {
            **result.season_view,
            "coach_summary": f"Realigned on {today.isoformat()}: {REALIGN_TEXT[reason].lower()}. "
            + result.season_view["coach_summary"],
        },
        "runner_snapshot": result.runner_snapshot,
        "load_parameters": {
            **result.load_parameters,
            "starting_volume": plan.load_parameters.get(
                "starting_volume", result.load_parameters["starting_volume"]
            ),
        },
        "target_paces": result.target_paces,
        "decisions": [*plan.decisions, decision],
        "safeguard_applications": kept_safeguards + result.safeguard_applications,
        "generator_version": result.generator_version,
        "end_date": result.end_date,
    }
