from django.core.management.base import BaseCommand

from config.schedules import PERIODIC_TASKS, sync_periodic_tasks


class Command(BaseCommand):
    help = (
        "Write the periodic jobs declared in config/schedules.py to the admin's Periodic tasks. "
        "Existing ones keep the schedule operators gave them unless --reset is given. "
        "(migrate does this too.)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore every declared task to its declared schedule, undoing admin changes.",
        )

    def handle(self, *args, **options):
        changed = sync_periodic_tasks(reset=options["reset"], stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"{len(PERIODIC_TASKS)} periodic tasks declared, {len(changed)} written.")
        )
