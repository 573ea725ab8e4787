"""Model fields and choices several apps declare alike.

* ``TimeZoneField``: an IANA time zone name (``Europe/Berlin``, ``UTC``), checked against the names
  zoneinfo knows; the admin's forms and the API's model serializers show ``validate_time_zone``'s
  message. Stored as a ``varchar(64)``, as before.
* ``Level``: beginner, intermediate, advanced: a runner's experience (training), a course's
  difficulty (progress) and a scenario's difficulty (scenarios).
"""

from django.core.exceptions import ValidationError
from django.db import models

from .timezones import is_time_zone


def validate_time_zone(value: str):
    """An IANA time zone name that zoneinfo knows (``Europe/Berlin``, ``UTC``)."""
    if not is_time_zone(value):
        raise ValidationError(f"{value!r} is not an IANA time zone name.", code="invalid_time_zone")


class TimeZoneField(models.CharField):
    """An IANA time zone name; ``UTC`` unless told otherwise."""

    default_validators = [validate_time_zone]

    def __init__(self, verbose_name="time zone", **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("default", "UTC")
        super().__init__(verbose_name, **kwargs)


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
