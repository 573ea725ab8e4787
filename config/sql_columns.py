"""The column lists of the raw SQL statements (each app's ``sql.py``), declared once per model.

A statement that names columns by hand drifts from its model: a new field is silently left out.
So each list is built from the model's field names (:func:`columns`) and registered with its
model; ``tests/config/test_sql_columns.py`` checks every registered list against the table: each
column exists, and a list an ``INSERT`` writes (``insert=True``) names every column of the model
but those the statement writes by itself or leaves to the database (``others``). The types a
statement casts JSON values to come from the same fields (:func:`cast_types`).
"""

import re
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class ColumnList:
    model: type
    columns: tuple[str, ...]
    insert: bool
    others: tuple[str, ...]  # the model's columns an insert does not take from the list


REGISTRY: list[ColumnList] = []


def columns(model, names, *, insert: bool = False, others=()) -> list[str]:
    """The columns of ``model``'s fields ``names`` (names or attnames), in that order, registered.
    ``insert``: the list of an ``INSERT``, whose ``others`` are the model's remaining columns
    (set by the statement itself or left to their default)."""
    found = [model._meta.get_field(name).column for name in names]
    REGISTRY.append(ColumnList(model, tuple(found), insert, tuple(others)))
    return found


_LENGTH = re.compile(r"\(.*\)")


def cast_types(model, names) -> list[str]:
    """The PostgreSQL type of each column ``names`` of ``model`` as a cast writes it: without
    length or precision (the column applies its own), ``timestamptz`` for aware datetimes."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    types = [_LENGTH.sub("", fields[name].db_type(connection)) for name in names]
    return ["timestamptz" if t == "timestamp with time zone" else t for t in types]


def json_record(model, names) -> str:
    """``name type, ...`` of ``names``: the record of ``jsonb_to_recordset(...) AS v(...)``."""
    return ", ".join(f"{name} {type_}" for name, type_ in zip(names, cast_types(model, names), strict=True))
