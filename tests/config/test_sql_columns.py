"""Every column list of the raw SQL statements (each app's ``sql.py``) against its model: a field
added, renamed or dropped without the statement following fails here, not in production."""

import importlib
import importlib.util

import pytest
from django.apps import apps
from django.db import connection, models

from config.sql_columns import REGISTRY

SQL_MODULES = [
    importlib.import_module(f"{app.name}.sql")
    for app in apps.get_app_configs()
    if importlib.util.find_spec(f"{app.name}.sql") is not None
]
ENTRIES = list(REGISTRY)


def _id(entry) -> str:
    kind = "insert" if entry.insert else "names"
    return f"{entry.model._meta.label}:{kind}:{entry.columns[0]}-{entry.columns[-1]}"


def _written(model) -> set[str]:
    """The columns an INSERT can write: all but the serial key and generated columns."""
    return {
        field.column
        for field in model._meta.concrete_fields
        if not isinstance(field, models.AutoField) and not field.generated
    }


def test_every_app_with_raw_sql_declares_its_column_lists():
    assert {m.__name__ for m in SQL_MODULES} == {
        "curriculum.sql",
        "notifications.sql",
        "progress.sql",
        "scenarios.sql",
    }
    declared = {entry.model._meta.app_label for entry in ENTRIES}
    assert {m.__name__.removesuffix(".sql") for m in SQL_MODULES} <= declared


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_every_listed_column_is_a_column_of_the_table(entry):
    with connection.cursor() as cursor:
        table = {
            c.name for c in connection.introspection.get_table_description(cursor, entry.model._meta.db_table)
        }
    assert len(set(entry.columns)) == len(entry.columns), "a column listed twice"
    assert set(entry.columns) <= table, set(entry.columns) - table
    assert set(entry.others) <= table, set(entry.others) - table


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.insert], ids=_id)
def test_an_insert_names_every_column_of_its_model(entry):
    """Each column is written from the list, or named as written by the statement itself or
    left to its default (``others``)."""
    listed, others = set(entry.columns), set(entry.others)
    assert not listed & others, listed & others
    written = _written(entry.model)
    assert written - listed - others == set(), f"not written by the statement: {written - listed - others}"
    assert (listed | others) - written == set()
