"""The OpenAPI schema generator: drf-spectacular's, plus what platform-wide mechanisms add.

Every operation documents the 503 ``service_unavailable`` it answers while the database is
unreachable. A view method marked ``@idempotent``
(``config/idempotency.py``) gets the optional ``Idempotency-Key`` header and its 409/422 answers
documented, so every client generator sees the retry mechanism without each view repeating it.

* Every operation gets the errors the platform itself answers, with their bodies (see
  ``config/api/exceptions.py``): 401 when it needs a signed-in user, 404 when its path names an
  object or its list is paginated (a page past the end), 400 when it takes a body or query
  parameters, 415 when it takes a body (sent in a type it does not parse), 429 when it is
  throttled. An error a view documents without a body gets the shared error body of its status.
* A read-only choice field whose model field may be blank documents ``""`` among its values.
* Every operation documents the 414 a too-long URL gets (from gunicorn or the proxy) and, when it
  takes a body, the 413 a too-large body gets.
* A time-of-day input documents the forms it accepts (``07:00`` or ``07:00:00``); a ``time_zone``
  field is one of the IANA names zoneinfo knows (the ``TimeZone`` component).
* ``postprocess_platform_rules`` (a drf-spectacular postprocessing hook): a query parameter is
  absent or has a value (``config.api.params.EmptyQueryParameterMiddleware``), so every string
  query parameter has ``minLength: 1``; it also adds the ``TimeZone`` component.
"""

from zoneinfo import available_timezones

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type, build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

from config.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH, REPLAYED_HEADER


class ErrorSerializer(serializers.Serializer):
    """Every error but bad input: ``{"detail", "code"}``."""

    detail = serializers.CharField()
    code = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Bad input: each field maps to its messages; errors of no single field are under
    ``non_field_errors``. A nested input (an object or a list of objects) maps its own fields the
    same way, so a field's value is a list of messages or, for nested input, an object or list."""


class TokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <token>`` from ``POST /api/v1/auth/token/`` (django-rest-knox)."""

    target_class = "config.api.authentication.CachedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


class ValidationErrorExtension(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        messages = {"type": "array", "items": {"type": "string"}}
        nested = {
            "type": "array",
            "items": {"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}]},
        }
        return {
            "type": "object",
            "description": " ".join(ValidationErrorSerializer.__doc__.split()),
            "properties": {api_settings.NON_FIELD_ERRORS_KEY: messages},
            "additionalProperties": {"anyOf": [nested, {"type": "object"}]},
        }


GENERIC_ERRORS = {
    "400": OpenApiResponse(
        PolymorphicProxySerializer(
            component_name="BadRequest",
            serializers=[ValidationErrorSerializer, ErrorSerializer],
            resource_type_field_name=None,
        ),
        description="Bad input: field errors, or `{detail, code}` with `parse_error` when the body is "
        "not valid JSON.",
    ),
    "401": OpenApiResponse(
        ErrorSerializer,
        description="`not_authenticated` or `authentication_failed`: no valid `Authorization: Token …`.",
    ),
    "403": OpenApiResponse(ErrorSerializer, description="`permission_denied`."),
    "404": OpenApiResponse(ErrorSerializer, description="`not_found`: no such object among yours."),
    "409": OpenApiResponse(ErrorSerializer, description="The resource's state forbids it; `code` says why."),
    "415": OpenApiResponse(
        ErrorSerializer, description="`unsupported_media_type`: send the body as one of the listed types."
    ),
    "429": OpenApiResponse(
        ErrorSerializer, description="`throttled`: too many requests; retry after `Retry-After` seconds."
    ),
}
# Any other error status a view documents without a body.
DEFAULT_ERROR = OpenApiResponse(ErrorSerializer)


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        f"Makes a retry safe: 1-{MAX_KEY_LENGTH} printable ASCII characters (e.g. a UUID) chosen by the "
        "client for this action. A retry with the same key gets the first answer again (with the "
        f"`{REPLAYED_HEADER}: true` header) instead of doing the work twice; keys are kept at least 24 hours."
    ),
)

IDEMPOTENCY_RESPONSES = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="`idempotency_key_in_progress`: a request with this Idempotency-Key is still running; "
        "retry after `Retry-After` seconds (or another conflict the operation documents).",
    ),
    422: OpenApiResponse(
        ErrorSerializer,
        description="`idempotency_key_reused`: this Idempotency-Key was used with a different request.",
    ),
}

UNAVAILABLE_RESPONSE = OpenApiResponse(
    ErrorSerializer,
    description="`service_unavailable`: a server this request needs (the database) is unreachable; "
    "retry after `Retry-After` seconds.",
)


HH_MM_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
# What a TimeField accepting "%H:%M" and "%H:%M:%S" (DRF's default input too) parses.
TIME_INPUT_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?$"
TIME_ZONE_COMPONENT = "TimeZone"
JSON_TYPES_BUT_NULL = ("object", "array", "string", "number", "boolean")
NO_NUL_PATTERN = "^[^\\u0000]*$"
TOO_LARGE = {
    "413": {
        "description": "`Request Entity Too Large`: the body is over the size limit (answered by the proxy)."
    },
    "414": {"description": "`URI Too Long`: the URL is over 4094 bytes (answered by gunicorn or the proxy)."},
}


# JSON Schema keywords OpenAPI 3.0 shares; the rest (``$schema``, django-jsonform's ``widget``,
# ``helpText``, ``propertyNames``) are left out of the API schema.
OPENAPI_KEYWORDS = {
    "type", "title", "description", "default", "enum", "format", "pattern", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems",
    "maxItems", "uniqueItems", "minProperties", "maxProperties", "required", "properties", "items",
    "additionalProperties", "allOf", "anyOf", "oneOf", "not", "nullable",
}  # fmt: skip


def openapi_from_json_schema(schema):
    """A JSON Schema (as ``<app>/schemas/*.json`` write them) as an OpenAPI 3.0 schema object."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key not in OPENAPI_KEYWORDS:
            continue
        if key == "type" and isinstance(value, list):
            kinds = [kind for kind in value if kind != "null"]
            if len(kinds) == 1:
                out["type"] = kinds[0]
            if "null" in value:
                out["nullable"] = True
        elif key == "properties":
            out[key] = {name: openapi_from_json_schema(child) for name, child in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = openapi_from_json_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [openapi_from_json_schema(child) for child in value]
        else:
            out[key] = value
    return out


def postprocess_platform_rules(result, generator, request, public):
    """Rules the platform applies to every operation, written into the finished schema."""
    result.setdefault("components", {}).setdefault("schemas", {})[TIME_ZONE_COMPONENT] = {
        "type": "string",
        "enum": sorted(available_timezones()),
        "description": "An IANA time zone name, e.g. Europe/Berlin.",
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string":
                    schema.setdefault("minLength", 1)
                    _no_nul(schema)
    for name, component in result["components"]["schemas"].items():
        if name.endswith("Request"):  # what clients send (COMPONENT_SPLIT_REQUEST)
            _no_nul(component)
    return result


def _no_nul(schema):
    """Text fields refuse the NUL character (DRF's and Django's form fields, and PostgreSQL text):
    a plain string without a pattern of its own says so with ``NO_NUL_PATTERN``."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not ({"pattern", "enum", "format"} & set(schema)):
        schema["pattern"] = NO_NUL_PATTERN
    for key in ("properties", "patternProperties"):
        for child in (schema.get(key) or {}).values():
            _no_nul(child)
    for key in ("items", "additionalProperties", "not"):
        _no_nul(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for child in schema.get(key) or []:
            _no_nul(child)


class PlatformAutoSchema(AutoSchema):
    def _handler(self):
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def is_idempotent(self) -> bool:
        return bool(getattr(self._handler(), "idempotent", False))

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.is_idempotent():
            parameters.append(IDEMPOTENCY_KEY_PARAMETER)
        return parameters

    def _get_response_bodies(self, direction="response"):
        # Called after any @extend_schema override of the response serializers has been applied.
        responses = super()._get_response_bodies(direction)
        if direction == "response" and self.is_idempotent():
            for code, response in IDEMPOTENCY_RESPONSES.items():
                code = str(code)
                if code not in responses:
                    responses[code] = self._get_response_for_code(response, code, direction=direction)
        if direction == "response" and "503" not in responses:
            responses["503"] = self._get_response_for_code(UNAVAILABLE_RESPONSE, "503", direction=direction)
        if direction == "response":
            responses = self.with_platform_errors(responses)
            for code, answer in TOO_LARGE.items():
                if code == "414" or self._has_body():
                    responses.setdefault(code, answer)
            responses = dict(sorted(responses.items()))
        return responses

    def with_platform_errors(self, responses):
        for code in self.platform_error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    GENERIC_ERRORS[code], code, direction="response"
                )
        for code, response in responses.items():
            if code in TOO_LARGE:
                continue
            if code.isdigit() and int(code) >= 400 and "content" not in response:
                body = GENERIC_ERRORS.get(code, DEFAULT_ERROR)
                documented = OpenApiResponse(body.response, description=response.get("description", ""))
                responses[code] = self._get_response_for_code(documented, code, direction="response")
        return dict(sorted(responses.items()))

    def platform_error_codes(self) -> list[str]:
        """The error statuses the platform answers for this operation whatever its view does."""
        codes = []
        if self.needs_authentication():
            codes.append("401")
        if "{" in self.path or self._paginated():
            codes.append("404")
        if self._takes_input() or self.is_idempotent():  # a malformed Idempotency-Key is a 400
            codes.append("400")
        if self._has_body():
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def needs_authentication(self) -> bool:
        return any(not isinstance(permission, AllowAny) for permission in self.view.get_permissions())

    def _paginated(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _has_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None

    def _takes_input(self) -> bool:
        if self._has_body():
            return True
        # Any query parameter, ``format`` too, may be sent empty: a 400 (config/api/params.py).
        return any(parameter.get("in") == "query" for parameter in self._get_parameters())

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # A rule the service checks, not the serializer (config/api/schema_fields.py ServiceRuleField).
        schema.update(getattr(field, "service_rule", {}))
        if (
            isinstance(field, serializers.TimeField)
            and direction == "request"
            and self._plain_time_input(field)
        ):
            # What the field parses: "07:00" or "07:00:00" (OpenAPI's "time" format is RFC 3339's).
            time = {"type": "string", "pattern": TIME_INPUT_PATTERN, "example": "07:00"}
            for key in ("description", "nullable"):
                if key in schema:
                    time[key] = schema[key]
            schema = time
        elif isinstance(field, serializers.TimeField) and getattr(field, "format", None) == "%H:%M":
            # A wall-clock "07:00"; OpenAPI's "time" format is RFC 3339's "07:00:00".
            clock = {"type": "string", "pattern": HH_MM_PATTERN, "example": "07:00"}
            if "description" in schema:
                clock["description"] = schema["description"]
            if field.allow_null:
                clock["nullable"] = True
            schema = clock
        if (
            isinstance(field, serializers.JSONField)
            and direction == "request"
            and not field.read_only
            and not schema.get("type")
            and not schema.get("$ref")
        ):
            # The JSON type the model field's JSON Schema names (config/jsonschemas.py), else any
            # JSON value but null (a schema without a type would allow null too).
            typed = self._json_schema_outline(field) or {"anyOf": [{"type": t} for t in JSON_TYPES_BUT_NULL]}
            schema = {**typed, **{k: v for k, v in schema.items() if k in ("description", "nullable")}}
        if field.field_name == "time_zone" and isinstance(field, serializers.CharField):
            zone = {"allOf": [{"$ref": f"#/components/schemas/{TIME_ZONE_COMPONENT}"}]}
            if field.allow_blank:
                zone = {"anyOf": [{"$ref": f"#/components/schemas/{TIME_ZONE_COMPONENT}"}, {"enum": [""]}]}
            for key in ("description", "readOnly", "nullable"):
                if key in schema:
                    zone[key] = schema[key]
            schema = zone
        if isinstance(field, serializers.ChoiceField) and field.read_only and self._model_field_blank(field):
            enum = schema.get("enum")
            if enum is not None and "" not in enum:
                schema = {"oneOf": [schema, {**build_basic_type(OpenApiTypes.STR), "enum": [""]}]}
            elif "$ref" in schema:
                schema = {"oneOf": [schema, {**build_basic_type(OpenApiTypes.STR), "enum": [""]}]}
        return schema

    @staticmethod
    def _json_schema_outline(field) -> dict | None:
        """The JSON Schema a model's JSON field is validated against (``config.jsonschemas``), in
        OpenAPI 3.0's words; None when it has none."""
        model = getattr(getattr(field.parent, "Meta", None), "model", None)
        if model is None or not field.source or "." in field.source:
            return None
        try:
            json_schema = getattr(model._meta.get_field(field.source), "schema", None)
        except FieldDoesNotExist:
            return None
        if callable(json_schema):  # config.jsonschemas.schema_for: loaded on demand
            json_schema = json_schema()
        if not isinstance(json_schema, dict) or json_schema.get("type") not in JSON_TYPES_BUT_NULL:
            return None
        return openapi_from_json_schema(json_schema)

    @staticmethod
    def _plain_time_input(field) -> bool:
        formats = getattr(field, "input_formats", None) or api_settings.TIME_INPUT_FORMATS
        return set(formats) <= {"%H:%M", "%H:%M:%S", "iso-8601"}

    @staticmethod
    def _model_field_blank(field) -> bool:
        model = getattr(getattr(field.parent, "Meta", None), "model", None)
        if model is None or not field.source or "." in field.source:
            return False
        try:
            return bool(model._meta.get_field(field.source).blank)
        except FieldDoesNotExist:
            return False
