"""Safeguards: the limits every generated week respects, and a recorder of each application.

The limits are applied while the weeks are built (``plan.py``); ``verify`` re-checks a finished plan
(or the sessions a runner has since moved) from its own numbers, for every session type, so tests and
the admin can prove that every limit held.
"""

import datetime as dt
from dataclasses import dataclass

from .rules import (
    LONGEST_WINDOW_DAYS,
    QUALITY_SHARE,
    RETURN_NO_QUALITY_WEEKS,
    SINGLE_RUN_LIMIT,
    long_run_share_cap_km,
)
from .workouts import HARD_TYPES, flat, steps_metres

MAX_WEEKLY_INCREASE = 1.10
WARN_WEEKLY_INCREASE = 1.10
MAX_FIRST_WEEK = 1.10
ACWR_WARNING = 1.30
TOLERANCE_KM = 0.051
RUN_TYPES = frozenset(
    {"easy", "long", "medium_long", "tempo", "intervals", "repetition", "goal_pace", "hills"}
)
WORK_INTENSITIES = {
    "threshold": "tempo",
    "interval": "intervals",
    "repetition": "repetition",
    "marathon": "goal_pace",
    "half_marathon": "goal_pace",
    "race": "goal_pace",
}

SAFEGUARD_IDS = (
    "first_week_volume",
    "weekly_volume_increase",
    "long_run_share",
    "long_run_duration",
    "long_run_vs_recent_longest",
    "unscheduled_volume",
    "acute_chronic_ratio",
)


class Recorder:
    """Collects safeguard applications in the order they happen."""

    def __init__(self):
        self.rows: list[dict] = []

    def applied(self, safeguard_id, *, week=None, original=None, adjusted=None, reason=""):
        self._add(safeguard_id, True, week, original, adjusted, reason)

    def warning(self, safeguard_id, *, week=None, original=None, adjusted=None, reason=""):
        self._add(safeguard_id, False, week, original, adjusted, reason)

    def _add(self, safeguard_id, applied, week, original, adjusted, reason):
        row = {"safeguard_id": safeguard_id, "applied": applied}
        # Optional keys are left out when blank, as the admin's editor stores them.
        if week is not None:
            row["week_number"] = week
        if original is not None:
            row["original_value"] = round(float(original), 2)
        if adjusted is not None:
            row["adjusted_value"] = round(float(adjusted), 2)
        if reason:
            row["reason"] = reason
        self.rows.append(row)

    def finish(self) -> list[dict]:
        """The applications, plus one row per safeguard that never had to act."""
        seen = {row["safeguard_id"] for row in self.rows}
        held = [
            {"safeguard_id": sid, "applied": False, "reason": "Held in every week without adjustment."}
            for sid in SAFEGUARD_IDS
            if sid not in seen
        ]
        return self.rows + held


def acute_chronic_ratio(volumes: list[float]) -> float | None:
    """Uncoupled ACWR of the last entry: its load over the mean of the four weeks before it."""
    if len(volumes) < 2:
        return None
    chronic_weeks = volumes[-5:-1]
    chronic = sum(chronic_weeks) / len(chronic_weeks)
    return round(volumes[-1] / chronic, 2) if chronic > 0 else None


def work_km(steps: list[dict]) -> dict[str, float]:
    """Km of each quality kind in ``steps`` (hard running steps, warm-ups and recoveries aside)."""
    out: dict[str, float] = {}
    for s in flat(steps):
        kind = WORK_INTENSITIES.get(s["intensity"])
        # Strides (100 m) are form work, not a quality session's load.
        if s["kind"] == "run" and kind and s.get("distance_m", 0) >= 200:
            out[kind] = out.get(kind, 0.0) + s["distance_m"] / 1000
    return out


@dataclass
class _Verifying:
    """What the checks read: the plan's context, and the runs and hard days seen so far."""

    ctx: object
    plan: object
    runs: list[tuple[dt.date, float]]
    hard_dates: set[dt.date]


@dataclass(frozen=True)
class _WeekFacts:
    number: int
    volume: float  # the week's running, the race aside
    share_base: float  # Daniels' shares are of all the week's running, the race included
    long_km: float | None


