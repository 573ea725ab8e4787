"""``manage.py vdot --distance 10k --time 40:00``: VDOT, training paces and race predictions."""

import re

from django.core.management.base import BaseCommand, CommandError

from training.generator.vdot import format_duration, format_pace, predictions, training_paces, vdot_from_race

DISTANCES_M = {
    "5k": 5000.0,
    "10k": 10000.0,
    "half": 21097.5,
    "hm": 21097.5,
    "marathon": 42195.0,
    "mile": 1609.34,
}
PREDICTION_LABELS = {"5000": "5K", "10000": "10K", "21097.5": "Half marathon", "42195": "Marathon"}


def parse_distance(text: str) -> float:
    """``5k``, ``10k``, ``half``, ``marathon``, ``mile``, ``15k``, ``3000m`` or metres."""
    value = text.strip().lower()
    if value in DISTANCES_M:
        return DISTANCES_M[value]
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(k|km|m)?", value)
    if not match:
        raise CommandError(f"--distance {text!r}: use 5k, 10k, half, marathon, mile, 15k or metres (3000).")
    number, unit = float(match.group(1)), match.group(2)
    metres = number * 1000 if unit in ("k", "km") else number
    if not 1500 <= metres <= 42195:
        raise CommandError("--distance must be between 1500 m and the marathon.")
    return metres


def parse_time(text: str) -> int:
    """``40:00``, ``1:45:30`` or seconds."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise CommandError(f"--time {text!r}: use mm:ss, h:mm:ss or seconds.")
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    if seconds <= 0:
        raise CommandError("--time must be positive.")
    return seconds


class Command(BaseCommand):
    help = "Print the VDOT of a race (Daniels–Gilbert), the training paces it gives and race predictions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--distance", required=True, help="Race distance: 5k, 10k, half, marathon, 15k, 3000m."
        )
        parser.add_argument("--time", required=True, help="Race time: mm:ss or h:mm:ss.")

    def handle(self, *args, distance, time, **options):
        metres, seconds = parse_distance(distance), parse_time(time)
        vdot = vdot_from_race(metres, seconds)
        if not 15 <= vdot <= 90:
            raise CommandError(
                f"{format_duration(seconds)} over {metres:g} m is not a human race (VDOT {vdot:.1f})."
            )
        vdot = round(vdot, 1)
        paces = training_paces(vdot)
        out = self.stdout.write
        out(f"VDOT {vdot:g}  ({metres:g} m in {format_duration(seconds)})")
        out("Training paces (per km):")
        out(f"  Easy        {format_pace(paces.easy_min_s_per_km)}-{format_pace(paces.easy_max_s_per_km)}")
        out(f"  Marathon    {format_pace(paces.marathon_s_per_km)}")
        out(f"  Threshold   {format_pace(paces.threshold_s_per_km)}")
        out(f"  Interval    {format_pace(paces.interval_s_per_km)}")
        out(f"  Repetition  {format_pace(paces.repetition_s_per_km)}")
        out("Race predictions:")
        for key, value in predictions(vdot).items():
            out(f"  {PREDICTION_LABELS[key]:<14}{format_duration(value)}")
