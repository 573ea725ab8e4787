import datetime as dt

import factory

from tests.factories import UserFactory
from training.models import (
    Activity,
    PlannedSession,
    PlanStatus,
    RunnerProfile,
    SessionType,
    TrainingPlan,
)


class RunnerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RunnerProfile

    user = factory.SubFactory(UserFactory)
    experience_level = "intermediate"
    recent_weekly_km = 30.0
    longest_recent_run_km = 12.0
    recent_race_distance_m = 10000
    recent_race_time_s = 2700
    available_days = ["mon", "tue", "thu", "sat", "sun"]
    long_run_day = "sun"
    min_rest_days = 2
    time_zone = "Europe/Berlin"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    user = factory.SubFactory(UserFactory)
    kind = "run"
    started_at = factory.LazyFunction(lambda: dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC))
    duration_s = 3000
    distance_m = 8000
    source = "manual"
    time_zone = "Europe/Berlin"


EASY = {"min": 330, "max": 370}
INTERVAL = {"min": 265, "max": 272}
RECOVERY = {"min": 380, "max": 420}
# 2 km warm-up, 5 × (1000 m at interval pace, 400 m recovery), 1.5 km cool-down: 10.5 km.
INTERVAL_STEPS = [
    {"kind": "warmup", "distance_m": 2000, "intensity": "easy", "pace_s_per_km": EASY},
    {
        "kind": "repeat",
        "repeat": 5,
        "steps": [
            {"kind": "run", "distance_m": 1000, "intensity": "interval", "pace_s_per_km": INTERVAL},
            {"kind": "recovery", "distance_m": 400, "intensity": "easy", "pace_s_per_km": RECOVERY},
        ],
    },
    {"kind": "cooldown", "distance_m": 1500, "intensity": "easy", "pace_s_per_km": EASY},
]


def easy_steps(km: float, pace=EASY) -> list[dict]:
    return [{"kind": "run", "distance_m": round(km * 1000), "intensity": "easy", "pace_s_per_km": pace}]


def monday(weeks_from_now: int = 0) -> dt.date:
    today = dt.date.today()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks_from_now)


def week_entry(number: int, start: dt.date, volume_km: float = 30.0) -> dict:
    """One week of ``TrainingPlan.weekly_plan`` with every required key."""
    return {
        "week_number": number,
        "week_start_date": start.isoformat(),
        "week_end_date": (start + dt.timedelta(days=6)).isoformat(),
        "phase_name": "Base",
        "phase_week_number": number,
        "volume_km": volume_km,
        "intensity_score": 40,
        "is_recovery_week": False,
        "long_run_km": 12.0,
        "key_sessions": 2,
        "easy_runs": 2,
        "rest_days": 3,
        "week_focus": "Aerobic base",
        "week_justification": f"Week {number}: steady.",
    }


class TrainingPlanFactory(factory.django.DjangoModelFactory):
    """A plan written directly (not generated): ``weeks`` weeks from ``start_date``, no sessions."""

    class Meta:
        model = TrainingPlan
        exclude = ["weeks"]

    user = factory.SubFactory(UserFactory)
    name = "10K - 4 Week Plan"
    goal_type = "10k"
    weeks = 4
    start_date = factory.LazyFunction(lambda: monday(-1))
    end_date = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(weeks=o.weeks, days=-1))
    duration_weeks = factory.SelfAttribute("weeks")
    status = PlanStatus.ACTIVE
    time_zone = "Europe/Berlin"
    weekly_plan = factory.LazyAttribute(
        lambda o: [week_entry(n, o.start_date + dt.timedelta(weeks=n - 1)) for n in range(1, o.weeks + 1)]
    )


class PlannedSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlannedSession

    plan = factory.SubFactory(TrainingPlanFactory)
    user = factory.SelfAttribute("plan.user")
    date = factory.LazyAttribute(lambda o: o.plan.start_date)
    week_number = factory.LazyAttribute(lambda o: (o.date - o.plan.start_date).days // 7 + 1)
    session_type = "easy"
    title = factory.LazyAttribute(lambda o: SessionType(o.session_type).label)
    description = "As planned."
    purpose = "Aerobic base at a conversational effort."
    target_distance_km = 8.0
    target_duration_s = 2800
    target_pace_s_per_km = 350
    steps = factory.LazyAttribute(lambda o: easy_steps(o.target_distance_km) if o.target_distance_km else [])
    time_zone = factory.SelfAttribute("plan.time_zone")


def rest_session(plan, date, **kwargs):
    return PlannedSessionFactory(
        plan=plan,
        date=date,
        session_type="rest",
        title="Rest day",
        purpose="Recovery is where the training sets in.",
        target_distance_km=None,
        target_duration_s=None,
        target_pace_s_per_km=None,
        **kwargs,
    )


def week_of_sessions(plan, week: int = 1, layout: dict[int, str] | None = None) -> dict[int, PlannedSession]:
    """One session per day of ``week`` (weekday index → type; other days rest), as the generator
    writes them. Returns them by weekday."""
    layout = layout or {0: "easy", 1: "intervals", 3: "tempo", 4: "easy", 6: "long"}
    start = plan.start_date + dt.timedelta(weeks=week - 1)
    sessions = {}
    for day in range(7):
        date = start + dt.timedelta(days=day)
        kind = layout.get(day)
        if kind is None:
            sessions[day] = rest_session(plan, date)
        elif kind == "intervals":
            sessions[day] = PlannedSessionFactory(
                plan=plan,
                date=date,
                session_type=kind,
                is_key_session=True,
                target_distance_km=10.5,
                target_duration_s=3300,
                target_pace_s_per_km=268,
                steps=INTERVAL_STEPS,
            )
        else:
            hard = kind in ("tempo", "long", "race", "goal_pace", "hills", "repetition")
            km = {"long": 16.0, "tempo": 9.0}.get(kind, 8.0)
            sessions[day] = PlannedSessionFactory(
                plan=plan, date=date, session_type=kind, is_key_session=hard, target_distance_km=km
            )
    return sessions
