"""``manage.py rebuild_curriculum_stats [--dry-run]``: recompute outcome statistics from history."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from config.commands import progress_bar
from curriculum.models import Alternative
from curriculum.services import curriculum_stats_rebuild


class Command(BaseCommand):
    help = (
        "Recompute every alternative's outcome statistics (per trait segment and for all learners) "
        "from the outcome history, correct the rows that drifted and print the drift."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report the drift without correcting anything."
        )

    def handle(self, *args, **options):
        dry_run = options["dry_run"]

        def progress(keys):
            return progress_bar(keys, desc="statistics", unit="row")

        try:
            drift = curriculum_stats_rebuild(dry_run=dry_run, progress=progress)
        except DatabaseError as exc:
            raise CommandError(f"Could not rebuild the statistics: {exc}") from exc
        labels = {
            a.pk: f"{a.step.curriculum.slug} step {a.step.order} Plan {a.code}"
            for a in Alternative.objects.filter(pk__in={d.alternative_id for d in drift}).select_related(
                "step__curriculum"
            )
        }
        for item in drift:
            label = labels.get(item.alternative_id, f"alternative {item.alternative_id}")
            self.stdout.write(
                f"{label} [{item.segment}]: attempts {item.before[0]} -> {item.after[0]}, "
                f"successes {item.before[1]} -> {item.after[1]}"
            )
        verb = "would be corrected (dry run, nothing changed)" if dry_run else "corrected"
        message = (
            f"{len(drift)} statistics row(s) drifted; {verb}."
            if drift
            else "No drift: statistics match the history."
        )
        self.stdout.write(
            self.style.SUCCESS(message) if not drift or not dry_run else self.style.WARNING(message)
        )
