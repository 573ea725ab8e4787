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
as the field does: integers, floats, text, JSON and booleans directly, nested serializers (one
or ``many``) compiled the same way, ``SerializerMethodField`` by calling the serializer's method,
every other field (dates, relations, choices) through its own ``to_representation``. A change
to a serializer changes its fast path with it; ``tests/config/test_representation.py`` holds
the two to each other.
"""

import functools
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from operator import attrgetter

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Manager
from rest_framework import serializers
from rest_framework.fields import Field, SkipField, empty, is_simple_callable
from rest_framework.relations import PKOnlyObject

# Fields whose ``to_representation`` is, for the values a model or a result holds, one of these.
_PLAIN_WRITERS = {
    serializers.CharField: str,
    serializers.IntegerField: int,
    serializers.FloatField: float,
    serializers.BooleanField: bool,
}


def _reader(field: Field) -> Callable:
    """``field.get_attribute`` for a field that reads its source as ``Field`` does."""
    if not field.source_attrs:  # source="*"
        return lambda obj: obj
    get = attrgetter(".".join(field.source_attrs))

    def missing(obj, error):
        if isinstance(obj, Mapping):  # a row: read by keys, as DRF does
            return field.get_attribute(obj)
        if field.default is not empty:
            return field.get_default()
        if field.allow_null:
            return None
        if not field.required:
            raise SkipField()
        raise error

    def read(obj):
        try:
            found = get(obj)
        except ObjectDoesNotExist:
            return None
        except AttributeError as error:
            return missing(obj, error)
        return found() if callable(found) and is_simple_callable(found) else found

    return read


def _writer(field: Field) -> Callable | None:
    """The field's ``to_representation`` for a value that is not None; None: the value itself."""
    kind = type(field)
    if kind is serializers.JSONField and not field.binary:
        return None
    if kind in _PLAIN_WRITERS:
        return _PLAIN_WRITERS[kind]
    if isinstance(field, serializers.ListSerializer):
        child = _compile(field.child)
        return lambda value: [child(item) for item in (value.all() if isinstance(value, Manager) else value)]
    if isinstance(field, serializers.BaseSerializer):
        return _compile(field)
    return field.to_representation


def _plain_field(field: Field) -> bool:
    cls = type(field)
    return cls.get_attribute is Field.get_attribute or isinstance(field, serializers.BaseSerializer)


def _field_function(field: Field) -> Callable:
    """``obj -> value`` of one field, as the serializer writes it (``SkipField``: left out)."""
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(field.parent, field.method_name)
    if not _plain_field(field):  # relations and other fields with their own reading

        def generic(obj):
            attribute = field.get_attribute(obj)
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            return None if check is None else field.to_representation(attribute)

        return generic
    read, write = _reader(field), _writer(field)
    if write is None:
        return read

    def value(obj):
        found = read(obj)
        return None if found is None else write(found)

    return value


def _compile(serializer: serializers.BaseSerializer) -> Callable[[object], dict]:
    functions = tuple(
        (name, _field_function(field)) for name, field in serializer.fields.items() if not field.write_only
    )

    def data(obj) -> dict:
        out = {}
        for name, function in functions:
            try:
                out[name] = function(obj)
            except SkipField:
                pass
        return out

    return data


# The context of the answer being built: a serializer method reads it as ``self.context``.
_context: ContextVar[dict | None] = ContextVar("representation_context", default=None)


class _CallContext(Mapping):
    def __getitem__(self, key):
        return (_context.get() or {})[key]

    def __iter__(self):
        return iter(_context.get() or {})

    def __len__(self):
        return len(_context.get() or {})


@functools.cache
def representation(serializer_class: type[serializers.BaseSerializer]) -> Callable[..., dict]:
    """``(obj, context=None) -> serializer_class(obj, context=context).data`` as a plain dict,
    compiled once from the declared fields (see the module docstring)."""
    compiled = _compile(serializer_class(context=_CallContext()))

    def data(obj, context: dict | None = None) -> dict:
        # A serializer method passing its own context on keeps the call's.
        token = _context.set(_context.get() if isinstance(context, _CallContext) else context)
        try:
            return compiled(obj)
        finally:
            _context.reset(token)

    return data
