"""The cached list count: one cache round trip, and never stale after a write."""

from unittest import mock

import pytest
from django.core.cache import cache

from scenarios import selectors
from scenarios.models import Visibility
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_process_guess():
    selectors._last_count_version[0] = None
    yield
    selectors._last_count_version[0] = None


def test_a_warm_count_takes_one_cache_round_trip_and_no_query(user, django_assert_num_queries):
    ScenarioFactory.create_batch(2)
    assert selectors.scenario_list_count(user=user) == 2
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
        with django_assert_num_queries(0):
            assert selectors.scenario_list_count(user=user) == 2
    assert get_many.call_count == 1


def test_a_write_is_counted_at_once_though_this_process_saw_the_old_version(user, other_user):
    ScenarioFactory.create_batch(2)
    assert selectors.scenario_list_count(user=user) == 2
    assert selectors.scenario_list_count(user=user, role="friend") == 0
    ScenarioFactory(role="friend")
    ScenarioFactory(created_by=user, visibility=Visibility.PRIVATE)
    selectors.scenario_list_count_invalidate()  # what every scenario write does on commit
    assert selectors.scenario_list_count(user=user) == 4
    assert selectors.scenario_list_count(user=user, role="friend") == 1
    assert selectors.scenario_list_count(user=other_user) == 3


def test_the_count_recovers_when_the_cache_lost_its_version(user):
    ScenarioFactory.create_batch(2)
    assert selectors.scenario_list_count(user=user) == 2
    cache.clear()
    ScenarioFactory()
    assert selectors.scenario_list_count(user=user) == 3
