"""Safeguards: the limits every generated week respects, and a recorder of each application.

The limits are applied while the weeks are built (``plan.py``); ``verify`` re-checks a finished
plan from its own numbers, so tests and the admin can prove that every limit held.
"""

import datetime as dt

MAX_WEEKLY_INCREASE = 1.30
WARN_WEEKLY_INCREASE = 1.10
MAX_FIRST_WEEK = 1.10
LONG_RUN_SHARE = 0.30
LONG_RUN_SHARE_HIGH_VOLUME = 0.25
HIGH_VOLUME_KM = 64.0
LONG_RUN_MAX_MINUTES = 150
LONG_RUN_VS_LONGEST = 1.10
LONGEST_WINDOW_DAYS = 30
QUALITY_SHARE = {"tempo": 0.10, "intervals": 0.08, "repetition": 0.05}
ACWR_WARNING = 1.30
TOLERANCE_KM = 0.051

SAFEGUARD_IDS = (
    "first_week_volume",
    "weekly_volume_increase",
    "long_run_share",
    "long_run_duration",
    "long_run_vs_recent_longest",
    "quality_threshold",
    "quality_intervals",
    "quality_repetition",
    "rest_days",
    "available_days",
    "long_run_day",
    "acute_chronic_ratio",
)
QUALITY_SAFEGUARD = {
    "tempo": "quality_threshold",
    "intervals": "quality_intervals",
    "repetition": "quality_repetition",
}


class Recorder:
    """Collects safeguard applications in the order they happen."""

    def __init__(self):
        self.rows: list[dict] = []

    def applied(self, safeguard_id, *, week=None, original=None, adjusted=None, reason=""):
        self._add(safeguard_id, True, week, original, adjusted, reason)

    def warning(self, safeguard_id, *, week=None, original=None, adjusted=None, reason=""):
        self._add(safeguard_id, False, week, original, adjusted, reason)

    def _add(self, safeguard_id, applied, week, original, adjusted, reason):
        self.rows.append(
            {
                "safeguard_id": safeguard_id,
                "applied": applied,
                "week_number": week,
                "original_value": None if original is None else round(float(original), 2),
                "adjusted_value": None if adjusted is None else round(float(adjusted), 2),
                "reason": reason,
            }
        )

    def finish(self) -> list[dict]:
        """The applications, plus one row per safeguard that never had to act."""
        seen = {row["safeguard_id"] for row in self.rows}
        held = [
            {
                "safeguard_id": sid,
                "applied": False,
                "week_number": None,
                "original_value": None,
                "adjusted_value": None,
                "reason": "Held in every week without adjustment.",
            }
            for sid in SAFEGUARD_IDS
            if sid not in seen
        ]
        return self.rows + held


def long_run_share_limit(volume_km: float) -> float:
    return LONG_RUN_SHARE_HIGH_VOLUME if volume_km > HIGH_VOLUME_KM else LONG_RUN_SHARE


def long_run_minutes_limit_km(easy_slow_s_per_km: int) -> float:
    return LONG_RUN_MAX_MINUTES * 60 / easy_slow_s_per_km


def longest_in_window(day: dt.date, runs: list[tuple[dt.date, float]]) -> float:
    """The longest of ``runs`` (date, km) in the 30 days before ``day``."""
    start = day - dt.timedelta(days=LONGEST_WINDOW_DAYS)
    return max((km for d, km in runs if start <= d < day), default=0.0)


def acute_chronic_ratio(volumes: list[float]) -> float | None:
    """Uncoupled ACWR of the last entry: its load over the mean of the four weeks before it."""
    if len(volumes) < 2:
        return None
    chronic_weeks = volumes[-5:-1]
    chronic = sum(chronic_weeks) / len(chronic_weeks)
    return round(volumes[-1] / chronic, 2) if chronic > 0 else None


def verify(
    plan,
    *,
    available_days,
    long_run_day,
    min_rest_days,
    reference_weekly_km,
    reference_longest_km,
    easy_slow_s_per_km,
    today,
    history_volumes=(),
    history_long_runs=(),
) -> list[str]:
    """Every safeguard violation in a generated plan (empty when all hold)."""
    problems = []
    weeks = plan.weekly_plan
    sessions = plan.sessions
    by_week: dict[int, list[dict]] = {}
    for s in sessions:
        by_week.setdefault(s["week_number"], []).append(s)
    # A week under 5 km is a break, not training: after one, the first-week rule applies again.
    last_nonrecovery = next((km for km in reversed(history_volumes) if km >= 5.0), None)
    long_runs = list(history_long_runs)
    for index, week in enumerate(weeks):
        number = week["week_number"]
        items = by_week.get(number, [])
        training = [s for s in items if s["session_type"] not in ("rest", "race")]
        volume = sum(s["target_distance_km"] or 0 for s in training)
        if (
            index == 0
            and last_nonrecovery is None
            and volume > MAX_FIRST_WEEK * reference_weekly_km + TOLERANCE_KM
        ):
            problems.append(f"week {number}: first week {volume:.1f} km > 1.10 x {reference_weekly_km}")
        if last_nonrecovery is not None and volume > MAX_WEEKLY_INCREASE * last_nonrecovery + TOLERANCE_KM:
            problems.append(f"week {number}: {volume:.1f} km > 1.30 x {last_nonrecovery:.1f}")
        if not week["is_recovery_week"] and week["phase_name"] != "Taper":
            last_nonrecovery = volume
        elif last_nonrecovery is None:
            last_nonrecovery = volume
        for s in items:
            weekday = s["date"].weekday()
            if s["session_type"] not in ("rest", "race") and weekday not in available_days:
                problems.append(f"{s['date']}: {s['session_type']} on an unavailable day")
            if s["session_type"] == "long":
                km = s["target_distance_km"]
                if weekday != long_run_day:
                    problems.append(f"{s['date']}: long run not on the long run day")
                if km > long_run_share_limit(volume) * volume + TOLERANCE_KM:
                    problems.append(f"{s['date']}: long run {km} km over its share of {volume:.1f}")
                if km > long_run_minutes_limit_km(easy_slow_s_per_km) + TOLERANCE_KM:
                    problems.append(f"{s['date']}: long run {km} km over 150 minutes")
                done = reference_longest_km if (s["date"] - today).days <= LONGEST_WINDOW_DAYS else 0.0
                previous = max(done, longest_in_window(s["date"], long_runs))
                if km > LONG_RUN_VS_LONGEST * previous + TOLERANCE_KM:
                    problems.append(f"{s['date']}: long run {km} km > 1.10 x {previous}")
                long_runs.append((s["date"], km))
            kind = s.get("quality_kind")
            if kind:
                if s.get("quality_km", 0) > QUALITY_SHARE[kind] * volume + TOLERANCE_KM:
                    problems.append(
                        f"{s['date']}: {kind} work {s['quality_km']} km over its share of {volume:.1f}"
                    )
        run_days = {s["date"] for s in items if s["session_type"] != "rest"}
        days_in_week = len({s["date"] for s in items})
        if days_in_week == 7 and 7 - len(run_days) < min_rest_days:
            problems.append(f"week {number}: fewer than {min_rest_days} rest days")
    return problems
