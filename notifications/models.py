"""Preferences, devices, the cadence analyzer and the notification outbox."""

from django.db import models  # noqa: F401
