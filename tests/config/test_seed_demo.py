import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from knox.models import AuthToken

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
    counts["knox.AuthToken"] = AuthToken.objects.count()
    return counts


def printed_tokens(out: str) -> dict[str, str]:
    return {line.split()[0]: line.split()[4] for line in out.splitlines() if " token " in line}


def test_seed_demo_twice_gives_the_same_rows_and_prints_working_tokens(settings, capsys, api_client):
    settings.DEBUG = True
    call_command("seed_demo")
    first = row_counts()
    first_tokens = printed_tokens(capsys.readouterr().out)
    call_command("seed_demo")
    assert row_counts() == first
    tokens = printed_tokens(capsys.readouterr().out)
    assert set(tokens) >= {"admin", "designer", "coach", "athlete", "learner"}
    # Only digests are stored: each run prints fresh tokens and ends the ones it printed before.
    assert not set(tokens.values()) & set(first_tokens.values())
    assert AuthToken.objects.filter(user__username="athlete").count() == 1
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {tokens['athlete']}")
    assert api_client.get("/api/v1/runner-profile/").status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first_tokens['athlete']}")
    assert api_client.get("/api/v1/runner-profile/").status_code == 401


def test_seed_demo_creates_the_demo_roles(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--skip-content")
    User = get_user_model()
    admin = User.objects.get(username="admin")
    designer = User.objects.get(username="designer")
    coach = User.objects.get(username="coach")
    athlete = User.objects.get(username="athlete")
    assert admin.is_superuser and admin.check_password("admin")
    assert designer.is_staff and not designer.is_superuser
    assert designer.groups.filter(name="Content designers").exists()
    assert coach.is_staff and not coach.is_superuser and coach.check_password("coach")
    assert list(coach.groups.values_list("name", flat=True)) == ["Coaches"]
    assert not athlete.is_staff and athlete.check_password("athlete")


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="admin").exists()
