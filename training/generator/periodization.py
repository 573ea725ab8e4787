"""Base, Build, Peak and Taper sized by plan length; recovery weeks; taper cuts."""

from dataclasses import dataclass

PHASE_FOCUS = {
    "Base": "Aerobic base: easy volume, strides, the long run growing",
    "Build": "Threshold and VO2max work on top of the base",
    "Peak": "Race-specific sessions at the highest load of the plan",
    "Taper": "Less volume, same intensity: arrive fresh and sharp",
}
# Taper weeks as a fraction of the peak week's volume (cutting it by 40-60 % by race week).
TAPER_FRACTIONS = {1: (0.5,), 2: (0.65, 0.45), 3: (0.8, 0.6, 0.45)}
RECOVERY_FRACTION = 0.75


@dataclass(frozen=True)
class Phase:
    name: str
    start_week: int  # 1-based, within this generation
    end_week: int

    def as_dict(self, offset: int = 0) -> dict:
        return {
            "name": self.name,
            "start_week": self.start_week + offset,
            "end_week": self.end_week + offset,
            "focus": PHASE_FOCUS[self.name],
        }


def taper_weeks(goal_type: str, weeks: int) -> int:
    if goal_type == "fitness":
        return 0
    if goal_type == "marathon" and weeks >= 12:
        return 3
    return 2 if weeks >= 4 else max(0, weeks - 2)


def phases_for(goal_type: str, weeks: int, taper: int) -> list[Phase]:
    """Consecutive phases covering ``weeks``: about 45 % base, 35 % build, 20 % peak, then taper."""
    rest = weeks - taper
    if rest <= 0:
        return [Phase("Taper", 1, weeks)]
    if rest <= 2:
        sizes = [("Base", 1), ("Build", rest - 1)]
    else:
        peak = max(1, round(rest * 0.2))
        base = max(1, round(rest * 0.45))
        build = rest - base - peak
        if build < 1:
            base -= 1 - build
            build = 1
        sizes = [("Base", base), ("Build", build), ("Peak", peak)]
    phases, week = [], 1
    for name, size in [*sizes, ("Taper", taper)]:
        if size <= 0:
            continue
        phases.append(Phase(name, week, week + size - 1))
        week += size
    return phases


def recovery_every(experience_level: str, injury_notes: str, health_note: str = "") -> int:
    """Weeks per cycle: 3 (two up, one down) for beginners or a runner with injuries, else 4."""
    if experience_level == "beginner" or injury_notes.strip() or health_note:
        return 3
    return 4


def is_recovery_week(week: int, cycle: int, first_taper_week: int | None) -> bool:
    """Every ``cycle``-th week before the taper, never the week right before it."""
    if week % cycle:
        return False
    return first_taper_week is None or week < first_taper_week - 1
