"""Celery tasks for notifications: take ids, re-fetch, call one service."""
