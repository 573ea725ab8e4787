from config.celery import app
from config.schedules import PERIODIC_TASKS


def test_every_scenario_schedule_names_a_registered_task():
    import scenarios.tasks  # noqa: F401 - registers the tasks

    names = [spec["task"] for key, spec in PERIODIC_TASKS.items() if key.startswith("scenarios:")]
    assert names == ["scenarios.tasks.reconcile_recent_metadata", "scenarios.tasks.reconcile_all_metadata"]
    assert all(name in app.tasks for name in names)
