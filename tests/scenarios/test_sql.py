"""Raw SQL of scenarios: save and unsave store and answer the rows they leave, and every column a
statement names is a column of the models."""

import pytest
from django.db import connection, models
from django.db.models import NOT_PROVIDED
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scenarios import selectors, services, sql
from scenarios.models import (
    SCENARIO_FILTER_FIELDS,
    Scenario,
    ScenarioMetadata,
    UserScenarioProgress,
    Visibility,
)
from scenarios.reconcile import COUNTERS, recount
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db

PROGRESS_STATE = (
    "is_saved",
    "saved_at",
    "times_attempted",
    "times_completed",
    "rating",
    "notes",
    "variant_id",
)


def _columns(model) -> set[str]:
    return {field.column for field in model._meta.concrete_fields}


def _required(model) -> set[str]:
    """Columns an INSERT must name: NOT NULL, no database default, not generated, not a serial."""
    return {
        field.column
        for field in model._meta.concrete_fields
        if not field.null
        and not field.generated
        and field.db_default is NOT_PROVIDED
        and not isinstance(field, models.AutoField)
    }


def test_the_column_lists_are_the_models_columns_in_field_order():
    assert sql.PROGRESS_COLUMNS == [f.column for f in UserScenarioProgress._meta.concrete_fields]
    assert sql.METADATA_COLUMNS == [f.column for f in ScenarioMetadata._meta.concrete_fields]


def test_the_inserts_name_every_column_a_new_row_needs():
    progress = {"user_id", "scenario_id", "is_saved", "saved_at", "created_at", "updated_at"}
    progress |= set(sql.PROGRESS_DEFAULTS)
    assert _required(UserScenarioProgress) <= progress <= _columns(UserScenarioProgress)
    metadata = {"scenario_id", "saved_count", "created_at", "updated_at"}
    metadata |= set(sql.METADATA_DEFAULTS) | set(SCENARIO_FILTER_FIELDS)
    assert _required(ScenarioMetadata) <= metadata <= _columns(ScenarioMetadata)
    assert set(SCENARIO_FILTER_FIELDS) <= _columns(Scenario)


def _progress(progress):
    """What a progress row holds, its save time as whether it has one (the runs differ in time)."""
    if progress is None:
        return None
    state = {name: getattr(progress, name) for name in PROGRESS_STATE}
    return state | {"saved_at": state["saved_at"] is not None, "stored": progress.pk is not None}


def _state(user, scenario):
    metadata = ScenarioMetadata.objects.get(scenario=scenario)
    return (
        _progress(UserScenarioProgress.objects.filter(user=user, scenario=scenario).first()),
        {name: getattr(metadata, name) for name in (*COUNTERS, *SCENARIO_FILTER_FIELDS)},
    )


STEPS = ["unsave", "save", "save", "unsave", "unsave", "save"]


def test_each_save_and_unsave_stores_and_answers_the_rows_it_left():
    scenario = ScenarioFactory(role="tutor", cefr_level="B2")
    user, other = UserFactory.create_batch(2)
    services.scenario_save(user=other, scenario=scenario)
    for step, saved in zip(STEPS, [False, True, True, False, False, True], strict=True):
        progress = getattr(services, f"scenario_{step}")(user=user, scenario=scenario)
        stored, metadata = _state(user, scenario)
        answer = _progress(progress)
        if stored is None:  # never saved: nothing stored, an unsaved answer
            assert answer["stored"] is False and answer["is_saved"] is False
        else:
            assert answer == stored
        assert answer["is_saved"] is saved and answer["saved_at"] is saved
        assert metadata["saved_count"] == 1 + saved
        assert {name: metadata[name] for name in SCENARIO_FILTER_FIELDS} == {
            name: getattr(scenario, name) for name in SCENARIO_FILTER_FIELDS
        }


def test_a_save_answers_with_the_rows_it_left_and_caches_the_metadata(user, scenario):
    progress = services.scenario_save(user=user, scenario=scenario)
    stored = UserScenarioProgress.objects.get(user=user, scenario=scenario)
    assert {f.attname: getattr(progress, f.attname) for f in stored._meta.concrete_fields} == {
        f.attname: getattr(stored, f.attname) for f in stored._meta.concrete_fields
    }
    assert Scenario.metadata.is_cached(scenario)
    fresh = ScenarioMetadata.objects.get(scenario=scenario)
    assert {f.attname: getattr(scenario.metadata, f.attname) for f in fresh._meta.concrete_fields} == {
        f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields
    }


