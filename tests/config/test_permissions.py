import pytest
from django.contrib.auth.models import Group, Permission

from config.permissions import CONTENT_DESIGNERS, content_model_grants, sync_content_designer_permissions

pytestmark = pytest.mark.django_db


def test_content_designers_group_exists_after_migrate():
    assert Group.objects.filter(name=CONTENT_DESIGNERS).exists()


def test_content_designers_never_get_user_or_audit_permissions():
    group = sync_content_designer_permissions()
    codenames = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert not codenames & {"auth", "authtoken", "admin", "sessions", "contenttypes"}


def test_content_designers_get_exactly_the_declared_rights():
    group = sync_content_designer_permissions()
    expected = set()
    for model, actions in content_model_grants():
        for action in actions:
            expected.add(f"{model._meta.app_label}.{action}_{model._meta.model_name}")
    granted = {
        f"{app}.{code}" for app, code in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert granted == expected
    assert Permission.objects.count() > len(granted)
