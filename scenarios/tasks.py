"""Celery tasks for scenarios: take ids, re-fetch, call one service."""
