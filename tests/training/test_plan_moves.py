"""After any sequence of moves a runner makes, every run of a generated plan stays bounded: none
longer than its week's long run, none over 110 % of the month's longest, the steps still add up and
each day holds one session. Moves may put hard days side by side (they warn), so that rule and the
long-run day are the runner's choice here, not the plan's."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import Invalid
from training import generator, services
from training.generator.safeguards import verify
from training.models import PlannedSession
from training.services.plans import runner_input_for

from .factories import RunnerProfileFactory

pytestmark = pytest.mark.django_db

# What a move may change on purpose (the runner chose the day): anything else is a broken bound.
CHOSEN_BY_THE_RUNNER = ("next to another hard day", "not on the long run day", "on an unavailable day")


class _Plan:
    def __init__(self, plan):
        self.weekly_plan = plan.weekly_plan
        self.season_view = plan.season_view


def _as_specs(plan):
    return [
        {
            "date": s.date,
            "week_number": s.week_number,
            "session_type": s.session_type,
            "target_distance_km": s.target_distance_km,
            "target_duration_s": s.target_duration_s,
            "steps": s.steps,
        }
        for s in PlannedSession.objects.filter(plan=plan).order_by("date", "id")
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    goal=st.sampled_from(["10k", "half", "marathon"]),
    moves=st.lists(st.tuples(st.integers(0, 20), st.integers(-3, 3)), min_size=1, max_size=10),
)
def test_moves_keep_every_run_bounded(user, goal, moves):
    with transaction.atomic():
        RunnerProfileFactory(user=user, time_zone="UTC", longest_recent_run_km=14, recent_weekly_km=35)
        today = dt.date.today()
        plan = services.plan_generate(user=user, goal_type=goal, duration_weeks=20, accept_risk=True)
        runner = runner_input_for(user=user, today=today)
        request = generator.PlanRequest(
            goal_type=goal,
            start_date=plan.start_date,
            weeks=plan.duration_weeks,
            today=today,
            captured_at=plan.generated_at,
            accept_risk=True,
        )
        sessions = list(
            PlannedSession.objects.filter(plan=plan).exclude(session_type="rest").order_by("date")
        )
        for index, shift in moves:
            session = PlannedSession.objects.get(pk=sessions[index % len(sessions)].pk)
            try:
                services.session_move(
                    user=user, session=session, date=session.date + dt.timedelta(days=shift)
                )
            except Invalid:
                continue
        specs = _as_specs(plan)
        per_day: dict[dt.date, int] = {}
        for spec in specs:
            per_day[spec["date"]] = per_day.get(spec["date"], 0) + 1
        assert set(per_day.values()) == {1}
        problems = [
            p
            for p in verify(_Plan(plan), runner=runner, request=request, sessions=specs)
            if not any(reason in p for reason in CHOSEN_BY_THE_RUNNER)
        ]
        assert problems == []
        transaction.set_rollback(True)
