import datetime as dt

import pytest

from training import services

from .factories import RunnerProfileFactory


@pytest.fixture(autouse=True)
def _fresh_plan_cache():
    from training.selectors import clear_local_plans

    clear_local_plans()
    yield


@pytest.fixture
def runner(user):
    RunnerProfileFactory(user=user)
    return user


@pytest.fixture
def plan(runner):
    return services.plan_generate(user=runner, goal_type="half", duration_weeks=12)


@pytest.fixture
def active_plan(runner, plan):
    return services.plan_activate(user=runner, plan=plan)


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)
