"""``manage.py analyze_cadence [--user USERNAME]``."""

from django.core.management.base import BaseCommand

from config.commands import progress_bar, user_named
from notifications.analyzer import profiles_recompute
from training.models import PlanStatus, TrainingPlan


class Command(BaseCommand):
    help = (
        "Recompute the behaviour profile (prime window, confidence, habits, weekday patterns, "
        "deviation flags) of every active plan, or only USERNAME's, from the last "
        "NOTIFICATIONS_CADENCE_DAYS days of activities and completed sessions. The nightly job "
        "runs the same."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", help="Only this user's active plan.")

    def handle(self, *args, user=None, **options):
        user = user_named(user) if user else None
        plans = TrainingPlan.objects.filter(status=PlanStatus.ACTIVE)
        if user is not None:
            plans = plans.filter(user=user)
        with progress_bar(total=plans.count(), desc="plans", unit="plan") as bar:
            result = profiles_recompute(user=user, progress=bar.update)
        self.stdout.write(
            f"{result.profiles} profile(s) recomputed; {result.fallbacks} use the plan's default time "
            "(few or irregular samples)."
        )
