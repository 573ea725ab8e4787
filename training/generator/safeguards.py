"""Safeguards: the limits every generated week respects, and a recorder of each application.

The limits are applied while the weeks are built (``plan.py``); ``verify`` re-checks a finished plan
(or the sessions a runner has since moved) from its own numbers, for every session type, so tests and
the admin can prove that every limit held.
"""

import datetime as dt

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


def verify(plan, *, runner, request, sessions=None) -> list[str]:
    """Every safeguard violation in a generated plan (empty when all hold).

    ``sessions`` (dicts with ``date``, ``week_number``, ``session_type``, ``target_distance_km``,
    ``target_duration_s``, ``steps``) replace the plan's own, e.g. after the runner moved some."""
    from .context import build_context

    ctx = build_context(runner, request)
    sessions = sorted(
        plan.sessions if sessions is None else sessions, key=lambda s: (s["date"], s["session_type"])
    )
    problems: list[str] = []
    by_week: dict[int, list[dict]] = {}
    for s in sessions:
        by_week.setdefault(s["week_number"], []).append(s)
    planned_caps = dict(request.planned_volumes)
    last_full = next((km for km in reversed(request.history_volumes) if km >= 5.0), None)
    runs = list(ctx.known_runs)
    hard_dates = set(request.history_hard_dates) | {
        s["date"] for s in sessions if s["session_type"] in HARD_TYPES
    }
    running_weeks = 0
    for index, week in enumerate(plan.weekly_plan):
        number = week["week_number"]
        items = by_week.get(number, [])
        runs_in_week = [s for s in items if s["session_type"] in RUN_TYPES]
        volume = round(sum(s["target_distance_km"] or 0 for s in runs_in_week), 1)
        # Daniels' shares are of all the week's running, the race included.
        share_base = volume + sum(s["target_distance_km"] or 0 for s in items if s["session_type"] == "race")
        if index == 0 and last_full is None and volume > MAX_FIRST_WEEK * ctx.reference + TOLERANCE_KM:
            problems.append(f"week {number}: first week {volume:.1f} km > 1.10 x {ctx.reference}")
        if last_full is not None and volume > MAX_WEEKLY_INCREASE * last_full + TOLERANCE_KM:
            problems.append(f"week {number}: {volume:.1f} km > 1.10 x the last full week's {last_full:.1f}")
        if number in planned_caps and volume > planned_caps[number] + TOLERANCE_KM:
            problems.append(
                f"week {number}: {volume:.1f} km above the {planned_caps[number]} km planned before"
            )
        if (
            not week["is_recovery_week"]
            and week["phase_name"] != "Taper"
            and week.get("week_label") != "Race"
        ):
            last_full = volume
        elif last_full is None:
            last_full = volume
        longs = [s for s in items if s["session_type"] == "long"]
        long_km = max((s["target_distance_km"] for s in longs), default=None)
        if ctx.return_mode and running_weeks < RETURN_NO_QUALITY_WEEKS:
            for s in items:
                if s["session_type"] in HARD_TYPES - {"long", "race"}:
                    problems.append(f"{s['date']}: {s['session_type']} in return mode's first weeks")
        if volume > 0:
            running_weeks += 1
        for s in items:
            day = s["date"]
            kind = s["session_type"]
            km = s["target_distance_km"] or 0.0
            weekday = day.weekday()
            if kind in RUN_TYPES and weekday not in ctx.available:
                problems.append(f"{day}: {kind} on an unavailable day")
            if kind == "cross" and weekday not in ctx.cross_days:
                problems.append(f"{day}: cross-training on a day not offered for it")
            if kind in RUN_TYPES:
                steps = s.get("steps") or []
                if not steps:
                    problems.append(f"{day}: {kind} without workout steps")
                elif abs(steps_metres(steps) / 1000 - km) > TOLERANCE_KM:
                    problems.append(f"{day}: {kind} steps do not add up to {km} km")
                if long_km is not None and kind != "long" and km > long_km + TOLERANCE_KM:
                    problems.append(f"{day}: {kind} {km} km longer than the week's long run of {long_km} km")
                start = day - dt.timedelta(days=LONGEST_WINDOW_DAYS)
                before = max((r for d, r in runs if start <= d < day), default=0.0)
                if km > SINGLE_RUN_LIMIT * before + TOLERANCE_KM:
                    problems.append(f"{day}: {kind} {km} km > 1.10 x the month's longest run ({before} km)")
                for work_kind, amount in work_km(steps).items():
                    if amount > QUALITY_SHARE[work_kind] * share_base + TOLERANCE_KM:
                        problems.append(
                            f"{day}: {amount:.1f} km of {work_kind} work over its share of {share_base:g} km"
                        )
            if kind == "long":
                if weekday != ctx.long_day:
                    problems.append(f"{day}: long run not on the long run day")
                if km > long_run_share_cap_km(volume, ctx.run_count) + TOLERANCE_KM:
                    problems.append(f"{day}: long run {km} km over {ctx.share:.0%} of {volume} km")
                if km > ctx.time_cap_km + TOLERANCE_KM:
                    problems.append(f"{day}: long run {km} km over the long run's time limit")
            if kind in HARD_TYPES:
                for other in (day - dt.timedelta(days=1), day + dt.timedelta(days=1)):
                    if other in hard_dates:
                        problems.append(f"{day}: {kind} next to another hard day ({other})")
            if kind == "race":
                goal_time = plan.season_view["expected_outcomes"].get("goal_time_s")
                if s["target_duration_s"] != goal_time:
                    problems.append(
                        f"{day}: race target {s['target_duration_s']} s is not the expected {goal_time} s"
                    )
            if kind in RUN_TYPES and km:
                runs.append((day, km))
        busy = {s["date"] for s in items if s["session_type"] != "rest"}
        days_in_week = len({s["date"] for s in items})
        if days_in_week == 7 and 7 - len(busy) < runner.min_rest_days:
            problems.append(f"week {number}: fewer than {runner.min_rest_days} rest days")
    return problems
