"""JSON bodies are read with JSON's types, as the schema states them.

DRF reads every value as if it came from an HTML form: a string field takes ``0`` and stores
``"0"``, an integer field takes ``"5"`` and ``5.0``, a boolean field takes ``"yes"`` and ``1``.
The schema says ``string``, ``integer``, ``boolean``, so a client generated from it never sends
those, and one that does has a bug worth a 400. ``install()`` (``PlatformConfig.ready``) makes the
scalar fields refuse another JSON type when the serializer reads a JSON body; query strings and
multipart forms (a ``QueryDict``, where everything is text) are read as before.

A JSON field also refuses the NUL character anywhere in its value (a key or a string): PostgreSQL's
``jsonb`` cannot store ``\\u0000``, which was a 500.
"""

from django.http import QueryDict
from rest_framework import serializers

_STRICT = {
    # field class: (accepted Python types, types refused even though they are instances of those)
    serializers.CharField: ((str,), ()),
    serializers.IntegerField: ((int,), (bool,)),
    serializers.FloatField: ((int, float), (bool,)),
    serializers.DecimalField: ((int, float), (bool,)),
    serializers.BooleanField: ((bool,), ()),
}
_installed = False


def reads_json(field) -> bool:
    """Whether ``field`` is validating a parsed JSON body (not a query string or a form)."""
    data = getattr(field.root, "initial_data", None)
    return data is not None and not isinstance(data, QueryDict)


def _strict(cls, accepted, refused):
    original = cls.to_internal_value

    def to_internal_value(self, data):
        if reads_json(self) and (not isinstance(data, accepted) or isinstance(data, refused)):
            self.fail("invalid")
        return original(self, data)

    to_internal_value.strict_json = True
    return to_internal_value


def contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


def _json_without_nul(original):
    def to_internal_value(self, data):
        value = original(self, data)
        if contains_nul(value):
            raise serializers.ValidationError(
                "Null characters are not allowed.", code="null_characters_not_allowed"
            )
        return value

    to_internal_value.strict_json = True
    return to_internal_value


def install() -> None:
    global _installed
    if _installed:
        return
    for cls, (accepted, refused) in _STRICT.items():
        cls.to_internal_value = _strict(cls, accepted, refused)
    serializers.JSONField.to_internal_value = _json_without_nul(serializers.JSONField.to_internal_value)
    _installed = True
