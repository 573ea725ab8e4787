"""``manage.py simulate_selection TRUTH.json [--policy P] [--seeds N] [--learners N] [--prior P]``:
what a selection policy and a prior do, measured on synthetic learners before changing them."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from config.commands import progress_bar
from curriculum.selection import POLICIES
from curriculum.simulation import PRIORS, TruthError, simulate

SHIPPED = Path(__file__).resolve().parents[2] / "simulations"


class Command(BaseCommand):
    help = (
        "Run synthetic learners through the real enrolment and coach-status services (no HTTP, "
        "nothing kept: one transaction rolled back) against a truth file of hidden success rates, "
        "and print first-try success, mean tries to success and how many learners it took to "
        "settle for each policy, next to an oracle that knows the best plan and the fixed A, B, "
        "C, D order. Shipped truth files: " + ", ".join(sorted(p.stem for p in SHIPPED.glob("*.json"))) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "truth",
            help="A truth file (JSON: plans with priors and match rules, segments with shares and "
            "hidden success rates), or the name of a shipped one in curriculum/simulations/ (e.g. stress).",
        )
        parser.add_argument(
            "--policy",
            action="append",
            choices=[*POLICIES, "all"],
            help="Policy to simulate; repeat for several (default: all).",
        )
        parser.add_argument("--seeds", type=int, default=20, help="Cohorts per policy (default 20).")
        parser.add_argument("--learners", type=int, default=400, help="Learners per cohort (default 400).")
        parser.add_argument(
            "--prior",
            choices=PRIORS,
            default="designer",
            help="designer: the truth file's priors (default); neutral: every plan 50%% with strength 2.",
        )

    def handle(self, *args, **options):
        path = Path(options["truth"])
        if not path.exists() and (SHIPPED / f"{options['truth']}.json").exists():
            path = SHIPPED / f"{options['truth']}.json"
        try:
            truth = json.loads(path.read_text())
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from exc
        if options["seeds"] < 1 or options["learners"] < 1:
            raise CommandError("--seeds and --learners must be at least 1.")
        chosen = options["policy"] or ["all"]
        policies = list(POLICIES) if "all" in chosen else list(dict.fromkeys(chosen))

        def progress(total):
            return progress_bar(total=total, desc="learners", unit="learner").update

        try:
            rows = simulate(
                truth,
                policies=policies,
                seeds=options["seeds"],
                learners=options["learners"],
                prior=options["prior"],
                progress=progress,
            )
        except TruthError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        except DatabaseError as exc:
            raise CommandError(f"The simulation could not run: {exc}") from exc

        title = truth.get("title") or path.stem
        self.stdout.write(
            f"{title}: {options['seeds']} seed(s) × {options['learners']} learners, {options['prior']} prior"
        )
        oracle = rows["oracle"].first_try
        header = (
            f"{'':<12} {'first-try success':>22} {'vs oracle':>10} {'tries to success':>17} "
            f"{'settled after':>14} {'best found':>11}"
        )
        self.stdout.write(header)
        for name, row in rows.items():
            low, high = row.first_try_range
            self.stdout.write(
                f"{name:<12} {row.first_try:>8.1%} ({low:.0%}–{high:.0%})".ljust(36)
                + f"{(row.first_try - oracle) * 100:>+9.1f}  {row.mean_tries:>16.2f} "
                + f"{row.settled_after:>14.0f} {row.found:>6}/{len(row.runs)}"
            )
        self.stdout.write(
            "vs oracle: percentage points of first-try success; settled after: learners until every "
            "later one starts on their segment's best plan (median); best found: seeds in which most "
            "of the last quarter of each segment started on its best plan."
        )