def verify(plan, *, runner, request, sessions=None) -> list[str]:
    """Every safeguard violation in a generated plan (empty when all hold).

    ``sessions`` (dicts with ``date``, ``week_number``, ``session_type``, ``target_distance_km``,
    ``target_duration_s``, ``steps``) replace the plan's own, e.g. after the runner moved some.
    Week by week: the volume checks, return mode's first weeks, every check of ``SESSION_CHECKS`` on
    each session, and the rest days."""
    from .context import build_context

    ctx = build_context(runner, request)
    sessions = sorted(
        plan.sessions if sessions is None else sessions, key=lambda s: (s["date"], s["session_type"])
    )
    by_week: dict[int, list[dict]] = {}
    for s in sessions:
        by_week.setdefault(s["week_number"], []).append(s)
    state = _Verifying(
        ctx=ctx,
        plan=plan,
        runs=list(ctx.known_runs),
        hard_dates=set(request.history_hard_dates)
        | {s["date"] for s in sessions if s["session_type"] in HARD_TYPES},
    )
    problems: list[str] = []
    last_full = next((km for km in reversed(request.history_volumes) if km >= 5.0), None)
    running_weeks = 0
    for index, week in enumerate(plan.weekly_plan):
        items = by_week.get(week["week_number"], [])
        facts = _week_facts(week, items)
        problems += _volume_problems(ctx, facts, first=index == 0, last_full=last_full)
        if (
            not week["is_recovery_week"]
            and week["phase_name"] != "Taper"
            and week.get("week_label") != "Race"
        ):
            last_full = facts.volume
        elif last_full is None:
            last_full = facts.volume
        if ctx.return_mode and running_weeks < RETURN_NO_QUALITY_WEEKS:
            problems += _return_mode_problems(items)
        if facts.volume > 0:
            running_weeks += 1
        for s in items:
            for check in SESSION_CHECKS:
                problems += check(state, facts, s)
            if s["session_type"] in RUN_TYPES and s["target_distance_km"]:
                state.runs.append((s["date"], s["target_distance_km"]))
        problems += _rest_day_problems(runner, facts, items)
    return problems


def _week_facts(week: dict, items: list[dict]) -> _WeekFacts:
    runs_in_week = [s for s in items if s["session_type"] in RUN_TYPES]
    volume = round(sum(s["target_distance_km"] or 0 for s in runs_in_week), 1)
    race = sum(s["target_distance_km"] or 0 for s in items if s["session_type"] == "race")
    longs = [s for s in items if s["session_type"] == "long"]
    long_km = max((s["target_distance_km"] for s in longs), default=None)
    return _WeekFacts(week["week_number"], volume, volume + race, long_km)


def _volume_problems(ctx, facts: _WeekFacts, *, first: bool, last_full: float | None) -> list[str]:
    """The first week within 110 % of the reference, every week within 110 % of the last full one and
    within what was planned for it before a realign."""
    number, volume = facts.number, facts.volume
    planned_caps = dict(ctx.request.planned_volumes)
    problems = []
    if first and last_full is None and volume > MAX_FIRST_WEEK * ctx.reference + TOLERANCE_KM:
        problems.append(f"week {number}: first week {volume:.1f} km > 1.10 x {ctx.reference}")
    if last_full is not None and volume > MAX_WEEKLY_INCREASE * last_full + TOLERANCE_KM:
        problems.append(f"week {number}: {volume:.1f} km > 1.10 x the last full week's {last_full:.1f}")
    if number in planned_caps and volume > planned_caps[number] + TOLERANCE_KM:
        problems.append(f"week {number}: {volume:.1f} km above the {planned_caps[number]} km planned before")
    return problems


def _return_mode_problems(items: list[dict]) -> list[str]:
    return [
        f"{s['date']}: {s['session_type']} in return mode's first weeks"
        for s in items
        if s["session_type"] in HARD_TYPES - {"long", "race"}
    ]


