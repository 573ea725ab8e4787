"""``manage.py generate_training_plan --user U --goal half --weeks 12 [--dry-run]``."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from config.commands import user_named
from config.errors import DomainError
from training import services
from training.services.plans import plan_preview

BAR_WIDTH = 40


def text_chart(weekly_plan: list[dict]) -> list[str]:
    """One line per week: a bar of its volume, ``R`` on recovery weeks, ``T`` in the taper."""
    top = max((w["volume_km"] for w in weekly_plan), default=1) or 1
    lines = []
    for week in weekly_plan:
        mark = "R" if week["is_recovery_week"] else ("T" if week["phase_name"] == "Taper" else " ")
        bar = "#" * max(1, round(BAR_WIDTH * week["volume_km"] / top))
        lines.append(
            f"{week['week_number']:>3} {week['phase_name']:<6}{mark} {bar:<{BAR_WIDTH}} "
            f"{week['volume_km']:>5.1f} km  intensity {week['intensity_score']:>3}"
        )
    return lines


class Command(BaseCommand):
    help = (
        "Generate a training plan (a draft) for a user from their runner profile and activities, and "
        "print its season summary and a text chart of the weeks. With --dry-run nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username of the runner.")
        parser.add_argument("--goal", required=True, choices=["5k", "10k", "half", "marathon", "fitness"])
        parser.add_argument("--weeks", type=int, help="Plan length in weeks (4-30).")
        parser.add_argument("--target-date", type=dt.date.fromisoformat, help="Race day, YYYY-MM-DD.")
        parser.add_argument("--target-time", type=int, help="Goal time in seconds.")
        parser.add_argument("--event", default="", help="Name of the target event.")
        parser.add_argument(
            "--race-start",
            type=dt.time.fromisoformat,
            help="Local start time of the race, HH:MM (default 09:00).",
        )
        parser.add_argument("--run-walk", action="store_true", help="Every run as run/walk.")
        parser.add_argument(
            "--accept-risk",
            action="store_true",
            help="Build a goal the feasibility check refuses (confidence at most 30, the gap as a risk).",
        )
        parser.add_argument("--activate", action="store_true", help="Make the new plan the active one.")
        parser.add_argument("--dry-run", action="store_true", help="Print the plan without saving it.")

    def handle(self, *args, user, goal, weeks, target_date, target_time, event, activate, dry_run, **options):
        extra = {
            "race_start_time": options.get("race_start"),
            "run_walk": bool(options.get("run_walk")),
            "accept_risk": bool(options.get("accept_risk")),
        }
        runner = user_named(user)
        if weeks is None and target_date is None:
            raise CommandError("Give --weeks or --target-date.")
        kwargs = dict(
            user=runner,
            goal_type=goal,
            duration_weeks=weeks,
            target_date=target_date,
            target_time_s=target_time,
            target_event=event,
            **extra,
        )
        try:
            if dry_run:
                result = plan_preview(**kwargs)
                name, season, weekly = result.name, result.season_view, result.weekly_plan
            else:
                plan = services.plan_generate(**kwargs)
                if activate:
                    services.plan_activate(user=runner, plan=plan)
                name, season, weekly = plan.name, plan.season_view, plan.weekly_plan
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from error
        except DomainError as error:
            lines = [error.message, *(f"- {reason}" for reason in error.extra.get("reasons", []))]
            lines += [f"option: {option}" for option in error.extra.get("options", [])]
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(
            self.style.SUCCESS(name) + (" (dry run, not saved)" if dry_run else f" (plan {plan.pk})")
        )
        self.stdout.write(season["coach_summary"])
        outcome = season["expected_outcomes"]
        self.stdout.write(f"Goal: {outcome['primary_goal']} (confidence {outcome['confidence_level']}/100)")
        self.stdout.write("")
        for line in text_chart(weekly):
            self.stdout.write(line)
        self.stdout.write("R = recovery week, T = taper")
