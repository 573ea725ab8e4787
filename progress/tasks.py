"""Celery tasks for progress: take ids, re-fetch, call one service."""