def test_a_save_creates_a_missing_metadata_row_with_the_count_and_the_filter_columns(user):
    scenario = ScenarioFactory(with_metadata=False, role="expert", difficulty="advanced", cefr_level="C1")
    services.scenario_save(user=user, scenario=scenario)
    metadata = ScenarioMetadata.objects.get(scenario=scenario)
    assert metadata.saved_count == 1
    assert (metadata.is_active, metadata.role, metadata.difficulty, metadata.cefr_level) == (
        True,
        "expert",
        "advanced",
        "C1",
    )
    assert {key: getattr(metadata, key) for key in COUNTERS} == recount([scenario.pk])[scenario.pk]


def test_saving_over_http_is_one_statement_after_the_scenario_lookup(auth_client, user):
    scenario = ScenarioFactory(visibility=Visibility.PUBLIC)
    with CaptureQueriesContext(connection) as queries:
        response = auth_client.put(reverse("api:scenario-save", args=[scenario.pk]))
    assert response.json()["metadata"]["saved_count"] == 1
    touching = [q["sql"] for q in queries.captured_queries if "scenarios_" in q["sql"]]
    assert len(touching) == 2, touching  # the visible scenario, then the save
    assert "BEGIN" not in [q["sql"] for q in queries.captured_queries]


LIST_FILTERS = [
    {},
    {"role": "friend"},
    {"role": "friend", "difficulty": "beginner", "cefr": "B1"},
]


def _plain_page(user, offset, limit, **filters):
    sql_text, params, names = selectors._compiled_list(authenticated=user is not None, **filters)
    params = tuple(user.pk if p == selectors._ANY_USER_ID else p for p in params)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql_text} LIMIT %s OFFSET %s", (*params, limit, offset))
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture
def listed(user, other_user):
    made = ScenarioFactory.create_batch(5, role="friend", difficulty="beginner", cefr_level="B1")
    made += ScenarioFactory.create_batch(3, role="tutor")
    made.append(ScenarioFactory(created_by=user, visibility=Visibility.PRIVATE, role="friend"))
    made.append(ScenarioFactory(created_by=other_user, visibility=Visibility.PRIVATE, role="friend"))
    services.scenario_save(user=user, scenario=made[0])
    services.scenario_save(user=other_user, scenario=made[1])
    return made


@pytest.mark.parametrize("sort", sorted(selectors.SORTS))
@pytest.mark.parametrize("filters", LIST_FILTERS)
def test_a_prepared_list_page_is_the_plain_querys_page(user, other_user, listed, sort, filters):
    filters = {"sort": sort, "role": "", "difficulty": "", "cefr": "", "q": "", **filters}
    for reader in (user, other_user, user):  # the second call of a statement executes it only
        for offset, limit in ((0, 3), (3, 3), (0, 50)):
            page = selectors.scenario_list_page(user=reader, offset=offset, limit=limit, **filters)
            assert page == _plain_page(reader, offset, limit, **filters)


def test_list_statement_texts_are_bounded_and_shared_by_every_user(user, other_user, listed, monkeypatch):
    monkeypatch.setattr(sql, "LIST_STATEMENTS", 2)
    monkeypatch.setattr(sql, "_list_statements", sql._list_statements.__class__())
    filters = {"role": "", "difficulty": "", "cefr": "", "q": ""}
    for offset in range(5):
        for reader in (user, other_user):
            page = selectors.scenario_list_page(user=reader, offset=offset, limit=2, sort="newest", **filters)
            assert page == _plain_page(reader, offset, 2, sort="newest", **filters)
    assert len(sql._list_statements) == 2
    (text, with_user), *_ = sql._list_statements.values()
    assert with_user == text.count("%s") >= 1 and text.endswith("LIMIT 2 OFFSET 3")


def test_a_list_page_is_planned_once_per_connection_when_statements_are_prepared(user, other_user, listed):
    from django.conf import settings

    if not settings.DATABASES["default"].get("OPTIONS", {}).get("prepare_threshold"):
        pytest.skip("DATABASE_PREPARE_THRESHOLD=0: statements are not prepared")
    filters = {"sort": "trending", "role": "friend", "difficulty": "", "cefr": "", "q": ""}
    for reader in (user, other_user) * 4:
        selectors.scenario_list_page(user=reader, offset=0, limit=5, **filters)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("LIMIT 5 OFFSET 0" in text and "$1" in text for text in prepared), prepared
