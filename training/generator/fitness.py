"""The runner's fitness from their race or their recent activities, and the radar snapshot."""

import datetime as dt
import statistics

from .inputs import GOAL_DISTANCE_M, PlanRequest, RunnerInput
from .vdot import MAX_VDOT, MIN_VDOT, oxygen_cost, predict_time_s, sustainable_share

DEFAULT_VDOT = {"beginner": 32.0, "intermediate": 42.0, "advanced": 52.0}
RACE_FRESH_DAYS = 120


def recent_activities(runner: RunnerInput, today: dt.date, days: int):
    start = today - dt.timedelta(days=days)
    return [a for a in runner.activities if start <= a.date < today + dt.timedelta(days=1)]


def estimate_vdot(runner: RunnerInput, today: dt.date) -> tuple[float, bool, str]:
    """(VDOT, uncertain, how it was found).

    A recent race gives it directly. Otherwise the best recent runs of 20 minutes or more, read as
    efforts at 75 % of VO2max (as race efforts when the runner rated them 8 or harder), marked
    uncertain; with no runs at all, a default for the experience level, uncertain too.
    """
    race = runner.recent_race
    if race is not None and (race.date is None or (today - race.date).days <= RACE_FRESH_DAYS):
        from .vdot import vdot_from_race

        value = vdot_from_race(race.distance_m, race.time_s)
        return _clamp(value), False, f"from a {race.distance_m / 1000:g} km race"
    runs = [
        a
        for a in recent_activities(runner, today, 42)
        if a.kind == "run" and a.duration_s >= 20 * 60 and a.distance_km > 0
    ]
    if runs:
        values = []
        for a in runs:
            minutes = a.duration_s / 60
            velocity = a.distance_km * 1000 / minutes
            share = sustainable_share(minutes) if (a.perceived_effort or 0) >= 8 else 0.75
            values.append(oxygen_cost(velocity) / share)
        best = sorted(values, reverse=True)[:3]
        return _clamp(statistics.median(best)), True, f"estimated from {len(runs)} recent runs"
    if race is not None:
        from .vdot import vdot_from_race

        value = vdot_from_race(race.distance_m, race.time_s)
        return _clamp(value - 2.0), True, "from a race more than four months old, less 2"
    return DEFAULT_VDOT.get(runner.experience_level, 32.0), True, "no race or recent runs: a typical value"


def _clamp(value: float) -> float:
    return round(min(MAX_VDOT, max(MIN_VDOT, value)), 1)


def measured_weekly_km(runner: RunnerInput, today: dt.date) -> float | None:
    """Average weekly km of the last four weeks of activities, or None without activities."""
    runs = recent_activities(runner, today, 28)
    if not runs:
        return None
    return round(sum(a.distance_km for a in runs) / 4, 1)


def measured_longest_km(runner: RunnerInput, today: dt.date) -> float | None:
    runs = recent_activities(runner, today, 30)
    return max((a.distance_km for a in runs), default=None)


def consistency_score(runner: RunnerInput, today: dt.date) -> tuple[int, bool]:
    """Share of the last eight weeks with at least two activities (0-100); uncertain with few data."""
    acts = recent_activities(runner, today, 56)
    if not acts:
        return (60 if runner.recent_weekly_km > 0 else 20), True
    weeks = [0] * 8
    for a in acts:
        index = (today - a.date).days // 7
        if 0 <= index < 8:
            weeks[index] += 1
    score = round(100 * sum(1 for n in weeks if n >= 2) / 8)
    return score, len(acts) < 6


def clamp100(value: float) -> int:
    return int(round(min(100.0, max(0.0, value))))


def runner_snapshot(
    runner: RunnerInput,
    request: PlanRequest,
    *,
    vdot: float,
    vdot_uncertain: bool,
    reference_weekly_km: float,
    peak_volume: float,
    influencers: list[str],
) -> dict:
    """The six radar axes (0-100) with their uncertainty, fitness indicators and plan influencers."""
    today = request.today
    has_data = bool(recent_activities(runner, today, 28))
    goal_peak = max(peak_volume, 1.0)
    longest = measured_longest_km(runner, today) or runner.longest_recent_run_km
    goal_long = {"5k": 10, "10k": 14, "half": 18, "marathon": 30}.get(request.goal_type, 12)
    endurance = clamp100(70 * min(1.0, reference_weekly_km / goal_peak) + 30 * min(1.0, longest / goal_long))
    speed = clamp100((vdot - 25) / (70 - 25) * 100)
    efforts = [a.perceived_effort for a in recent_activities(runner, today, 28) if a.perceived_effort]
    recovery = 55 + {"beginner": -10, "intermediate": 0, "advanced": 10}.get(runner.experience_level, 0)
    recovery += 5 * (runner.min_rest_days - 1)
    if efforts:
        recovery -= 4 * (statistics.mean(efforts) - 5)
    consistency, consistency_uncertain = consistency_score(runner, today)
    risk = (
        20 + (30 if runner.injury_notes.strip() else 0) + (15 if runner.experience_level == "beginner" else 0)
    )
    risk += 25 * max(0.0, peak_volume / max(reference_weekly_km, 5.0) - 1.5)
    if request.health_note:
        risk += 15
    if request.target_time_s and request.goal_type in GOAL_DISTANCE_M:
        predicted = predict_time_s(vdot, GOAL_DISTANCE_M[request.goal_type])
        race_ready = clamp100(
            100 - max(0.0, (predicted - request.target_time_s) / request.target_time_s) * 400
        )
        race_ready = min(race_ready, endurance + 20)
        race_ready_uncertain = vdot_uncertain
    else:
        race_ready = clamp100(0.6 * endurance + 0.4 * consistency)
        race_ready_uncertain = True
    radar = [
        {"label": "Endurance", "value": endurance, "uncertain": not has_data},
        {"label": "Speed", "value": speed, "uncertain": vdot_uncertain},
        {"label": "Recovery", "value": clamp100(recovery), "uncertain": not efforts},
        {"label": "Consistency", "value": consistency, "uncertain": consistency_uncertain},
        {"label": "Injury Risk", "value": clamp100(risk), "uncertain": not has_data},
        {"label": "Race Ready", "value": race_ready, "uncertain": race_ready_uncertain},
    ]
    return {
        "captured_at": request.captured_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "profile_radar": radar,
        "fitness_indicators": {
            "estimated_vdot": vdot,
            "vdot_uncertain": vdot_uncertain,
            "recent_volume": round(reference_weekly_km, 1),
            "consistency_score": consistency,
        },
        "plan_influencers": influencers,
    }
