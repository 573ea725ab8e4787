"""Celery tasks for training: take ids, re-fetch, call one service."""
