"""Random sequences of operations by a few users on a few scenarios: after every step the
metadata equals a fresh recount from progress, and each user's progress matches a model."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from scenarios import services
from scenarios.models import ScenarioMetadata, UserScenarioProgress
from scenarios.reconcile import COUNTERS, recount
from scenarios.scoring import bayesian_score
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

USERS = 3
SCENARIOS = 2


class CounterMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.users = UserFactory.create_batch(USERS)
        self.scenarios = ScenarioFactory.create_batch(SCENARIOS)
        self.clock = timezone.now()
        self.saved = {}
        self.ratings = {}

    def tick(self, seconds):
        self.clock += timedelta(seconds=seconds)
        return self.clock

    user_index = st.integers(0, USERS - 1)
    scenario_index = st.integers(0, SCENARIOS - 1)
    gap = st.sampled_from([1, 5, 120, 3600])

    @rule(u=user_index, s=scenario_index)
    def save(self, u, s):
        services.scenario_save(user=self.users[u], scenario=self.scenarios[s], at=self.tick(1))
        self.saved[(u, s)] = True

    @rule(u=user_index, s=scenario_index)
    def unsave(self, u, s):
        services.scenario_unsave(user=self.users[u], scenario=self.scenarios[s])
        self.saved[(u, s)] = False

    @rule(u=user_index, s=scenario_index, stars=st.integers(1, 5))
    def rate_or_rerate(self, u, s, stars):
        services.scenario_rate(user=self.users[u], scenario=self.scenarios[s], rating=stars)
        self.ratings[(u, s)] = stars

    @rule(u=user_index, s=scenario_index)
    def unrate(self, u, s):
        services.scenario_unrate(user=self.users[u], scenario=self.scenarios[s])
        self.ratings.pop((u, s), None)

    @rule(u=user_index, s=scenario_index, gap=gap)
    def attempt(self, u, s, gap):
        services.scenario_attempt(user=self.users[u], scenario=self.scenarios[s], at=self.tick(gap))

    @rule(u=user_index, s=scenario_index, gap=gap, seconds=st.integers(0, 3600))
    def complete(self, u, s, gap, seconds):
        services.scenario_complete(
            user=self.users[u], scenario=self.scenarios[s], time_spent_s=seconds, at=self.tick(gap)
        )

    @invariant()
    def metadata_equals_a_fresh_recount(self):
        if not hasattr(self, "scenarios"):
            return
        ids = [scenario.pk for scenario in self.scenarios]
        fresh = recount(ids)
        for row in ScenarioMetadata.objects.filter(scenario_id__in=ids):
            assert {key: getattr(row, key) for key in COUNTERS} == fresh[row.pk]
            expected = bayesian_score(row.ratings_sum, row.ratings_count)
            assert row.bayesian_score == pytest.approx(expected)

    @invariant()
    def saves_and_ratings_follow_the_last_action(self):
        if not hasattr(self, "scenarios"):
            return
        for progress in UserScenarioProgress.objects.filter(scenario__in=self.scenarios):
            u = self.users.index(next(x for x in self.users if x.pk == progress.user_id))
            s = next(i for i, x in enumerate(self.scenarios) if x.pk == progress.scenario_id)
            assert progress.is_saved == self.saved.get((u, s), False)
            assert progress.rating == self.ratings.get((u, s))
            assert progress.times_completed <= progress.times_attempted


CounterMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_counters_equal_a_fresh_recount_after_any_sequence_of_operations():
    # One transaction for the whole run: each example's rows are new users and scenarios.
    CounterMachine.TestCase("runTest").runTest()
