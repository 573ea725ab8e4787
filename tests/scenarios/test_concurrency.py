"""Real threads on PostgreSQL: racing requests never count twice or lose a count."""

import random
import threading

import pytest

from scenarios import services
from scenarios.models import ScenarioMetadata, UserScenarioProgress
from scenarios.reconcile import COUNTERS, recount
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory
from tests.utils.threads import run_threads

THREADS = 32


@pytest.mark.django_db(transaction=True)
def test_32_threads_toggling_one_scenario_end_with_exact_counts():
    scenario = ScenarioFactory()
    users = UserFactory.create_batch(THREADS)
    last_action = {}

    def toggle(index):
        rng = random.Random(index)
        user = users[index]
        for _ in range(8):
            action = rng.choice(["save", "unsave"])
            if action == "save":
                services.scenario_save(user=user, scenario=scenario)
            else:
                services.scenario_unsave(user=user, scenario=scenario)
            last_action[index] = action
            stars = rng.randint(1, 5)
            services.scenario_rate(user=user, scenario=scenario, rating=stars)
        services.scenario_attempt(user=user, scenario=scenario)

    run_threads(toggle, THREADS)
    metadata = ScenarioMetadata.objects.get(scenario=scenario)
    assert metadata.saved_count == sum(1 for action in last_action.values() if action == "save")
    assert metadata.ratings_count == THREADS
    assert metadata.attempts == THREADS
    fresh = recount([scenario.pk])[scenario.pk]
    assert {key: getattr(metadata, key) for key in COUNTERS} == fresh


@pytest.mark.django_db(transaction=True)
def test_the_same_user_saving_from_32_threads_at_once_counts_once():
    scenario = ScenarioFactory()
    user = UserFactory()

    run_threads(lambda index: services.scenario_save(user=user, scenario=scenario), THREADS)
    assert ScenarioMetadata.objects.get(scenario=scenario).saved_count == 1
    assert UserScenarioProgress.objects.filter(user=user, scenario=scenario).count() == 1


@pytest.mark.django_db(transaction=True)
def test_recounting_while_users_save_and_rate_never_introduces_drift():
    scenario = ScenarioFactory()
    users = UserFactory.create_batch(12)
    stop = threading.Event()

    def work(index):
        if index == len(users):  # one recounter alongside the users
            while not stop.is_set():
                services.scenario_metadata_reconcile(scenario_ids=[scenario.pk])
            return
        rng = random.Random(index)
        for _ in range(10):
            if rng.random() < 0.5:
                services.scenario_save(user=users[index], scenario=scenario)
            else:
                services.scenario_unsave(user=users[index], scenario=scenario)
            services.scenario_rate(user=users[index], scenario=scenario, rating=rng.randint(1, 5))

    def run(index):
        try:
            work(index)
        finally:
            if index != len(users):
                done.append(index)
                if len(done) == len(users):
                    stop.set()

    done = []
    run_threads(run, len(users) + 1)
    metadata = ScenarioMetadata.objects.get(scenario=scenario)
    fresh = recount([scenario.pk])[scenario.pk]
    assert {key: getattr(metadata, key) for key in COUNTERS} == fresh
