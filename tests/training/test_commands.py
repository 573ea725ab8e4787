"""vdot and generate_training_plan commands; the periodic sweep task; the demo."""

import io

import pytest
from django.core.management import CommandError, call_command

from config.celery import app
from config.schedules import PERIODIC_TASKS
from training import demo
from training.models import Activity, PlanStatus, TrainingPlan


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_vdot_command_prints_vdot_paces_and_predictions():
    out = run("vdot", "--distance", "10k", "--time", "40:00")
    assert "VDOT 51.9" in out and "Threshold" in out and "Marathon" in out


@pytest.mark.parametrize(
    ("distance", "time"), [("10k", "4:00"), ("moon", "40:00"), ("10k", "forty"), ("100m", "0:10")]
)
def test_vdot_command_bad_input_is_a_command_error(distance, time):
    with pytest.raises(CommandError):
        run("vdot", "--distance", distance, "--time", time)


@pytest.mark.django_db
def test_generate_training_plan_dry_run_saves_nothing(runner):
    out = run(
        "generate_training_plan", "--user", runner.username, "--goal", "half", "--weeks", "12", "--dry-run"
    )
    assert "Half Marathon - 12 Week Plan" in out and "R = recovery week" in out and "#" in out
    assert not TrainingPlan.objects.exists()
    out = run(
        "generate_training_plan", "--user", runner.username, "--goal", "10k", "--weeks", "8", "--activate"
    )
    assert TrainingPlan.objects.get().status == PlanStatus.ACTIVE


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ["--user", "nobody", "--goal", "half", "--weeks", "12"],
        ["--goal", "half", "--weeks", "60"],
        ["--goal", "half"],
    ],
)
def test_generate_training_plan_bad_input_is_a_command_error(runner, args):
    if "--user" not in args:
        args = ["--user", runner.username, *args]
    with pytest.raises(CommandError):
        run("generate_training_plan", *args)


def test_the_hourly_sweep_names_a_registered_task():
    import training.tasks  # noqa: F401 - registers the task

    names = [spec["task"] for key, spec in PERIODIC_TASKS.items() if key.startswith("training:")]
    assert names == ["training.tasks.mark_missed_sessions"]
    assert all(name in app.tasks for name in names)


@pytest.mark.django_db
def test_demo_gives_athlete_a_profile_activities_and_an_active_half_plan_idempotently():
    from config.management.commands.seed_demo import demo_user

    athlete = demo_user("athlete", password="athlete")
    demo.seed(stdout=io.StringIO())
    first = (Activity.objects.count(), TrainingPlan.objects.count())
    demo.seed(stdout=io.StringIO())
    assert (Activity.objects.count(), TrainingPlan.objects.count()) == first
    plan = TrainingPlan.objects.get(user=athlete)
    assert plan.status == PlanStatus.ACTIVE and plan.goal_type == "half" and plan.duration_weeks == 12
    assert athlete.runner_profile.available_days
    weeks_with_runs = {a.started_at.isocalendar()[:2] for a in Activity.objects.filter(user=athlete)}
    assert len(weeks_with_runs) >= 8
    assert plan.sessions.filter(status="completed").exists()
