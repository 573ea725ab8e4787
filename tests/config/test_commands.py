"""The operator commands' shared helpers (config/commands.py): finding the user an argument names
and the progress bar that stays out of logs."""

import io

import pytest
from django.core.management import CommandError

from config.commands import object_named, progress_bar, user_named

pytestmark = pytest.mark.django_db


def test_a_user_is_found_by_username(user):
    assert user_named(user.username) == user


def test_a_username_that_does_not_exist_says_so(user):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        user_named("nobody")


def test_digits_are_a_username_unless_ids_are_allowed(user):
    with pytest.raises(CommandError, match="No user named"):
        user_named(str(user.pk))
    assert user_named(str(user.pk), or_id=True) == user
    assert user_named(user.username, or_id=True) == user
    with pytest.raises(CommandError, match=r"No user 'nobody' \(give a username or an id\)"):
        user_named("nobody", or_id=True)


def test_an_object_is_found_by_its_field_or_its_id(user, django_user_model):
    users = django_user_model.objects.all()
    assert object_named(users, user.username, field="username", error="none") == user
    assert object_named(users, str(user.pk), field="username", error="none") == user
    with pytest.raises(CommandError, match="^none$"):
        object_named(users, "999999", field="username", error="none")


def test_the_progress_bar_is_off_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with progress_bar(total=3, desc="rows") as bar:
        bar.update(3)
    assert bar.disable
    assert list(progress_bar(range(3))) == [0, 1, 2]
