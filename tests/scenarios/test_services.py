from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from scenarios import services
from scenarios.models import ScenarioMetadata, UserScenarioProgress
from scenarios.reconcile import recount
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def meta(scenario):
    return ScenarioMetadata.objects.get(scenario=scenario)


def test_saving_twice_counts_once_and_unsaving_twice_once(user, scenario):
    services.scenario_save(user=user, scenario=scenario)
    progress = services.scenario_save(user=user, scenario=scenario)
    assert progress.is_saved and progress.saved_at is not None
    assert meta(scenario).saved_count == 1
    services.scenario_unsave(user=user, scenario=scenario)
    progress = services.scenario_unsave(user=user, scenario=scenario)
    assert not progress.is_saved and progress.saved_at is None
    assert meta(scenario).saved_count == 0


def test_unsaving_or_unrating_a_never_touched_scenario_stores_nothing(user, scenario):
    assert services.scenario_unsave(user=user, scenario=scenario).is_saved is False
    assert services.scenario_unrate(user=user, scenario=scenario).rating is None
    assert meta(scenario).saved_count == 0
    assert not UserScenarioProgress.objects.exists()


def test_changing_a_rating_moves_the_sum_by_the_difference(user, other_user, scenario):
    services.scenario_rate(user=user, scenario=scenario, rating=2)
    services.scenario_rate(user=other_user, scenario=scenario, rating=4)
    services.scenario_rate(user=user, scenario=scenario, rating=5)
    services.scenario_rate(user=user, scenario=scenario, rating=5)
    m = meta(scenario)
    assert (m.ratings_sum, m.ratings_count, m.average_rating) == (9, 2, 4.5)


def test_removing_a_rating_takes_it_out_of_sum_and_count(user, scenario):
    services.scenario_rate(user=user, scenario=scenario, rating=3)
    services.scenario_unrate(user=user, scenario=scenario)
    services.scenario_unrate(user=user, scenario=scenario)
    m = meta(scenario)
    assert (m.ratings_sum, m.ratings_count, m.average_rating, m.bayesian_score) == (0, 0, None, 0.0)


@pytest.mark.parametrize("rating", [0, 6, -1, "4", 3.5, True, None])
def test_ratings_outside_one_to_five_are_refused(user, scenario, rating):
    with pytest.raises(ValidationError):
        services.scenario_rate(user=user, scenario=scenario, rating=rating)
    assert meta(scenario).ratings_count == 0


def test_one_five_star_rating_ranks_below_fifty_averaging_four_point_six(settings, scenario):
    from tests.scenarios.factories import ScenarioFactory

    settings.SCENARIO_RATING_PRIOR_MEAN = 3.5
    settings.SCENARIO_RATING_PRIOR_WEIGHT = 10
    popular = ScenarioFactory()
    services.scenario_rate(user=UserFactory(), scenario=scenario, rating=5)
    for index in range(50):
        services.scenario_rate(user=UserFactory(), scenario=popular, rating=5 if index < 30 else 4)
    assert meta(popular).average_rating == pytest.approx(4.6)
    assert meta(popular).bayesian_score > meta(scenario).bayesian_score
    assert meta(scenario).bayesian_score == pytest.approx((35 + 5) / 11)


def test_a_completion_closes_the_open_attempt(user, scenario):
    t0 = timezone.now()
    services.scenario_attempt(user=user, scenario=scenario, at=t0)
    progress = services.scenario_complete(
        user=user, scenario=scenario, time_spent_s=120, at=t0 + timedelta(minutes=3)
    )
    assert (progress.times_attempted, progress.times_completed, progress.total_time_spent_s) == (1, 1, 120)
    m = meta(scenario)
    assert (m.attempts, m.times_used, m.completion_rate, m.average_time_spent_s) == (1, 1, 1.0, 120.0)


def test_a_completion_without_an_open_attempt_counts_as_an_attempt_too(user, scenario):
    progress = services.scenario_complete(user=user, scenario=scenario, time_spent_s=60)
    assert (progress.times_attempted, progress.times_completed) == (1, 1)
    assert (meta(scenario).attempts, meta(scenario).times_used) == (1, 1)


def test_a_real_second_attempt_and_completion_seconds_apart_both_count(user, scenario):
    t0 = timezone.now()
    services.scenario_attempt(user=user, scenario=scenario, at=t0)
    services.scenario_attempt(user=user, scenario=scenario, at=t0 + timedelta(seconds=1))
    services.scenario_complete(user=user, scenario=scenario, time_spent_s=60, at=t0 + timedelta(minutes=1))
    services.scenario_complete(
        user=user, scenario=scenario, time_spent_s=60, at=t0 + timedelta(minutes=1, seconds=2)
    )
    m = meta(scenario)
    assert (m.attempts, m.times_used, m.time_spent_total_s) == (2, 2, 120)


def test_a_later_attempt_counts_again(user, scenario):
    t0 = timezone.now()
    services.scenario_attempt(user=user, scenario=scenario, at=t0)
    services.scenario_attempt(user=user, scenario=scenario, at=t0 + timedelta(hours=1))
    assert meta(scenario).attempts == 2
    assert meta(scenario).completion_rate == 0.0


@pytest.mark.parametrize("seconds", [-1, 24 * 3600 + 1, "60", None, 1.5])
def test_bad_time_spent_is_refused(user, scenario, seconds):
    with pytest.raises(ValidationError):
        services.scenario_complete(user=user, scenario=scenario, time_spent_s=seconds)
    assert meta(scenario).times_used == 0


def test_attempts_feed_the_trending_score_and_newer_usage_ranks_higher(user, scenario):
    from tests.scenarios.factories import ScenarioFactory

    older = ScenarioFactory()
    now = timezone.now()
    for index, u in enumerate(UserFactory.create_batch(3)):
        services.scenario_attempt(user=u, scenario=older, at=now - timedelta(days=30, minutes=index))
    services.scenario_attempt(user=user, scenario=scenario, at=now)
    assert meta(scenario).trending_score > meta(older).trending_score


def test_notes_are_kept_on_progress_and_do_not_touch_metadata(user, scenario):
    before = ScenarioMetadata.objects.filter(scenario=scenario).values().get()
    progress = services.scenario_notes_update(user=user, scenario=scenario, notes="Practise the past tense.")
    assert progress.notes == "Practise the past tense."
    assert ScenarioMetadata.objects.filter(scenario=scenario).values().get() == before


def test_metadata_counters_cannot_go_negative(scenario):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScenarioMetadata.objects.filter(scenario=scenario).update(saved_count=-1)


def test_metadata_after_a_mix_of_operations_equals_a_fresh_recount(scenario):
    users = UserFactory.create_batch(4)
    services.scenario_save(user=users[0], scenario=scenario)
    services.scenario_save(user=users[1], scenario=scenario)
    services.scenario_unsave(user=users[0], scenario=scenario)
    services.scenario_rate(user=users[2], scenario=scenario, rating=4)
    services.scenario_complete(user=users[3], scenario=scenario, time_spent_s=30)
    m = meta(scenario)
    fresh = recount([scenario.pk])[scenario.pk]
    assert {key: getattr(m, key) for key in fresh} == fresh
    assert UserScenarioProgress.objects.filter(scenario=scenario).count() == 4
