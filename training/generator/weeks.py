"""One week's sessions: which days, which workouts, how far and how fast."""

import datetime as dt
from dataclasses import dataclass

from .safeguards import QUALITY_SAFEGUARD, QUALITY_SHARE, Recorder
from .vdot import Paces, format_pace

MAX_RUN_DAYS = {"beginner": 4, "intermediate": 5, "advanced": 6}
MAX_KEY_SESSIONS = {"beginner": 1, "intermediate": 2, "advanced": 3}
# Most quality work (km) one session holds, by experience.
QUALITY_MAX_KM = {
    "tempo": {"beginner": 4.0, "intermediate": 8.0, "advanced": 12.0},
    "intervals": {"beginner": 3.0, "intermediate": 6.0, "advanced": 8.0},
    "repetition": {"beginner": 1.6, "intermediate": 3.0, "advanced": 4.0},
}
QUALITY_MIN_KM = {"tempo": 1.5, "intervals": 1.2, "repetition": 0.8}
MIN_EASY_KM = 2.0
TITLES = {
    "easy": "Easy run",
    "long": "Long run",
    "tempo": "Tempo run",
    "intervals": "Intervals",
    "repetition": "Repetitions",
    "rest": "Rest day",
    "race": "Race",
    "cross": "Cross-training",
}


def circular_distance(a: int, b: int) -> int:
    d = abs(a - b) % 7
    return min(d, 7 - d)


def spread(candidates: list[int], chosen: list[int], count: int) -> list[int]:
    """Add ``count`` days of ``candidates`` to ``chosen``, each as far as possible from the others."""
    chosen = list(chosen)
    pool = [d for d in candidates if d not in chosen]
    for _ in range(count):
        if not pool:
            break
        best = max(pool, key=lambda d: (min((circular_distance(d, c) for c in chosen), default=7), -d))
        chosen.append(best)
        pool.remove(best)
    return chosen


@dataclass(frozen=True)
class WeekLayout:
    run_days: tuple[int, ...]  # weekday indexes
    long_day: int
    key_days: tuple[int, ...]  # in priority order


def layout(available: list[int], long_day: int, run_count: int, key_count: int) -> WeekLayout:
    run_days = spread(sorted(available), [long_day], run_count - 1)
    keys = spread([d for d in run_days if d != long_day], [long_day], key_count)[1:]
    return WeekLayout(tuple(sorted(run_days)), long_day, tuple(keys))


def quality_types(goal: str, phase: str, level: str, recovery: bool, week_in_phase: int) -> list[str]:
    """The quality sessions of a week, most important first."""
    if recovery:
        return []
    if phase == "Base":
        return [] if level == "beginner" or week_in_phase == 1 else ["tempo"]
    if phase == "Build":
        return ["tempo", "intervals", "repetition"] if goal in ("5k", "10k") else ["tempo", "intervals"]
    if phase == "Peak":
        if goal in ("5k", "10k"):
            return ["intervals", "repetition", "tempo"]
        return ["tempo", "intervals"]
    if phase == "Taper":
        return ["intervals"] if goal in ("5k", "10k") else ["tempo"]
    return []


def round_down(value: float) -> float:
    return int(value * 10 + 1e-9) / 10


