"""Celery tasks for scenarios: take ids, re-fetch, call one service."""

from celery import shared_task

from . import services


@shared_task(name="scenarios.tasks.reconcile_recent_metadata")
def reconcile_recent_metadata():
    """Recount the metadata of scenarios with recent activity; returns rows corrected."""
    return services.scenario_metadata_reconcile_recent().corrected


@shared_task(name="scenarios.tasks.reconcile_all_metadata")
def reconcile_all_metadata():
    """Recount the metadata of every scenario; returns rows corrected."""
    return services.scenario_metadata_reconcile().corrected
