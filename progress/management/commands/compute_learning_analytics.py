"""``manage.py compute_learning_analytics``: compute daily, weekly or monthly analytics rows."""

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError

from config.commands import object_named, progress_bar
from progress.models import AnalyticsPeriod, Community
from progress.services.analytics import learning_analytics_compute


class Command(BaseCommand):
    help = (
        "Compute the learning analytics rows (one per member and community) of the day, week "
        "(Monday-Sunday) or month containing --date (default: yesterday). Running it again "
        "replaces the period's rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, choices=AnalyticsPeriod.values, help="daily, weekly or monthly."
        )
        parser.add_argument("--date", help="Any day of the period, YYYY-MM-DD (default: yesterday in --tz).")
        parser.add_argument("--community", help="Only this community (slug or id).")
        parser.add_argument("--tz", default="UTC", help="IANA time zone the days are cut in (default UTC).")
        parser.add_argument("--dry-run", action="store_true", help="Compute and report without writing rows.")

    def handle(self, *args, **options):
        try:
            tz = ZoneInfo(options["tz"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(
                f"Unknown time zone {options['tz']!r} (use an IANA name like Europe/Berlin)."
            ) from exc
        day = None
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"Bad --date {options['date']!r}: use YYYY-MM-DD.") from exc
        community = community_named(options["community"]) if options["community"] else None
        total = 1 if community else Community.objects.count()
        with progress_bar(total=total, desc="communities", unit="community") as bar:
            result = learning_analytics_compute(
                period=options["period"],
                day=day,
                community=community,
                tz=tz,
                dry_run=options["dry_run"],
                progress=lambda: bar.update(1),
            )
        verb = "computed (dry run, nothing written)" if options["dry_run"] else "written"
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.period} {result.period_start}..{result.period_end} ({result.time_zone}): "
                f"{result.rows} rows for {result.communities} communities {verb}."
            )
        )


def community_named(value: str) -> Community:
    """The community with this slug or id (``--community``)."""
    error = f"No community {value!r} (give a slug or an id)."
    return object_named(Community.objects.all(), value, field="slug", error=error)
