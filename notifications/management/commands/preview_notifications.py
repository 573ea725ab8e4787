"""``manage.py preview_notifications --user USERNAME [--date YYYY-MM-DD]``."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from config.commands import user_named
from config.timezones import local_today
from notifications.selectors import preferences_get, preview_day
from training.models import PlanStatus, TrainingPlan


class Command(BaseCommand):
    help = (
        "Print what the user's active plan would send on a local day, one line each: kind, local "
        "time, UTC time, reason (and the status of rows already in the outbox). Works for any date "
        "the plan covers, not only inside the scheduling horizon. Writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username.")
        parser.add_argument(
            "--date", help="Local date YYYY-MM-DD in the user's time zone (default: tomorrow there)."
        )

    def handle(self, *args, user, date=None, **options):
        user = user_named(user)
        plan = TrainingPlan.objects.filter(user=user, status=PlanStatus.ACTIVE).first()
        if plan is None:
            raise CommandError(f"{user.username} has no active plan.")
        zone = preferences_get(user=user).zone
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from exc
        else:
            day = local_today(zone) + dt.timedelta(days=1)
        if not (plan.start_date - dt.timedelta(days=1) <= day <= plan.end_date + dt.timedelta(days=7)):
            raise CommandError(
                f"{day} is outside the plan “{plan.name}” ({plan.start_date} to {plan.end_date})."
            )
        rows = preview_day(user=user, day=day)
        self.stdout.write(f"{user.username}, {day} ({zone.key}), plan “{plan.name}”:")
        if not rows:
            self.stdout.write("  nothing")
        for row in rows:
            local = row.send_at.astimezone(zone)
            status = "" if row.status == "scheduled" else f" [{row.status}]"
            self.stdout.write(
                f"  {row.kind:<24} {local:%H:%M %Z}  {row.send_at:%Y-%m-%d %H:%M} UTC  {row.reason}{status}"
            )
