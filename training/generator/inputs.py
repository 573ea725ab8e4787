"""What the generator reads: plain, frozen values (no models), so the same input gives the same plan."""

import datetime as dt
from dataclasses import dataclass, field

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
GOAL_DISTANCE_M = {"5k": 5000.0, "10k": 10000.0, "half": 21097.5, "marathon": 42195.0}
GOAL_LABEL = {"5k": "5K", "10k": "10K", "half": "Half Marathon", "marathon": "Marathon", "fitness": "Fitness"}
# Faster than these is no human race (a little under the world records); slower is a walk.
FASTEST_S = {"5k": 740, "10k": 1540, "half": 3360, "marathon": 7150}
SLOWEST_S = {"5k": 2 * 3600, "10k": 3 * 3600, "half": 5 * 3600, "marathon": 8 * 3600}
MIN_WEEKS, MAX_WEEKS = 4, 30
MIN_RUN_DAYS = 3


@dataclass(frozen=True)
class RaceResult:
    distance_m: float
    time_s: int
    date: dt.date | None = None


@dataclass(frozen=True)
class ActivityPoint:
    """One run or ruck: its local date, distance, duration and what the runner felt."""

    date: dt.date
    distance_km: float
    duration_s: int
    perceived_effort: int | None = None
    avg_heart_rate: int | None = None
    kind: str = "run"


@dataclass(frozen=True)
class RunnerInput:
    experience_level: str = "beginner"
    recent_weekly_km: float = 0.0
    longest_recent_run_km: float = 0.0
    recent_race: RaceResult | None = None
    available_days: tuple[str, ...] = ("tue", "thu", "sat", "sun")
    long_run_day: str = "sun"
    min_rest_days: int = 1
    injury_notes: str = ""
    cross_training_days: tuple[str, ...] = ()
    activities: tuple[ActivityPoint, ...] = ()


@dataclass(frozen=True)
class PlanRequest:
    goal_type: str
    start_date: dt.date  # a Monday
    weeks: int
    today: dt.date
    captured_at: dt.datetime
    target_date: dt.date | None = None
    target_time_s: int | None = None
    target_event: str = ""
    start_time_local: dt.time | None = None
    race_start_time: dt.time | None = None  # local; 09:00 when None
    accept_risk: bool = False  # build a plan the feasibility gate refuses, with the gap as a risk
    run_walk: bool = False  # every run as run/walk (Galloway)
    realign: bool = False  # re-planning: the runner's measured load replaces the profile's
    # Re-planning: the volume each later week was planned at before (never raised), and the dates of
    # hard sessions already run or planned before the new start (no hard day next to them).
    planned_volumes: tuple[tuple[int, float], ...] = ()
    history_hard_dates: tuple[dt.date, ...] = ()
    completed_dates: tuple[dt.date, ...] = ()  # days of the first week already done (not rescheduled)
    # Re-planning: weeks already behind the new start (numbering, load history, long runs).
    week_offset: int = 0
    history_volumes: tuple[float, ...] = ()
    history_long_runs: tuple[tuple[dt.date, float], ...] = ()
    health_note: str = ""  # "illness" | "injury" | "" when re-planning after a setback
    reference_weekly_km: float | None = None  # measured volume that replaces the profile's when re-planning
    extra_decisions: tuple[dict, ...] = field(default=())
