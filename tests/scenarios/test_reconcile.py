import logging
from io import StringIO

import pytest
from django.core.management import call_command

from scenarios import services, tasks
from scenarios.models import ScenarioMetadata
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def drifted(user, other_user):
    scenario = ScenarioFactory()
    services.scenario_save(user=user, scenario=scenario)
    services.scenario_save(user=other_user, scenario=scenario)
    services.scenario_rate(user=user, scenario=scenario, rating=4)
    ScenarioMetadata.objects.filter(scenario=scenario).update(saved_count=7, ratings_sum=5)
    return scenario


def test_command_corrects_drift_and_logs_it_as_a_warning(drifted, caplog):
    out = StringIO()
    with caplog.at_level(logging.WARNING, logger="scenarios.reconcile"):
        call_command("reconcile_scenario_metadata", stdout=out)
    assert "corrected 1 row(s)" in out.getvalue()
    metadata = ScenarioMetadata.objects.get(scenario=drifted)
    assert (metadata.saved_count, metadata.ratings_sum, metadata.average_rating) == (2, 4, 4.0)
    assert any("saved_count 7 -> 2" in record.getMessage() for record in caplog.records)


def test_dry_run_reports_drift_without_correcting_it(drifted):
    out = StringIO()
    call_command("reconcile_scenario_metadata", "--dry-run", stdout=out)
    assert "would correct 1 row(s)" in out.getvalue()
    assert ScenarioMetadata.objects.get(scenario=drifted).saved_count == 7


def test_clean_metadata_reports_zero_corrections(user):
    services.scenario_save(user=user, scenario=ScenarioFactory())
    out = StringIO()
    call_command("reconcile_scenario_metadata", stdout=out)
    assert "corrected 0 row(s)" in out.getvalue()


def test_a_missing_metadata_row_is_created_with_the_recount(user):
    scenario = ScenarioFactory(with_metadata=False)
    services.scenario_save(user=user, scenario=scenario)  # creates the row on first write
    ScenarioMetadata.objects.filter(scenario=scenario).delete()
    out = StringIO()
    call_command("reconcile_scenario_metadata", stdout=out)
    assert "created 1 missing row(s)" in out.getvalue()
    assert ScenarioMetadata.objects.get(scenario=scenario).saved_count == 1


def test_recount_recomputes_bayesian_scores_after_the_prior_changes(settings, user):
    scenario = ScenarioFactory()
    services.scenario_rate(user=user, scenario=scenario, rating=5)
    settings.SCENARIO_RATING_PRIOR_MEAN = 1.0
    settings.SCENARIO_RATING_PRIOR_WEIGHT = 1.0
    call_command("reconcile_scenario_metadata", stdout=StringIO())
    assert ScenarioMetadata.objects.get(scenario=scenario).bayesian_score == pytest.approx(3.0)


def test_hourly_task_recounts_only_recently_active_scenarios(drifted):
    from datetime import timedelta

    from django.utils import timezone

    stale = ScenarioFactory()
    services.scenario_save(user=UserFactory(), scenario=stale)
    ScenarioMetadata.objects.filter(scenario=stale).update(
        saved_count=9, updated_at=timezone.now() - timedelta(days=2)
    )
    assert tasks.reconcile_recent_metadata() == 1
    assert ScenarioMetadata.objects.get(scenario=drifted).saved_count == 2
    assert ScenarioMetadata.objects.get(scenario=stale).saved_count == 9
    assert tasks.reconcile_all_metadata() == 1
    assert ScenarioMetadata.objects.get(scenario=stale).saved_count == 1


def test_rebuilding_trending_after_a_half_life_change_restores_the_ranking(settings):
    from datetime import timedelta

    from django.utils import timezone

    from scenarios.scoring import trending_exponent

    settings.SCENARIO_TRENDING_HALF_LIFE_HOURS = 1
    recent, older = ScenarioFactory.create_batch(2)
    now = timezone.now()
    services.scenario_attempt(user=UserFactory(), scenario=older, at=now - timedelta(days=20))
    settings.SCENARIO_TRENDING_HALF_LIFE_HOURS = 72  # old scores are now in the wrong units
    services.scenario_attempt(user=UserFactory(), scenario=recent, at=now - timedelta(days=2))

    def scores():
        return dict(ScenarioMetadata.objects.values_list("scenario_id", "trending_score"))

    assert scores()[older.pk] > scores()[recent.pk]
    out = StringIO()
    call_command("reconcile_scenario_metadata", "--rebuild-trending", stdout=out)
    assert "Rebuilt 2 trending score(s)" in out.getvalue()
    assert scores()[recent.pk] > scores()[older.pk]
    assert scores()[recent.pk] == pytest.approx(trending_exponent(now - timedelta(days=2)))


@pytest.mark.django_db(transaction=True)
def test_the_trending_rebuild_is_one_transaction_that_locks_the_metadata_first(monkeypatch):
    from django.db import DatabaseError

    from scenarios.reconcile import rebuild_trending

    scenario = ScenarioFactory()
    services.scenario_attempt(user=UserFactory(), scenario=scenario)
    before = ScenarioMetadata.objects.get(pk=scenario.pk).trending_score
    # Its row locks need a transaction: the bare rebuild refuses to run without one.
    with pytest.raises(DatabaseError):
        rebuild_trending()

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ScenarioMetadata.objects, "bulk_update", fail)
    ScenarioMetadata.objects.filter(pk=scenario.pk).update(trending_score=before + 5)
    with pytest.raises(DatabaseError):
        services.scenario_trending_rebuild()
    assert ScenarioMetadata.objects.get(pk=scenario.pk).trending_score == before + 5
    monkeypatch.undo()
    assert services.scenario_trending_rebuild() == 1
    assert ScenarioMetadata.objects.get(pk=scenario.pk).trending_score == pytest.approx(before)
