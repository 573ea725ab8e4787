"""``manage.py sweep_notifications``."""

from django.core.management.base import BaseCommand

from notifications.sweep import sweep


class Command(BaseCommand):
    help = (
        "Send every notification that is due now, in this process (the same sweep the periodic "
        "job runs every 15 minutes), and print the counts: claimed, sent, suppressed, expired, "
        "cancelled, deferred (quiet hours or snooze), retried, failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, help="Rows claimed per transaction.")

    def handle(self, *args, batch_size=None, **options):
        result = sweep(batch_size=batch_size)
        counts = ", ".join(f"{name} {value}" for name, value in result.as_dict().items())
        self.stdout.write(counts)
        for kind, n in sorted(result.by_kind.items()):
            self.stdout.write(f"  sent {kind}: {n}")
