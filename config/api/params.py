"""Query parameters: one way to read integers, and no empty values.

* ``parse_int(raw, name=..., minimum=..., maximum=...)`` is how every integer in a query string is
  read: ASCII digits with an optional sign, within the bounds, else a 400 in the error shape
  naming the parameter. Python's ``int()`` and ``str.isdigit()`` accept other digits
  (``int("٣") == 3``, ``"²".isdigit()`` but ``int("²")`` raises), so neither is used on request
  data. ``QueryIntegerField`` (query serializers) and ``IdFilter`` (django-filter) use it.
* ``EmptyQueryParameterMiddleware``: an API query parameter is absent or has a value;
  ``?status=`` is a 400 naming ``status`` (the schema says every query parameter is at least one
  character), never silently read as "no filter".
"""

import re

import django_filters
from django import forms
from django.http import JsonResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

ASCII_INTEGER = re.compile(r"[+-]?[0-9]{1,19}\Z")
# The largest id a BigAutoField holds (PostgreSQL bigint).
MAX_ID = 2**63 - 1
API_PREFIX = "/api/"


def bounds_message(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"A whole number from {minimum} to {maximum}."
    if minimum is not None:
        return f"A whole number, at least {minimum}."
    if maximum is not None:
        return f"A whole number, at most {maximum}."
    return "A whole number."


def to_int(raw, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``raw`` as an int when it is ASCII digits (optional sign) within the bounds; ``ValueError``
    with the message to show otherwise."""
    text = raw.strip() if isinstance(raw, str) else None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif text is not None and ASCII_INTEGER.match(text):
        value = int(text)
    else:
        raise ValueError(bounds_message(minimum, maximum))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(bounds_message(minimum, maximum))
    return value


def parse_int(raw, *, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """A query parameter's integer, or a 400 ``{name: [message]}``."""
    try:
        return to_int(raw, minimum=minimum, maximum=maximum)
    except ValueError as exc:
        raise exceptions.ValidationError({name: [str(exc)]}) from None


class QueryIntegerField(serializers.IntegerField):
    """``IntegerField`` for query serializers: ASCII digits only (``parse_int``'s rule)."""

    def to_internal_value(self, data):
        try:
            return to_int(data, minimum=self.min_value, maximum=self.max_value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None


class AsciiIntegerFormField(forms.IntegerField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return to_int(value, minimum=self.min_value, maximum=self.max_value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """Filter by an object id: a whole number from 1 to ``MAX_ID`` (documented so in the schema)."""

    field_class = AsciiIntegerFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class EmptyQueryParameterMiddleware:
    """A 400 for an API request with an empty query parameter value (``?sort=``). Swagger UI's
    page (not an API operation) asks for its start-up script with ``?script=``."""

    exempt_url_names = ("api:docs",)

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def exempt(self) -> set[str]:
        if self._exempt is None:
            self._exempt = {reverse(name) for name in self.exempt_url_names}
        return self._exempt

    def __call__(self, request):
        if request.path.startswith(API_PREFIX) and request.GET and request.path not in self.exempt():
            empty = sorted(name for name, values in request.GET.lists() if "" in values)
            if empty:
                return JsonResponse(
                    {name: ["Give a value or leave the parameter out."] for name in empty}, status=400
                )
        return self.get_response(request)
