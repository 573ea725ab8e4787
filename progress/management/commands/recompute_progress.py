"""``manage.py recompute_progress``: rebuild roll-ups from block states and report drift."""

from django.core.management.base import BaseCommand

from config.commands import progress_bar, user_named
from progress.services import progress_recompute
from progress.services.recompute import learners_in_scope

from .compute_learning_analytics import community_named


class Command(BaseCommand):
    help = (
        "Recompute every learner's page, WOD, course and program roll-ups from their block states, "
        "report the rows that had drifted and fix them (unless --dry-run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", help="Only this community (slug or id).")
        parser.add_argument("--user", help="Only this learner (username or id).")
        parser.add_argument("--dry-run", action="store_true", help="Report drift without fixing it.")
        parser.add_argument(
            "--show", type=int, default=20, help="How many drifted rows to list (default 20)."
        )

    def handle(self, *args, **options):
        community = community_named(options["community"]) if options["community"] else None
        user = user_named(options["user"], or_id=True) if options["user"] else None
        users = list(learners_in_scope(community=community, user=user))
        with progress_bar(total=len(users), desc="learners", unit="learner") as bar:
            result = progress_recompute(
                community=community,
                user=user,
                dry_run=options["dry_run"],
                users=users,
                on_user=lambda: bar.update(1),
            )
        for entry in result.drift[: options["show"]]:
            self.stdout.write(
                f"  drift: user {entry['user']} {entry['node_type']} {entry['node_id']}: {entry['fields']}"
            )
        verb = "found (dry run, nothing changed)" if options["dry_run"] else "fixed"
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {result.rows_checked} roll-ups of {result.users} learners; "
                f"drift: {result.drift_rows} rows {verb}."
            )
        )
