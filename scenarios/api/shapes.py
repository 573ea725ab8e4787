"""The API's answers for scenarios, built from their serializers without DRF's per-call machinery.

Lists serialize dozens of rows per request; building them through DRF's per-field machinery
dominated their latency. Each answer is the serializer in ``scenarios/api/serializers.py`` that
declares it, compiled once into a plain function (``config/api/representation.py``); the list
page's joined rows (``metadata__*``, ``my_progress__*``) are read as the scenario, metadata and
progress they hold.
"""

from datetime import datetime
from types import SimpleNamespace

from config.api.representation import representation

from ..selectors import METADATA_COLUMNS, PROGRESS_COLUMNS, SCENARIO_COLUMNS
from .serializers import (
    NO_METADATA,
    MetadataSerializer,
    MyScenarioSerializer,
    ScenarioDetailSerializer,
    ScenarioStateSerializer,
    ScenarioSummarySerializer,
    SimilarScenarioSerializer,
)

SUMMARY_FIELDS = tuple(ScenarioSummarySerializer.Meta.fields)
METADATA_FIELDS = tuple(MetadataSerializer.Meta.fields)
EMPTY_METADATA = representation(MetadataSerializer)(NO_METADATA)

_PROGRESS_COLUMNS = PROGRESS_COLUMNS[1:]  # without scenario_id


def _row_scenario(row: dict) -> SimpleNamespace:
    """A list row as the scenario it shows, its metadata and the user's progress on it."""
    scenario = SimpleNamespace(**{name: row[name] for name in SCENARIO_COLUMNS})
    scenario.pk = scenario.id
    scenario.is_built_in = scenario.created_by_id is None
    scenario.metadata = SimpleNamespace(**{name: row[f"metadata__{name}"] for name in METADATA_COLUMNS})
    scenario.my_progress = (
        None
        if row.get("my_progress__id") is None
        else SimpleNamespace(**{name: row[f"my_progress__{name}"] for name in _PROGRESS_COLUMNS})
    )
    return scenario


def scenario_data(obj, *, now: datetime, progress_by_scenario=None, serializer=ScenarioSummarySerializer):
    """A scenario as ``serializer`` shows it: a ``Scenario`` (its ``metadata`` fetched with it;
    ``progress_by_scenario`` maps ids to the user's progress) or a row of the list page."""
    if isinstance(obj, dict):
        obj = _row_scenario(obj)
    return representation(serializer)(obj, {"now": now, "progress_by_scenario": progress_by_scenario})


def detail_data(scenario, *, now: datetime, progress=None) -> dict:
    return scenario_data(
        scenario, now=now, progress_by_scenario={scenario.pk: progress}, serializer=ScenarioDetailSerializer
    )


def list_rows_data(rows, *, now: datetime) -> list[dict]:
    """The rows of a list page as ``ScenarioSummarySerializer`` shows them."""
    scenarios = [_row_scenario(row) for row in rows]
    return representation(ScenarioSummarySerializer).many(scenarios, {"now": now})


def similar_data(similar, *, now: datetime, progress_by_scenario) -> list[dict]:
    context = {"now": now, "progress_by_scenario": progress_by_scenario}
    return representation(SimilarScenarioSerializer).many(similar, context)


def scenario_state_data(*, scenario_id: int, metadata, progress, now: datetime) -> dict:
    """What an operation changed: the scenario's metadata and the user's progress."""
    state = SimpleNamespace(scenario_id=scenario_id, metadata=metadata, my_progress=progress)
    return representation(ScenarioStateSerializer)(state, {"now": now})


def my_scenario_data(progress, *, now: datetime) -> dict:
    """One of the user's scenarios: their progress with the scenario's card."""
    return representation(MyScenarioSerializer)(progress, {"now": now})
