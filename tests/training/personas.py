"""Six runners a coach would recognise, each with the published plan of the same level it is compared
with (training/README.md). Shared by the golden tests and ``python -m tests.training.personas``."""

import datetime as dt

from training.generator import PlanRequest, RaceResult, RunnerInput

TODAY = dt.date(2026, 12, 1)
START = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _request(goal, weeks, **kwargs) -> PlanRequest:
    return PlanRequest(goal_type=goal, start_date=START, weeks=weeks, today=TODAY, captured_at=NOW, **kwargs)


def _runs(weekly_km: float, longest_km: float, pace_s: int, days: tuple[int, ...]) -> tuple:
    """Eight weeks of recorded runs before TODAY: ``days`` runs a week, the last one the longest."""
    from training.generator import ActivityPoint

    points = []
    for week in range(8, 0, -1):
        monday = TODAY - dt.timedelta(days=TODAY.weekday()) - dt.timedelta(weeks=week)
        others = (weekly_km - longest_km) / (len(days) - 1)
        for i, day in enumerate(days):
            km = longest_km if i == len(days) - 1 else others
            points.append(ActivityPoint(monday + dt.timedelta(days=day), round(km, 1), round(km * pace_s)))
    return tuple(points)


PERSONAS = {
    "beginner_5k": (
        "Beginner 5K: runs 3 days, 12 km a week, longest 5 km, no race yet",
        "Higdon Novice 5K",
        RunnerInput(
            experience_level="beginner",
            recent_weekly_km=12,
            longest_recent_run_km=5,
            available_days=("tue", "thu", "sat"),
            long_run_day="sat",
            min_rest_days=2,
        ),
        _request("5k", 12),
    ),
    "beginner_10k": (
        "Beginner 10K: 4 days, 18 km a week, longest 6 km",
        "Higdon Novice 10K",
        RunnerInput(
            experience_level="beginner",
            recent_weekly_km=18,
            longest_recent_run_km=6,
            available_days=("tue", "thu", "sat", "sun"),
            long_run_day="sun",
            min_rest_days=2,
        ),
        _request("10k", 12),
    ),
    "intermediate_half": (
        "Intermediate half, target 1:55: 5 days, 30 km a week, 10K in 50:30",
        "Higdon Intermediate Half Marathon",
        RunnerInput(
            experience_level="intermediate",
            recent_weekly_km=30,
            longest_recent_run_km=12,
            recent_race=RaceResult(10000, 3030),
            available_days=("tue", "wed", "thu", "sat", "sun"),
            long_run_day="sun",
            min_rest_days=2,
            activities=_runs(30, 12, 345, (1, 2, 3, 5, 6)),
        ),
        _request("half", 12, target_time_s=6900),
    ),
    "advanced_marathon": (
        "Advanced marathon, target 3:10: 6 days, 60 km a week, half in 1:35",
        "Pfitzinger 18/55",
        RunnerInput(
            experience_level="advanced",
            recent_weekly_km=60,
            longest_recent_run_km=22,
            recent_race=RaceResult(21097.5, 5700),
            available_days=ALL_DAYS,
            long_run_day="sun",
            min_rest_days=1,
            activities=_runs(60, 22, 320, (0, 1, 2, 3, 4, 6)),
        ),
        _request("marathon", 18, target_time_s=3 * 3600 + 10 * 60),
    ),
    "return_from_injury": (
        "Back from an Achilles injury: no run for 6 weeks, used to run 35 km a week; a half in 16 weeks",
        "Higdon Intermediate Half with Daniels' return-from-break rules",
        RunnerInput(
            experience_level="intermediate",
            recent_weekly_km=35,
            longest_recent_run_km=16,
            recent_race=RaceResult(10000, 2880, TODAY - dt.timedelta(days=90)),
            available_days=("tue", "thu", "sat", "sun"),
            long_run_day="sun",
            min_rest_days=2,
            injury_notes="Achilles tendinopathy, six weeks off",
            activities=tuple(
                a for a in _runs(35, 16, 330, (1, 3, 5, 6)) if a.date < TODAY - dt.timedelta(days=42)
            ),
        ),
        _request("half", 16),
    ),
    "three_day_marathon": (
        "Marathon on 3 run days (Tue, Thu, Sun) with cross-training Mon and Sat; 40 km a week, half in 1:45",
        "FIRST (Run Less, Run Faster) marathon",
        RunnerInput(
            experience_level="intermediate",
            recent_weekly_km=40,
            longest_recent_run_km=18,
            recent_race=RaceResult(21097.5, 6300),
            available_days=("tue", "thu", "sun"),
            long_run_day="sun",
            min_rest_days=2,
            cross_training_days=("mon", "sat"),
            activities=_runs(40, 18, 350, (1, 3, 6)),
        ),
        _request("marathon", 18),
    ),
}


def summary(plan) -> dict:
    """The figures a coach compares with a published plan."""
    from training.generator.workouts import HARD_TYPES

    quality = {}
    for s in plan.sessions:
        if s["session_type"] in HARD_TYPES - {"long", "race"}:
            quality[s["week_number"]] = quality.get(s["week_number"], 0) + 1
    build = [
        w for w in plan.weekly_plan if w["phase_name"] in ("Build", "Peak") and not w["is_recovery_week"]
    ]
    peak_week = max(plan.weekly_plan, key=lambda w: (w["volume_km"] - w["race_km"], w["week_number"]))
    return {
        "weeks": len(plan.weekly_plan),
        "peak_long_run_km": plan.load_parameters["peak_long_run_km"],
        "peak_volume_km": plan.load_parameters["peak_volume"],
        "peak_week": peak_week["week_number"],
        "quality_per_build_week": round(
            sum(quality.get(w["week_number"], 0) for w in build) / max(1, len(build)), 1
        ),
        "taper_weeks": plan.load_parameters["taper_weeks"],
        "race_week_runs": sum(
            1
            for s in plan.sessions
            if s["week_number"] == plan.weekly_plan[-1]["week_number"]
            and s["session_type"] not in ("rest", "race")
        ),
        "goal_time_s": plan.season_view["expected_outcomes"].get("goal_time_s"),
    }


def golden(plan) -> dict:
    """Week by week: volume, long run and each day's session type and distance."""
    days = {}
    for s in plan.sessions:
        if s["session_type"] != "rest":
            days.setdefault(s["week_number"], []).append(
                f"{s['date']:%a} {s['session_type']} {s['target_distance_km'] or ''}".strip()
            )
    return {
        "summary": summary(plan),
        "weeks": [
            {
                "week": w["week_number"],
                "phase": w["phase_name"],
                "volume_km": w["volume_km"],
                "long_run_km": w["long_run_km"],
                "sessions": days.get(w["week_number"], []),
            }
            for w in plan.weekly_plan
        ],
    }


if __name__ == "__main__":  # print the plans as a coach reads them
    import django

    django.setup()
    from training.generator import generate

    for name, (title, published, runner, request) in PERSONAS.items():
        plan = generate(runner, request)
        print(f"== {name}: {title} (vs {published})\n{summary(plan)}")
        for week in golden(plan)["weeks"]:
            print(
                f"  w{week['week']:>2} {week['phase']:<5} {week['volume_km']:>5} km  "
                f"LR {week['long_run_km']:>4}  " + " | ".join(week["sessions"])
            )
