import datetime as dt

import factory

from tests.factories import UserFactory
from training.models import Activity, RunnerProfile


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
