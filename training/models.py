"""Runner profiles, activities, training plans (season, week, day) and planned sessions."""

from django.db import models  # noqa: F401
