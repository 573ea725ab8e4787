import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from config.permissions import (
    COACHES,
    CONTENT_DESIGNERS,
    OPERATORS,
    coach_model_grants,
    content_model_grants,
    operator_model_grants,
    sync_coach_permissions,
    sync_content_designer_permissions,
    sync_operator_permissions,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERIODIC = ("periodictask", "crontabschedule", "intervalschedule", "solarschedule", "clockedschedule")


def granted(group):
    return {
        f"{app}.{code}" for app, code in group.permissions.values_list("content_type__app_label", "codename")
    }


def expected(grants):
    return {
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model, actions in grants
        for action in actions
    }


def test_both_groups_exist_after_migrate():
    assert Group.objects.filter(name=CONTENT_DESIGNERS).exists()
    assert Group.objects.filter(name=OPERATORS).exists()
    assert Group.objects.filter(name=COACHES).exists()


@pytest.mark.parametrize(
    "sync", [sync_content_designer_permissions, sync_coach_permissions, sync_operator_permissions]
)
def test_groups_never_get_user_token_or_device_permissions(sync):
    group = sync()
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert not labels & {"auth", "authtoken", "knox", "otp_totp", "admin", "sessions", "contenttypes"}
    assert not group.permissions.filter(codename__in=["change_runnerdataaccess", "delete_runnerdataaccess"])


def test_coaches_get_exactly_the_declared_rights_and_only_view():
    group = sync_coach_permissions()
    assert granted(group) == expected(coach_model_grants())
    assert granted(group) and all(".view_" in perm for perm in granted(group))


def test_content_designers_get_exactly_the_declared_rights():
    group = sync_content_designer_permissions()
    assert granted(group) == expected(content_model_grants())
    assert Permission.objects.count() > len(granted(group))


def test_operators_get_exactly_the_declared_rights():
    group = sync_operator_permissions()
    assert granted(group) == expected(operator_model_grants())
    assert {f"django_celery_beat.{a}_{m}" for m in PERIODIC for a in ("add", "change", "delete")} <= granted(
        group
    )


def test_content_designers_may_only_view_periodic_tasks_even_if_they_could_change_them_before():
    group = Group.objects.get(name=CONTENT_DESIGNERS)
    group.permissions.add(
        *Permission.objects.filter(codename__in=["add_periodictask", "change_periodictask"])
    )
    sync_content_designer_permissions()
    beat = {
        code
        for app, code in group.permissions.values_list("content_type__app_label", "codename")
        if app == "django_celery_beat"
    }
    assert beat == {f"view_{model}" for model in PERIODIC}


def member_of(name):
    sync_content_designer_permissions()
    sync_operator_permissions()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=name))
    return user


def test_a_designer_cannot_add_a_periodic_task_and_an_operator_can(client):
    add = reverse("admin:django_celery_beat_periodictask_add")
    client.force_login(member_of(CONTENT_DESIGNERS))
    assert client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 200
    assert client.get(add).status_code == 403
    client.force_login(member_of(OPERATORS))
    assert client.get(add).status_code == 200