def _rest_day_problems(runner, facts: _WeekFacts, items: list[dict]) -> list[str]:
    busy = {s["date"] for s in items if s["session_type"] != "rest"}
    days_in_week = len({s["date"] for s in items})
    if days_in_week == 7 and 7 - len(busy) < runner.min_rest_days:
        return [f"week {facts.number}: fewer than {runner.min_rest_days} rest days"]
    return []


def _day_problems(state: _Verifying, facts: _WeekFacts, s: dict) -> list[str]:
    """Runs on available days, cross-training on offered ones."""
    day, kind = s["date"], s["session_type"]
    problems = []
    if kind in RUN_TYPES and day.weekday() not in state.ctx.available:
        problems.append(f"{day}: {kind} on an unavailable day")
    if kind == "cross" and day.weekday() not in state.ctx.cross_days:
        problems.append(f"{day}: cross-training on a day not offered for it")
    return problems


def _run_problems(state: _Verifying, facts: _WeekFacts, s: dict) -> list[str]:
    """A run's steps add up to its distance; no run longer than the week's long run or 110 % of the
    month's longest; quality work within its share of the week."""
    day, kind, km = s["date"], s["session_type"], s["target_distance_km"] or 0.0
    if kind not in RUN_TYPES:
        return []
    problems = []
    steps = s.get("steps") or []
    if not steps:
        problems.append(f"{day}: {kind} without workout steps")
    elif abs(steps_metres(steps) / 1000 - km) > TOLERANCE_KM:
        problems.append(f"{day}: {kind} steps do not add up to {km} km")
    long_km = facts.long_km
    if long_km is not None and kind != "long" and km > long_km + TOLERANCE_KM:
        problems.append(f"{day}: {kind} {km} km longer than the week's long run of {long_km} km")
    start = day - dt.timedelta(days=LONGEST_WINDOW_DAYS)
    before = max((r for d, r in state.runs if start <= d < day), default=0.0)
    if km > SINGLE_RUN_LIMIT * before + TOLERANCE_KM:
        problems.append(f"{day}: {kind} {km} km > 1.10 x the month's longest run ({before} km)")
    for work_kind, amount in work_km(steps).items():
        if amount > QUALITY_SHARE[work_kind] * facts.share_base + TOLERANCE_KM:
            problems.append(
                f"{day}: {amount:.1f} km of {work_kind} work over its share of {facts.share_base:g} km"
            )
    return problems


def _long_run_problems(state: _Verifying, facts: _WeekFacts, s: dict) -> list[str]:
    """The long run on its day, within its share of the week and its time limit."""
    if s["session_type"] != "long":
        return []
    ctx, day, km = state.ctx, s["date"], s["target_distance_km"] or 0.0
    problems = []
    if day.weekday() != ctx.long_day:
        problems.append(f"{day}: long run not on the long run day")
    if km > long_run_share_cap_km(facts.volume, ctx.run_count) + TOLERANCE_KM:
        problems.append(f"{day}: long run {km} km over {ctx.share:.0%} of {facts.volume} km")
    if km > ctx.time_cap_km + TOLERANCE_KM:
        problems.append(f"{day}: long run {km} km over the long run's time limit")
    return problems


def _hard_day_problems(state: _Verifying, facts: _WeekFacts, s: dict) -> list[str]:
    """No two hard sessions on consecutive days."""
    day, kind = s["date"], s["session_type"]
    if kind not in HARD_TYPES:
        return []
    return [
        f"{day}: {kind} next to another hard day ({other})"
        for other in (day - dt.timedelta(days=1), day + dt.timedelta(days=1))
        if other in state.hard_dates
    ]


def _race_problems(state: _Verifying, facts: _WeekFacts, s: dict) -> list[str]:
    """The race's target is the plan's one goal time."""
    if s["session_type"] != "race":
        return []
    goal_time = state.plan.season_view["expected_outcomes"].get("goal_time_s")
    if s["target_duration_s"] != goal_time:
        return [f"{s['date']}: race target {s['target_duration_s']} s is not the expected {goal_time} s"]
    return []


# Every session goes through each, in this order.
SESSION_CHECKS = (
    _day_problems,
    _run_problems,
    _long_run_problems,
    _hard_day_problems,
    _race_problems,
)
