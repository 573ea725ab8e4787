"""Runners' personal data in the admin: designers never, coaches read-only with every read logged,
delete for superusers only; the access log is append-only."""

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, transaction
from django.urls import reverse

from config.models import RunnerDataAccess
from config.permissions import (
    COACHES,
    CONTENT_DESIGNERS,
    OPERATORS,
    coach_model_grants,
    sync_coach_permissions,
    sync_content_designer_permissions,
    sync_operator_permissions,
)
from notifications.models import Device
from tests.factories import UserFactory
from tests.training.factories import RunnerProfileFactory
from training import services
from training.models import Activity, PlannedSession, RunnerProfile, TrainingPlan

pytestmark = pytest.mark.django_db

RUNNER_DATA = [
    "training.runnerprofile",
    "training.activity",
    "training.trainingplan",
    "training.plannedsession",
    "training.calendarsubscription",
    "notifications.notificationpreferences",
    "notifications.device",
    "notifications.notification",
    "notifications.behaviorprofile",
]


def member_of(name, **fields):
    sync_content_designer_permissions()
    sync_coach_permissions()
    sync_operator_permissions()
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def plan():
    runner = RunnerProfileFactory().user
    plan = services.plan_generate(user=runner, goal_type="half", duration_weeks=12)
    Device.objects.create(user=runner, platform="fcm", token="device-token-1")
    return plan


def admin_urls(plan):
    session = plan.sessions.first()
    profile = RunnerProfile.objects.get(user=plan.user)
    return {
        "profile": reverse("admin:training_runnerprofile_change", args=[profile.pk]),
        "plan": reverse("admin:training_trainingplan_change", args=[plan.pk]),
        "plan_delete": reverse("admin:training_trainingplan_delete", args=[plan.pk]),
        "session": reverse("admin:training_plannedsession_change", args=[session.pk]),
    }


@pytest.mark.parametrize("label", RUNNER_DATA)
def test_designers_get_a_403_on_every_runner_data_page(client, plan, label):
    app, model = label.split(".")
    client.force_login(member_of(CONTENT_DESIGNERS))
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 403
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403


def test_designers_have_no_permission_on_runner_data_and_no_link_to_it(client, plan):
    designer = member_of(CONTENT_DESIGNERS)
    perms = designer.get_all_permissions()
    assert not [
        p for p in perms if p.split(".")[1].rsplit("_", 1)[-1] in {m.split(".")[1] for m in RUNNER_DATA}
    ]
    client.force_login(designer)
    index = client.get("/admin/").content.decode()
    for label in RUNNER_DATA:
        app, model = label.split(".")
        assert f"/admin/{app}/{model}/" not in index
    for url in admin_urls(plan).values():
        assert client.get(url).status_code == 403
    assert not RunnerDataAccess.objects.exists()


def test_coaches_may_only_view_runner_data(client, plan):
    coach = member_of(COACHES)
    client.force_login(coach)
    urls = admin_urls(plan)
    page = client.get(urls["plan"])
    assert page.status_code == 200
    assert 'class="trend-chart"' in page.content.decode()  # the charts render in the view-only page
    assert 'name="_save"' not in page.content.decode()
    assert client.post(urls["plan"], {"name": "changed"}).status_code == 403
    assert client.get(urls["plan_delete"]).status_code == 403
    assert client.get(reverse("admin:training_trainingplan_generate")).status_code == 403
    changelist = reverse("admin:training_trainingplan_changelist")
    client.post(changelist, {"action": "activate", "_selected_action": [plan.pk]})
    assert TrainingPlan.objects.get(pk=plan.pk).status == "draft"
    assert coach.get_all_permissions() == {
        f"{model._meta.app_label}.view_{model._meta.model_name}" for model, _ in coach_model_grants()
    }
    assert client.get(reverse("admin:training_calendarsubscription_changelist")).status_code == 403


