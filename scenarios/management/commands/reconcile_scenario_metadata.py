"""``manage.py reconcile_scenario_metadata [--dry-run] [--recent]``."""

from django.core.management.base import BaseCommand

from config.commands import progress_bar
from scenarios import services
from scenarios.models import Scenario


class Command(BaseCommand):
    help = (
        "Recount every scenario's metadata (saves, attempts, completions, ratings, time spent) "
        "from user progress, correct the rows that drifted and print how many. Drift is also "
        "logged as a warning. The same recount runs hourly (recent activity) and nightly (all)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count and report drift without correcting it."
        )
        parser.add_argument(
            "--recent",
            action="store_true",
            help="Only scenarios with activity in the last SCENARIO_RECONCILE_RECENT_HOURS.",
        )
        parser.add_argument(
            "--rebuild-trending",
            action="store_true",
            help="Also rebuild trending scores from each user's last attempt and completion "
            "(after changing SCENARIO_TRENDING_HALF_LIFE_HOURS; an approximation).",
        )

    def handle(self, *args, dry_run=False, recent=False, rebuild_trending=False, **options):
        if recent:
            result = services.scenario_metadata_reconcile_recent(dry_run=dry_run)
        else:
            with progress_bar(total=Scenario.objects.count(), unit="scenario") as bar:
                result = services.scenario_metadata_reconcile(dry_run=dry_run, progress_bar=bar)
        verb = "would correct" if dry_run else "corrected"
        for row in result.drift[:20]:
            self.stdout.write(f"  drift {row}")
        message = f"Checked {result.checked} scenario(s); {verb} {result.corrected} row(s)"
        if result.created:
            message += f"; {'would create' if dry_run else 'created'} {result.created} missing row(s)"
        if result.rescored:
            message += f"; rescored {result.rescored} Bayesian rating(s)"
        if result.recopied:
            verb_copy = "would copy" if dry_run else "copied"
            message += f"; {verb_copy} the filter columns of {result.recopied} scenario(s)"
        style = self.style.WARNING if result.corrected else self.style.SUCCESS
        self.stdout.write(style(message + "."))
        if rebuild_trending:
            count = services.scenario_trending_rebuild(dry_run=dry_run)
            self.stdout.write(f"{'Would rebuild' if dry_run else 'Rebuilt'} {count} trending score(s).")
