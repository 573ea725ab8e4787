from django.core.management.base import BaseCommand, CommandError

from config.models import PendingTask
from config.outbox import pending_tasks_republish


class Command(BaseCommand):
    help = (
        "Send again the tasks the broker refused when they were enqueued (kept in the pending task "
        "outbox), oldest first; the periodic job 'platform: re-publish pending tasks' does the same."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list the pending tasks; send nothing."
        )

    def handle(self, *args, **options):
        if options["dry_run"]:
            rows = PendingTask.objects.order_by("created_at", "pk")
            for row in rows:
                self.stdout.write(f"{row.created_at:%Y-%m-%d %H:%M:%S} {row.task} attempts={row.attempts}")
            self.stdout.write(f"{rows.count()} pending tasks.")
            return
        result = pending_tasks_republish()
        self.stdout.write(
            f"{result['sent']} re-published, {result['failed']} failed, {result['unknown']} unknown, "
            f"{result['left']} left."
        )
        if result["failed"]:
            raise CommandError("The broker is still unreachable; the remaining tasks stay pending.")