def test_every_admin_read_of_runner_data_is_logged(client, plan):
    coach = member_of(COACHES)
    client.force_login(coach)
    runner = plan.user
    client.get(admin_urls(plan)["plan"])
    entry = RunnerDataAccess.objects.get()
    assert (entry.reader_id, entry.reader_username, entry.action) == (coach.pk, coach.username, "view")
    assert (entry.runner_id, entry.runner_username, entry.object_id) == (
        runner.pk,
        runner.username,
        str(plan.pk),
    )
    assert entry.content_type.model == "trainingplan"
    assert entry.path == admin_urls(plan)["plan"]

    # A list page logs each row it shows, in one insert.
    sessions = PlannedSession.objects.filter(plan=plan).count()
    response = client.get(reverse("admin:training_plannedsession_changelist") + "?all=")
    assert response.status_code == 200
    listed = RunnerDataAccess.objects.filter(action="list", content_type__model="plannedsession")
    assert listed.count() == min(sessions, 100)
    assert set(listed.values_list("runner_username", flat=True)) == {runner.username}
    client.get(reverse("admin:notifications_device_changelist"))
    assert RunnerDataAccess.objects.filter(content_type__model="device", runner_id=runner.pk).count() == 1


def test_deleting_runner_data_is_for_superusers_only(client, plan):
    operator = member_of(OPERATORS)
    coach = member_of(COACHES)
    activity = Activity.objects.create(
        user=plan.user, started_at="2026-01-05T07:00:00+00:00", duration_s=1800, distance_m=5000
    )
    delete = reverse("admin:training_activity_delete", args=[activity.pk])
    for user in (operator, coach):
        client.force_login(user)
        assert client.post(delete, {"post": "yes"}).status_code == 403
    # Even a staff user given the delete permission by hand cannot.
    from django.contrib.auth.models import Permission

    coach.user_permissions.add(Permission.objects.get(codename="delete_activity"))
    client.force_login(coach)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_the_access_log_cannot_be_changed_by_anyone(client, plan):
    coach = member_of(COACHES)
    client.force_login(coach)
    client.get(admin_urls(plan)["profile"])
    entry = RunnerDataAccess.objects.get()
    # Nobody may change or delete it in the admin, superusers included; operators may read it.
    root = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(root)
    change = reverse("admin:platform_runnerdataaccess_change", args=[entry.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change, {"reader_username": "someone"}).status_code == 403
    assert client.get(reverse("admin:platform_runnerdataaccess_delete", args=[entry.pk])).status_code == 403
    client.force_login(member_of(OPERATORS))
    assert client.get(reverse("admin:platform_runnerdataaccess_changelist")).status_code == 200
    client.force_login(coach)
    assert client.get(reverse("admin:platform_runnerdataaccess_changelist")).status_code == 403
    # No change or delete permission exists to grant.
    from django.contrib.auth.models import Permission

    codes = set(
        Permission.objects.filter(content_type__model="runnerdataaccess").values_list("codename", flat=True)
    )
    assert codes == {"view_runnerdataaccess"}
    # The model and the database refuse too.
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        RunnerDataAccess.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        from django.db.models import QuerySet

        QuerySet(RunnerDataAccess).filter(pk=entry.pk).update(reader_username="someone")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        from django.db.models import QuerySet

        QuerySet(RunnerDataAccess).filter(pk=entry.pk)._raw_delete(using="default")
    entry.refresh_from_db()
    assert entry.reader_username == coach.username


def test_migrate_keeps_each_group_to_its_declared_grants():
    from django.core.management import call_command

    coaches = member_of(COACHES).groups.get()
    from django.contrib.auth.models import Permission

    coaches.permissions.add(Permission.objects.get(codename="change_trainingplan"))
    call_command("migrate", verbosity=0)
    assert not coaches.permissions.filter(codename="change_trainingplan").exists()
    assert coaches.permissions.filter(codename="view_trainingplan").exists()
