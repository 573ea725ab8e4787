import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def row_counts():
    """Rows per model in every project app, plus users, groups and tokens."""
    labels = {"curriculum", "training", "progress", "scenarios", "notifications", "platform"}
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }
    counts["auth.User"] = get_user_model().objects.count()
    counts["authtoken.Token"] = Token.objects.count()
    return counts


def test_seed_demo_twice_gives_the_same_rows(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = row_counts()
    tokens = dict(Token.objects.values_list("user__username", "key"))
    call_command("seed_demo")
    assert row_counts() == first
    assert dict(Token.objects.values_list("user__username", "key")) == tokens
    out = capsys.readouterr().out
    assert f"token {tokens['athlete']}" in out


def test_seed_demo_creates_the_demo_roles(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--skip-content")
    User = get_user_model()
    admin = User.objects.get(username="admin")
    designer = User.objects.get(username="designer")
    athlete = User.objects.get(username="athlete")
    assert admin.is_superuser and admin.check_password("admin")
    assert designer.is_staff and not designer.is_superuser
    assert designer.groups.filter(name="Content designers").exists()
    assert not athlete.is_staff and athlete.check_password("athlete")


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="admin").exists()
