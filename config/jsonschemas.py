"""JSON Schemas for JSON fields: one file per field in the owning app's ``schemas/`` folder.

The same schema drives the admin widget (django-jsonform) and server-side validation, so what
a content designer can enter and what the API accepts never drift apart::

    content = schema_json_field("curriculum", "alternative_content", "content", default=dict)
"""

import copy
import json
from functools import cache
from pathlib import Path

import jsonschema
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


def schema_path(app_label: str, name: str) -> Path:
    return Path(apps.get_app_config(app_label).path) / "schemas" / f"{name}.json"


@cache
def load_schema(app_label: str, name: str) -> dict:
    with schema_path(app_label, name).open(encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.validators.validator_for(schema).check_schema(schema)
    return schema


def schema_for(app_label: str, name: str):
    """A callable for django-jsonform's ``schema=``: loaded when the widget renders.

    Each call gets its own copy: the widget annotates the schema it is given (e.g. writes
    ``"required": true`` into properties), which must never leak into the cached original that
    server-side validation uses.
    """

    def _schema():
        return copy.deepcopy(load_schema(app_label, name))

    _schema.__name__ = f"schema_{app_label}_{name}"
    return _schema


def schema_errors(schema: dict, value) -> list[str]:
    """Every violation of ``schema`` by ``value``, as readable messages with their JSON path."""
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
    messages = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path)
        messages.append(f"{where}: {error.message}" if where else error.message)
    return messages


def validate_with_schema(schema: dict, value, *, field: str | None = None):
    """Raise Django's ``ValidationError`` (on ``field`` when given) listing every violation."""
    messages = schema_errors(schema, value)
    if messages:
        raise ValidationError({field: messages} if field else messages)


@deconstructible
class JSONSchemaValidator:
    """Model-field validator that checks a value against an app's schema file."""

    def __init__(self, app_label: str, name: str):
        self.app_label = app_label
        self.name = name

    def __call__(self, value):
        validate_with_schema(load_schema(self.app_label, self.name), value)

    def __eq__(self, other):
        return isinstance(other, JSONSchemaValidator) and (self.app_label, self.name) == (
            other.app_label,
            other.name,
        )


def schema_json_field(app_label: str, name: str, *args, **kwargs):
    """A django-jsonform ``JSONField`` whose admin widget and validator use one schema file."""
    from django_jsonform.models.fields import JSONField

    return JSONField(
        *args,
        schema=schema_for(app_label, name),
        validators=[JSONSchemaValidator(app_label, name), *kwargs.pop("validators", ())],
        **kwargs,
    )
