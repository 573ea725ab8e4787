"""``manage.py unlock_signin``: lift sign-in lockouts (the failures django-axes counts)."""

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Lift sign-in lockouts: forget the wrong passwords counted for a username, for a client "
        "address, or all of them, so the next sign-in is judged afresh. Lockouts also end by "
        "themselves after SIGNIN_COOLOFF_MIN minutes. The admin lists them under Axes > Access attempts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", help="Unlock this username (from every address).")
        parser.add_argument("--address", help="Unlock this client address (for every username).")
        parser.add_argument("--all", action="store_true", help="Unlock everyone.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many failure records would go; change nothing."
        )

    def handle(self, *args, username=None, address=None, all=False, dry_run=False, **options):
        if not (username or address or all):
            raise CommandError("Name a --username, an --address, or --all.")
        if all and (username or address):
            raise CommandError("--all unlocks everyone: give it alone.")
        attempts = AccessAttempt.objects.all()
        if username:
            attempts = attempts.filter(username=username)
        if address:
            attempts = attempts.filter(ip_address=address)
        if dry_run:
            self.stdout.write(f"{attempts.count()} failure record(s) would be removed.")
            return
        if all:
            count = AxesProxyHandler.reset_attempts()
        else:
            count = AxesProxyHandler.reset_attempts(ip_address=address, username=username)
        self.stdout.write(self.style.SUCCESS(f"Removed {count} failure record(s)."))
