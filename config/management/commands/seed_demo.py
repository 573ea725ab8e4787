"""``manage.py seed_demo``: the embedded demo's users, tokens and content.

Idempotent: running it twice leaves the same rows. Each app adds its own demo content in
``<app>/demo.py`` with ``seed(*, stdout) -> list[DemoLogin] | None``; this command calls them
in ``INSTALLED_APPS`` order and prints every demo login with a new API token at the end (tokens
are stored as digests, so each run issues fresh ones and ends the ones it printed before).
"""

import os
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.permissions import COACHES, CONTENT_DESIGNERS
from config.revisions import initial_revisions_create
from config.services import api_token_issue, api_tokens_revoke_all


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


def demo_user(username, *, password, email="", staff=False, superuser=False, groups=()):
    """Create or reset a demo user with a known password (``seed_demo`` issues the tokens)."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.email = email or f"{username}@example.com"
    user.is_staff = staff or superuser
    user.is_superuser = superuser
    user.is_active = True
    user.set_password(password)
    user.save()
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


class Command(BaseCommand):
    help = (
        "Create the embedded demo: users admin/admin (superuser), designer/designer (content "
        "designer), coach/coach (reads runners' data), athlete/athlete (API user) with new API "
        "tokens, and every app's demo content. "
        "Safe to run again. Refuses to run with DEBUG off."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-content",
            action="store_true",
            help="Only create the demo users, not the apps' demo content.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with well-known passwords and only runs with DEBUG on "
                "(the embedded default). Refusing to run with DEBUG off."
            )
        logins = [
            DemoLogin("admin", "admin", "superuser: the admin at /admin/"),
            DemoLogin("designer", "designer", "content designer: the admin at /admin/"),
            DemoLogin("coach", "coach", "coach: reads runners' data in the admin, every read logged"),
            DemoLogin("athlete", "athlete", "API user"),
        ]
        with transaction.atomic():
            demo_user("admin", password="admin", superuser=True)
            demo_user("designer", password="designer", staff=True, groups=[CONTENT_DESIGNERS])
            demo_user("coach", password="coach", staff=True, groups=[COACHES])
            demo_user("athlete", password="athlete")
        if not options["skip_content"]:
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if config.name.startswith("django") or find_spec(module_name) is None:
                    continue
                self.stdout.write(f"Seeding {config.verbose_name} demo content ...")
                with transaction.atomic():
                    added = import_module(module_name).seed(stdout=self.stdout)
                logins.extend(added or [])
            # Every demo object gets its initial revision, so a first edit can be undone.
            initial_revisions_create()
        self.print_logins(logins)

    def print_logins(self, logins):
        User = get_user_model()
        users = User.objects.in_bulk([login.username for login in logins], field_name="username")
        tokens = {}
        with transaction.atomic():
            for user in users.values():
                api_tokens_revoke_all(user_id=user.pk)
                tokens[user.username] = api_token_issue(user=user)[1]
        self.stdout.write(self.style.SUCCESS("\nDemo logins (embedded default only):"))
        for login in logins:
            self.stdout.write(
                f"  {login.username:<10} password {login.password:<10} "
                f"token {tokens.get(login.username, '-')}"
                f"  ({login.role})"
            )
        base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        self.stdout.write(f"  Admin: {base}/admin/   API docs: {base}/api/v1/docs/")
