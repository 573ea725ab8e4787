"""Celery tasks for curriculum: take ids, re-fetch, call one service."""
