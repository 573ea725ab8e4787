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
        from django.core.exceptions import ValidationError

        from config.api.strict import contains_nul

        if contains_nul(value):  # PostgreSQL jsonb cannot store \u0000
            raise ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")
        validate_with_schema(load_schema(self.app_label, self.name), value)

    def __eq__(self, other):
        return isinstance(other, JSONSchemaValidator) and (self.app_label, self.name) == (
            other.app_label,
            other.name,
        )


def _property_schema(schema: dict, key: str) -> dict:
    """The schema of ``key`` inside an object of ``schema``."""
    if key in schema.get("properties", {}):
        return schema["properties"][key]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else {}


def editor_data(value, schema: dict):
    """``value`` as the django-jsonform editor needs it: an optional object whose keys are
    free (``additionalProperties``) is given as ``{}`` when absent (the editor cannot build
    it from nothing). :func:`without_editor_blanks` drops it again on save."""
    if isinstance(value, list):
        return [editor_data(item, schema.get("items", {})) for item in value]
    if not isinstance(value, dict):
        return value
    filled = {key: editor_data(item, _property_schema(schema, key)) for key, item in value.items()}
    for key, sub in schema.get("properties", {}).items():
        if key not in filled and sub.get("type") == "object" and sub.get("additionalProperties"):
            filled[key] = {}
    return filled


def without_editor_blanks(value, schema: dict):
    """``value`` without the blanks the editor writes into optional properties it shows:
    an optional key whose value is empty (``""``, ``null``, ``[]``, ``{}``) or equal to the
    property's ``default`` means the same as no key, so saving a form unchanged keeps the
    stored data as it was."""
    if isinstance(value, list):
        return [without_editor_blanks(item, schema.get("items", {})) for item in value]
    if not isinstance(value, dict):
        return value
    required = set(schema.get("required", ()))
    cleaned = {}
    for key, item in value.items():
        sub = _property_schema(schema, key)
        item = without_editor_blanks(item, sub)
        blank = item in ("", None, [], {}) or ("default" in sub and item == sub["default"])
        if key in required or not blank or isinstance(item, bool) and "default" not in sub:
            cleaned[key] = item
    return cleaned


@cache
def _form_field_class():
    from django import forms
    from django.forms.fields import InvalidJSONInput
    from django_jsonform.forms.fields import JSONFormField

    class SchemaJSONFormField(JSONFormField):
        """The admin form field: gives the editor data it can build and drops the editor's
        blanks again (see :func:`editor_data` and :func:`without_editor_blanks`)."""

        def prepare_value(self, value):
            if isinstance(value, dict | list) and not isinstance(value, InvalidJSONInput):
                value = editor_data(value, self.widget.get_schema())
            return super().prepare_value(value)

        def validate(self, value):
            # The model field's JSONSchemaValidator checks the value against the same file with
            # jsonschema; django-jsonform's own check would insist on every optional key.
            forms.JSONField.validate(self, value)

        def to_python(self, value):
            value = super().to_python(value)
            if isinstance(value, dict | list):
                value = without_editor_blanks(value, self.widget.get_schema())
            return value

    return SchemaJSONFormField


@cache
def _schema_json_field_class():
    from django_jsonform.models.fields import JSONField

    class SchemaJSONField(JSONField):
        """django-jsonform's field with :func:`_form_field_class` as its form field (migrations
        see django-jsonform's own field)."""

        def formfield(self, **kwargs):
            return super().formfield(**{"form_class": _form_field_class(), **kwargs})

        def deconstruct(self):
            name, _path, args, kwargs = super().deconstruct()
            return name, "django_jsonform.models.fields.JSONField", args, kwargs

    return SchemaJSONField


def schema_json_field(app_label: str, name: str, *args, **kwargs):
    """A django-jsonform ``JSONField`` whose admin widget and validator use one schema file."""
    return _schema_json_field_class()(
        *args,
        schema=schema_for(app_label, name),
        validators=[JSONSchemaValidator(app_label, name), *kwargs.pop("validators", ())],
        **kwargs,
    )
