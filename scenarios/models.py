"""Conversation scenarios, their app-wide metadata and each user's progress."""

from django.db import models  # noqa: F401
