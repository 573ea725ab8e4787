"""An answer declared once: the serializer is the definition, the fast path is derived from it.

A hot answer (ranked alternatives, a list page) built through DRF's per-field machinery costs
more than reading it. ``representation(SomeSerializer)`` compiles the serializer's declared
fields once into a plain function ``obj -> dict`` that gives what ``SomeSerializer(obj).data``
gives, field for field and in the same order, without the per-call machinery::

    step_alternatives_data = representation(StepAlternativesSerializer)
    return Response(step_alternatives_data(result))

A context (``representation(S)(obj, {"now": now})``) is what the serializer's methods read as
``self.context`` during that call, as ``S(obj, context=...)`` would give them.

Each field reads its ``source`` (dotted, or ``"*"``) the way DRF does (a missing related object
is None, a missing attribute its default or None when the field allows it) and writes the value
as the field does: integers, floats, text, JSON, booleans, choices and ISO 8601 times directly
(the current time zone looked up once per answer), nested serializers (one or ``many``)
compiled the same way, ``SerializerMethodField`` by calling the serializer's method, every other
field (relations, other formats) through its own ``to_representation``. A change
to a serializer changes its fast path with it; ``tests/config/test_representation.py`` holds
the two to each other.
"""

import functools
from collections.abc import Callable, Mapping
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Manager
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import ISO_8601, Field, SkipField, empty, is_simple_callable
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

# Fields whose ``to_representation`` is, for the values a model or a result holds, one of these.
_PLAIN_WRITERS = {
    serializers.CharField: str,
    serializers.IntegerField: int,
    serializers.FloatField: float,
    serializers.BooleanField: bool,
}

# The answer being built: its context (a serializer method reads it as ``self.context``) and the
# time zone current when it started.
_call: ContextVar[tuple] = ContextVar("representation_call", default=(None, None))


class _CallContext(Mapping):
    def __getitem__(self, key):
        return (_call.get()[0] or {})[key]

    def __iter__(self):
        return iter(_call.get()[0] or {})

    def __len__(self):
        return len(_call.get()[0] or {})


def _datetime_writer(field: Field) -> Callable:
    """``DateTimeField.to_representation`` for the ISO 8601 format: an aware value in the time
    zone current when the answer started (looked up once per answer), ``Z`` for UTC."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if output_format is None or output_format.lower() != ISO_8601 or hasattr(field, "timezone"):
        return field.to_representation

    def write(value):
        zone = _call.get()[1]
        if isinstance(value, str) or value.tzinfo is None or zone is None:
            return field.to_representation(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def _choice_writer(field: Field) -> Callable:
    choices = field.choice_strings_to_values
    return lambda value: value if value == "" else choices.get(str(value), value)


def _writer(field: Field) -> Callable | None:
    """The field's ``to_representation`` for a value that is not None; None: the value itself."""
    kind = type(field)
    if kind is serializers.JSONField and not field.binary:
        return None
    if kind in _PLAIN_WRITERS:
        return _PLAIN_WRITERS[kind]
    if kind is serializers.DateTimeField:
        return _datetime_writer(field)
    if kind is serializers.ChoiceField:
        return _choice_writer(field)
    if isinstance(field, serializers.ListSerializer):
        child = _compile(field.child)
        return lambda value: [child(item) for item in (value.all() if isinstance(value, Manager) else value)]
    if isinstance(field, serializers.BaseSerializer):
        return _compile(field)
    return field.to_representation


def _missing(field: Field) -> Callable:
    """What ``Field.get_attribute`` gives when the source is missing (``AttributeError``): a row
    is read by keys as DRF does; otherwise the default, None, or the field is left out."""

    def missing(obj, error):
        if isinstance(obj, Mapping):
            return field.get_attribute(obj)
        if field.default is not empty:
            return field.get_default()
        if field.allow_null:
            return None
        if not field.required:
            raise SkipField()
        raise error

    return missing


def _generic(field: Field) -> Callable:
    """A field with its own reading (relations): DRF's own steps."""

    def value(obj):
        attribute = field.get_attribute(obj)
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return value


def _write_expression(write: Callable | None, index: int) -> str:
    """The expression writing ``v`` (read, not None-checked): a plain value of the type it is
    written as stays as it is, without a call."""
    if write is None:
        return "v"
    if write in (str, int, float, bool):
        return f"v if v is None or v.__class__ is {write.__name__} else {write.__name__}(v)"
    return f"None if v is None else w{index}(v)"


def _compile(serializer: serializers.BaseSerializer) -> Callable[[object], dict]:
    """One function written out field by field (a loop over per-field functions cost several
    times more): each field reads its source as ``Field.get_attribute`` does and writes it."""
    namespace = {
        "ObjectDoesNotExist": ObjectDoesNotExist,
        "SkipField": SkipField,
        "is_simple_callable": is_simple_callable,
    }
    lines = ["def data(obj):", "    out = {}"]
    for index, (name, field) in enumerate(serializer.fields.items()):
        if field.write_only:
            continue
        key = repr(name)
        if isinstance(field, serializers.SerializerMethodField):
            namespace[f"f{index}"] = getattr(field.parent, field.method_name)
            lines.append(f"    out[{key}] = f{index}(obj)")
            continue
        if not (
            type(field).get_attribute is Field.get_attribute or isinstance(field, serializers.BaseSerializer)
        ):
            namespace[f"f{index}"] = _generic(field)
            lines += [
                "    try:",
                f"        out[{key}] = f{index}(obj)",
                "    except SkipField:",
                "        pass",
            ]
            continue
        write = _writer(field)
        if not field.source_attrs:  # source="*"
            namespace[f"w{index}"] = write or (lambda obj: obj)
            lines.append(f"    out[{key}] = w{index}(obj)")
            continue
        namespace[f"m{index}"] = _missing(field)
        lines += [
            "    try:",
            f"        v = obj.{'.'.join(field.source_attrs)}",
            "    except ObjectDoesNotExist:",
            "        v = None",
            "    except AttributeError as error:",
            "        try:",
            f"            v = m{index}(obj, error)",
            "        except SkipField:",
            "            v = SkipField",
            "    if v is not SkipField:",
            "        if callable(v) and is_simple_callable(v):",
            "            v = v()",
            f"        out[{key}] = {_write_expression(write, index)}",
        ]
        namespace[f"w{index}"] = write
    lines.append("    return out")
    exec("\n".join(lines), namespace)  # the text is built from the serializer's field names
    return namespace["data"]


@functools.cache
def representation(serializer_class: type[serializers.BaseSerializer]) -> Callable[..., dict]:
    """``(obj, context=None) -> serializer_class(obj, context=context).data`` as a plain dict,
    compiled once from the declared fields (see the module docstring); ``.many(objs, context)``
    answers a list, as ``serializer_class(objs, many=True, context=context).data`` does."""
    compiled = _compile(serializer_class(context=_CallContext()))

    def answer(function, value, context):
        if isinstance(context, _CallContext):  # a serializer method passing its context on
            return function(value)
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
        token = _call.set((context, zone))
        try:
            return function(value)
        finally:
            _call.reset(token)

    def data(obj, context: dict | None = None) -> dict:
        return answer(compiled, obj, context)

    def many(objs, context: dict | None = None) -> list[dict]:
        return answer(lambda items: [compiled(item) for item in items], objs, context)

    data.many = many
    return data
