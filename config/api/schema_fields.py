"""A JSON field of an answer documented by the JSON Schema file the model field is validated with.

The schema files in ``<app>/schemas/`` already say exactly what a stored document holds; the API
documents it from the same file, as a named component, so clients generate real types and the
documentation cannot drift from what is stored::

    steps = SchemaFileJSONField("training", "session_steps", item_component="WorkoutStep", read_only=True)
    compliance = SchemaFileJSONField("training", "session_compliance", component="SessionCompliance")
    week = SchemaFileJSONField("training", "weekly_plan", item_only=True, component="PlanWeek")

``item_only``: the field holds one item of an array schema (one week of the weekly plan).
"""

import copy

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from config.jsonschemas import load_schema

# JSON Schema keywords OpenAPI 3.0's schema object does not know, and django-jsonform's own.
_DROP = {"$schema", "$id", "$comment", "widget", "helpText", "placeholder", "handler", "choices", "keys"}


def openapi_schema(schema: dict) -> dict:
    """``schema`` (a JSON Schema file) as an OpenAPI 3.0 schema object: ``"type": [T, "null"]``
    becomes ``"type": T, "nullable": true``."""
    if isinstance(schema, dict):
        out = {key: openapi_schema(value) for key, value in schema.items() if key not in _DROP}
        kinds = out.get("type")
        if isinstance(kinds, list):
            others = [kind for kind in kinds if kind != "null"]
            out["type"] = others[0] if len(others) == 1 else others
            if "null" in kinds:
                out["nullable"] = True
        return out
    if isinstance(schema, list):
        return [openapi_schema(value) for value in schema]
    return schema


class SchemaFileJSONField(serializers.JSONField):
    def __init__(
        self,
        app_label: str,
        name: str,
        *,
        component: str | None = None,
        item_component: str | None = None,
        item_only: bool = False,
        **kwargs,
    ):
        self.schema_file = (app_label, name)
        self.component = component
        self.item_component = item_component
        self.item_only = item_only
        super().__init__(**kwargs)

    def document(self) -> dict:
        schema = copy.deepcopy(load_schema(*self.schema_file))
        if self.item_only:
            schema = schema["items"]
        return openapi_schema(schema)


class SchemaFileJSONFieldExtension(OpenApiSerializerFieldExtension):
    target_class = SchemaFileJSONField
    match_subclasses = True

    def get_name(self):
        return self.target.component

    def map_serializer_field(self, auto_schema, direction):
        schema = self.target.document()
        if self.target.item_component and schema.get("type") == "array":
            item = ResolvedComponent(
                name=self.target.item_component,
                type=ResolvedComponent.SCHEMA,
                schema=schema.pop("items"),
                object=f"{'.'.join(self.target.schema_file)}.items",
            )
            auto_schema.registry.register_on_missing(item)
            schema["items"] = item.ref
        return schema


class ServiceRuleField:
    """A field with a rule its service checks written into its schema (``minimum``,
    ``maximum``, ``maxLength``): the serializer checks the input's shape, the service the rule
    (for the admin and commands too), and the schema still tells clients both::

        rating = RuleIntegerField(rule={"minimum": 1, "maximum": 5})
    """

    def __init__(self, *args, rule: dict, **kwargs):
        self.service_rule = rule
        super().__init__(*args, **kwargs)


class RuleIntegerField(ServiceRuleField, serializers.IntegerField):
    pass


class RuleCharField(ServiceRuleField, serializers.CharField):
    pass
