"""The plain-dict answers of scenarios/api/shapes.py (compiled from the serializers) agree with
the serializers themselves, field for field."""

import pytest
from django.utils import timezone

from scenarios import selectors, services
from scenarios.api import shapes
from scenarios.api.serializers import (
    MyScenarioSerializer,
    ScenarioDetailSerializer,
    ScenarioStateSerializer,
    ScenarioSummarySerializer,
)
from scenarios.models import Scenario, ScenarioMetadata
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def used(user):
    scenario = ScenarioFactory()
    services.scenario_save(user=user, scenario=scenario)
    services.scenario_rate(user=user, scenario=scenario, rating=4)
    services.scenario_attempt(user=user, scenario=scenario, variant_id="b")
    services.scenario_complete(user=user, scenario=scenario, time_spent_s=75)
    services.scenario_notes_update(user=user, scenario=scenario, notes="Practise the greeting.")
    return Scenario.objects.select_related("metadata").get(pk=scenario.pk)


def test_the_detail_shape_is_what_the_detail_serializer_documents(user, used):
    now = timezone.now()
    progress = selectors.progress_get(user=user, scenario=used)
    context = {"now": now, "progress_by_scenario": {used.pk: progress}}
    expected = ScenarioDetailSerializer(used, context=context).data
    shaped = shapes.scenario_data(
        used, now=now, progress_by_scenario={used.pk: progress}, serializer=ScenarioDetailSerializer
    )
    assert shaped == expected
    assert list(shaped) == list(ScenarioDetailSerializer.Meta.fields)


def test_a_list_row_is_shaped_like_the_instance(user, used):
    now = timezone.now()
    row = next(r for r in selectors.scenario_list_page(user=user, offset=0, limit=20) if r["id"] == used.pk)
    progress = selectors.progress_get(user=user, scenario=used)
    expected = ScenarioSummarySerializer(
        used, context={"now": now, "progress_by_scenario": {used.pk: progress}}
    ).data
    assert shapes.scenario_data(row, now=now) == expected


def test_a_scenario_nobody_touched_has_empty_metadata_and_no_progress(user):
    scenario = ScenarioFactory(with_metadata=False)
    ScenarioMetadata.objects.filter(scenario=scenario).delete()
    scenario = Scenario.objects.get(pk=scenario.pk)
    now = timezone.now()
    shaped = shapes.scenario_data(scenario, now=now)
    assert shaped["metadata"] == shapes.EMPTY_METADATA and shaped["my_progress"] is None
    assert shaped == ScenarioSummarySerializer(scenario, context={"now": now}).data


def test_the_state_and_my_scenario_shapes_match_their_serializers(user, used):
    now = timezone.now()
    progress = selectors.progress_get(user=user, scenario=used)
    metadata = ScenarioMetadata.objects.get(scenario=used)
    state = {"scenario_id": used.pk, "metadata": metadata, "my_progress": progress}
    assert (
        shapes.scenario_state_data(scenario_id=used.pk, metadata=metadata, progress=progress, now=now)
        == ScenarioStateSerializer(state, context={"now": now}).data
    )
    mine = selectors.my_scenarios(user=user).get(scenario=used)
    assert shapes.my_scenario_data(mine, now=now) == MyScenarioSerializer(mine, context={"now": now}).data


def test_another_users_progress_never_appears_in_a_shape(used):
    stranger = UserFactory()
    now = timezone.now()
    row = next(
        r for r in selectors.scenario_list_page(user=stranger, offset=0, limit=20) if r["id"] == used.pk
    )
    assert shapes.scenario_data(row, now=now)["my_progress"] is None


def test_a_list_row_built_in_one_pass_is_the_general_shape(user, used):
    """``list_rows_data`` (what the list answers) against ``scenario_data``, for rows with and
    without progress, ratings and usage, in UTC and in another current time zone."""
    ScenarioFactory(with_metadata=True)
    now = timezone.now()
    rows = selectors.scenario_list_page(user=user, offset=0, limit=20)
    rows += selectors.scenario_list_page(user=UserFactory(), offset=0, limit=20)
    assert {row["my_progress__id"] is None for row in rows} == {True, False}
    assert {row["metadata__ratings_count"] for row in rows} == {0, 1}
    for zone in ("UTC", "Europe/Berlin"):
        with timezone.override(zone):
            for row, shaped in zip(rows, shapes.list_rows_data(rows, now=now), strict=True):
                assert shaped == shapes.scenario_data(row, now=now)
                assert list(shaped) == list(shapes.SUMMARY_FIELDS)
                assert list(shaped["metadata"]) == list(shapes.METADATA_FIELDS)