def quality_session(kind: str, work_km: float, paces: Paces, warmup: float, cooldown: float) -> dict:
    easy = paces.easy_mid_s_per_km
    if kind == "tempo":
        pace = paces.threshold_s_per_km
        if work_km > 6:
            reps, rep_m = int(work_km // 2), 2000
            work_km = reps * 2.0
            main = f"{reps} × 2 km at {format_pace(pace)}/km with 1 min standing rest"
        else:
            main = f"{work_km:g} km continuous at {format_pace(pace)}/km (comfortably hard)"
    elif kind == "intervals":
        pace = paces.interval_s_per_km
        rep_m = 1000 if work_km >= 4 else (800 if work_km >= 2.4 else 400)
        reps = max(1, int(work_km * 1000 // rep_m))
        work_km = reps * rep_m / 1000
        main = f"{reps} × {rep_m} m at {format_pace(pace)}/km with equal-time jog recoveries"
    else:
        pace = paces.repetition_s_per_km
        rep_m = 400 if work_km >= 2.4 else 200
        reps = max(1, int(work_km * 1000 // rep_m))
        work_km = reps * rep_m / 1000
        main = f"{reps} × {rep_m} m at {format_pace(pace)}/km with full jog recoveries"
    total = round(warmup + work_km + cooldown, 1)
    return {
        "session_type": kind,
        "title": TITLES[kind],
        "description": f"{warmup:g} km easy warm-up, {main}, {cooldown:g} km cool-down.",
        "target_distance_km": total,
        "target_duration_s": round((warmup + cooldown) * easy + work_km * pace),
        "target_pace_s_per_km": pace,
        "is_key_session": True,
        "quality_kind": kind,
        "quality_km": round(work_km, 2),
    }


def easy_session(km: float, paces: Paces, *, cross: bool = False, strides: bool = False) -> dict:
    if cross:
        minutes = round(km * paces.easy_mid_s_per_km / 60)
        return {
            "session_type": "cross",
            "title": TITLES["cross"],
            "description": f"{minutes} minutes of easy cycling, swimming or elliptical instead of running.",
            "target_distance_km": None,
            "target_duration_s": minutes * 60,
            "target_pace_s_per_km": None,
            "is_key_session": False,
        }
    easy = f"{format_pace(paces.easy_min_s_per_km)}–{format_pace(paces.easy_max_s_per_km)}/km"
    text = f"{km:g} km at {easy}, conversational."
    if strides:
        text += " Finish with 4 × 20 s strides."
    return {
        "session_type": "easy",
        "title": TITLES["easy"],
        "description": text,
        "target_distance_km": km,
        "target_duration_s": round(km * paces.easy_mid_s_per_km),
        "target_pace_s_per_km": paces.easy_mid_s_per_km,
        "is_key_session": False,
    }


def long_session(km: float, paces: Paces) -> dict:
    return {
        "session_type": "long",
        "title": TITLES["long"],
        "description": f"{km:g} km at easy pace "
        f"({format_pace(paces.easy_max_s_per_km)}/km or slower is fine).",
        "target_distance_km": km,
        "target_duration_s": round(km * paces.easy_max_s_per_km),
        "target_pace_s_per_km": paces.easy_max_s_per_km,
        "is_key_session": True,
    }


def rest_session() -> dict:
    return {
        "session_type": "rest",
        "title": TITLES["rest"],
        "description": "No running. Sleep, eat well, an easy walk is fine.",
        "target_distance_km": None,
        "target_duration_s": None,
        "target_pace_s_per_km": None,
        "is_key_session": False,
    }


def fill_week(
    *,
    volume_km: float,
    long_km: float | None,
    layout_: WeekLayout,
    kinds: list[str],
    level: str,
    paces: Paces,
    week_number: int,
    recorder: Recorder,
) -> dict[int, dict]:
    """Sessions by weekday for ``volume_km`` of running. Easy runs absorb what the long run and the
    quality sessions leave, so the week's sum is ``volume_km`` (to 0.1 km)."""
    warmup, cooldown = (2.0, 1.5) if volume_km >= 30 else (1.5, 1.0)
    by_day: dict[int, dict] = {}
    others = (
        [d for d in layout_.run_days if d != layout_.long_day]
        if long_km is not None
        else list(layout_.run_days)
    )
    key_days = [d for d in layout_.key_days if d in others]
    kinds = kinds[: len(key_days)]
    while True:
        quality = {}
        for day, kind in zip(key_days, kinds, strict=False):
            cap = round_down(QUALITY_SHARE[kind] * volume_km)
            wanted = QUALITY_MAX_KM[kind][level]
            work = min(wanted, cap)
            if work < QUALITY_MIN_KM[kind]:
                continue
            if cap < wanted:
                recorder.applied(
                    QUALITY_SAFEGUARD[kind],
                    week=week_number,
                    original=wanted,
                    adjusted=work,
                    reason=f"{kind} work limited to {QUALITY_SHARE[kind]:.0%} of the week's {volume_km:g} km",
                )
            quality[day] = quality_session(kind, work, paces, warmup, cooldown)
        used = (long_km or 0) + sum(s["target_distance_km"] for s in quality.values())
        easy_days = [d for d in others if d not in quality]
        remainder = round(volume_km - used, 1)
        while easy_days and remainder / len(easy_days) < MIN_EASY_KM:
            easy_days.pop()  # the run day furthest in the week becomes a rest day
        if remainder >= 0 and (easy_days or remainder < 0.05):
            break
        if not kinds:
            break
        kinds = kinds[:-1]  # not enough room: drop the least important quality session
    if long_km is not None:
        by_day[layout_.long_day] = long_session(long_km, paces)
    by_day.update(quality)
    if easy_days:
        each = round_down(remainder / len(easy_days))
        for i, day in enumerate(sorted(easy_days)):
            km = each if i < len(easy_days) - 1 else round(remainder - each * (len(easy_days) - 1), 1)
            by_day[day] = easy_session(km, paces, strides=(i == len(easy_days) - 1 and not quality))
    return by_day


def week_dates(start: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(7)]
