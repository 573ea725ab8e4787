"""What the operator commands (``<app>/management/commands/``) share: finding the user or object an
argument names, and the progress bar on long work."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from tqdm import tqdm


def progress_bar(iterable=None, **kwargs) -> tqdm:
    """A tqdm bar on stderr, drawn only when stderr is a terminal (never in logs, cron mail or
    tests); ``desc``, ``unit`` and ``total`` as tqdm takes them. Use as a context manager, or
    iterate over it when given an iterable."""
    return tqdm(iterable, file=sys.stderr, disable=not sys.stderr.isatty(), **kwargs)


def object_named(queryset, value: str, *, field: str, error: str):
    """The row whose ``field`` is ``value``, or whose id is, when ``value`` is all digits;
    ``CommandError(error)`` when there is none."""
    lookup = {"pk": int(value)} if value.isdigit() else {field: value}
    found = queryset.filter(**lookup).first()
    if found is None:
        raise CommandError(error)
    return found


def user_named(value: str, *, or_id: bool = False):
    """The user with this username (or id, with ``or_id``); ``CommandError`` naming it if none."""
    User = get_user_model()
    if or_id:
        error = f"No user {value!r} (give a username or an id)."
        return object_named(User.objects.all(), value, field=User.USERNAME_FIELD, error=error)
    user = User.objects.filter(**{User.USERNAME_FIELD: value}).first()
    if user is None:
        raise CommandError(f"No user named {value!r}.")
    return user
