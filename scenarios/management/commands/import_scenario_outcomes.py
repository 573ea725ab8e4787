"""``manage.py import_scenario_outcomes ATTEMPTS.csv OUTCOMES.csv [--dry-run]``."""

from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError

from config.commands import progress_bar
from scenarios import legacy


class Command(BaseCommand):
    help = (
        "Import the old scenario_attempts / scenario_outcomes rows, exported as CSV, into user "
        "progress and scenario metadata. Safe to run again: rows already imported (by id) are "
        "skipped. A malformed row stops the import with its file, line and reason, and nothing "
        "is imported.\n\n" + legacy.__doc__.split("Expected columns", 1)[1].join(["Expected columns", ""])
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("attempts", metavar="ATTEMPTS.csv", help="export of scenario_attempts")
        parser.add_argument("outcomes", metavar="OUTCOMES.csv", help="export of scenario_outcomes")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count everything, then roll back."
        )

    def handle(self, *args, attempts, outcomes, dry_run=False, **options):
        with progress_bar(unit="row", desc="reading") as bar:
            try:
                summary = legacy.scenario_outcomes_import(
                    attempts_path=attempts, outcomes_path=outcomes, dry_run=dry_run, progress=bar
                )
            except legacy.ImportRowError as exc:
                raise CommandError(f"Nothing imported. {exc}") from exc
        prefix = "Dry run, nothing written: would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix} {summary.attempts_new} of {summary.attempts_read} attempt row(s) and "
                f"{summary.outcomes_new} of {summary.outcomes_read} outcome row(s) "
                f"(the rest were imported before): {summary.progress_created} progress row(s) "
                f"created, {summary.progress_updated} updated, metadata of "
                f"{summary.scenarios_touched} scenario(s) recounted."
            )
        )
