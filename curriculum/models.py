"""Curricula, steps and their Plan A/B/C/D alternatives, outcomes and smart plan selection."""

from django.db import models  # noqa: F401
