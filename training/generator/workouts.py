"""Sessions built from their steps: a watch runs the steps, and the title, description, distance and
duration are all written from the same numbers.

Every run step is a distance in whole hundreds of metres, so a session's ``target_distance_km`` is
exactly the sum of its steps. Paces are ``{"min", "max"}`` in seconds per km (min is the faster end).
"""

import dataclasses
from dataclasses import dataclass

from .vdot import HALF_M, Paces, format_pace, predict_time_s

TITLES = {
    "easy": "Easy run",
    "long": "Long run",
    "medium_long": "Medium-long run",
    "tempo": "Tempo run",
    "intervals": "Intervals",
    "repetition": "Repetitions",
    "goal_pace": "Goal-pace run",
    "hills": "Hill repeats",
    "rest": "Rest day",
    "race": "Race",
    "cross": "Cross-training",
}
# Sessions that load the legs hard enough to need an easy day (or rest) on each side.
HARD_TYPES = frozenset({"tempo", "intervals", "repetition", "goal_pace", "hills", "long", "race"})
INTENSITY_LABEL = {
    "easy": "easy",
    "marathon": "marathon pace",
    "half_marathon": "half-marathon pace",
    "threshold": "threshold",
    "interval": "interval pace",
    "repetition": "repetition pace",
    "race": "race pace",
    "walk": "walk",
}
WALK_PACE = {"min": 540, "max": 900}


@dataclass(frozen=True)
class PaceBook:
    """Every pace a session can ask for, from the runner's VDOT and the plan's goal time."""

    paces: Paces
    half_s_per_km: int
    ten_k_s_per_km: int
    five_k_s_per_km: int
    race_s_per_km: int | None  # the plan's goal pace (None for a fitness plan)

    @classmethod
    def build(cls, paces: Paces, vdot: float, race_s_per_km: int | None, goal: str = "") -> "PaceBook":
        """Goal-pace work runs at the plan's race pace: for a marathon plan marathon pace is the goal
        pace, for a half the half-marathon pace, for 5k and 10k the ``race`` intensity."""
        half = round(predict_time_s(vdot, HALF_M) / (HALF_M / 1000))
        if race_s_per_km and goal == "marathon":
            paces = dataclasses.replace(paces, marathon_s_per_km=race_s_per_km)
        if race_s_per_km and goal == "half":
            half = race_s_per_km
        return cls(
            paces=paces,
            half_s_per_km=half,
            ten_k_s_per_km=round(predict_time_s(vdot, 10000.0) / 10),
            five_k_s_per_km=round(predict_time_s(vdot, 5000.0) / 5),
            race_s_per_km=race_s_per_km,
        )

    def range(self, intensity: str) -> dict:
        p = self.paces
        if intensity == "easy":
            return {"min": p.easy_min_s_per_km, "max": p.easy_max_s_per_km}
        if intensity == "walk":
            return dict(WALK_PACE)
        center, band = {
            "marathon": (p.marathon_s_per_km, 5),
            "half_marathon": (self.half_s_per_km, 4),
            "threshold": (p.threshold_s_per_km, 3),
            "interval": (p.interval_s_per_km, 3),
            "repetition": (p.repetition_s_per_km, 3),
            "race": (self.race_s_per_km or self.ten_k_s_per_km, 3),
        }[intensity]
        return {"min": center - band, "max": center + band}

    def mid(self, intensity: str) -> int:
        rng = self.range(intensity)
        return (rng["min"] + rng["max"]) // 2


def hundreds(km: float) -> int:
    """``km`` as whole hundreds of metres, rounded down (never negative)."""
    return max(0, int(km * 10 + 1e-6) * 100)


def step(kind: str, metres: int, intensity: str, book: PaceBook) -> dict:
    return {
        "kind": kind,
        "distance_m": int(metres),
        "intensity": intensity,
        "pace_s_per_km": book.range(intensity),
    }


def repeat(times: int, steps: list[dict]) -> dict:
    return {"kind": "repeat", "repeat": times, "steps": steps}


def flat(steps: list[dict]):
    """Each step as the watch runs it, repeats unrolled (a stored group missing its count runs once)."""
    for s in steps:
        if s.get("kind") == "repeat":
            for _ in range(s.get("repeat", 1)):
                yield from s.get("steps", [])
        else:
            yield s


def steps_metres(steps: list[dict]) -> int:
    return sum(s.get("distance_m", 0) for s in flat(steps))


def steps_seconds(steps: list[dict]) -> int:
    return round(
        sum(
            s.get("distance_m", 0) / 1000 * (s["pace_s_per_km"]["min"] + s["pace_s_per_km"]["max"]) / 2
            for s in flat(steps)
        )
    )


def describe_step(s: dict) -> str:
    if s["kind"] == "repeat":
        inner = ", ".join(describe_step(x) for x in s["steps"])
        return f"{s['repeat']} × ({inner})"
    metres = s["distance_m"]
    amount = (
        f"{metres / 1000:g} km" if metres >= 1000 and metres % 100 == 0 and metres >= 1500 else f"{metres} m"
    )
    label = {"warmup": "warm-up", "cooldown": "cool-down", "recovery": "recovery", "run": ""}[s["kind"]]
    intensity = INTENSITY_LABEL[s["intensity"]]
    pace = s["pace_s_per_km"]
    pace_text = (
        f"{format_pace(pace['min'])}–{format_pace(pace['max'])}/km" if s["intensity"] != "walk" else ""
    )
    words = " ".join(part for part in (amount, label, intensity, pace_text) if part)
    return words


def describe(steps: list[dict]) -> str:
    return "; ".join(describe_step(s) for s in steps) + "."


def session(
    session_type: str, steps: list[dict], *, key: bool, purpose: str, main: str, title: str = "", **extra
) -> dict:
    """A session dict from its steps; ``main`` is the intensity its target pace is read from."""
    metres = steps_metres(steps)
    paces = [s["pace_s_per_km"] for s in flat(steps) if s["intensity"] == main]
    target = round(sum((p["min"] + p["max"]) / 2 for p in paces) / len(paces)) if paces else None
    return {
        "session_type": session_type,
        "title": title or TITLES[session_type],
        "description": describe(steps),
        "target_distance_km": round(metres / 1000, 1),
        "target_duration_s": steps_seconds(steps),
        "target_pace_s_per_km": target,
        "is_key_session": key,
        "purpose": purpose,
        "steps": steps,
        **extra,
    }


def run_walk_steps(metres: int, book: PaceBook) -> list[dict]:
    """Run/walk: 900 m running, 100 m walking, repeated; whatever is left is run at the end."""
    blocks, rest = divmod(metres, 1000)
    steps = []
    if blocks:
        steps.append(repeat(blocks, [step("run", 900, "easy", book), step("recovery", 100, "walk", book)]))
    if rest:
        steps.append(step("run", rest, "easy", book))
    return steps


def easy(
    km: float, book: PaceBook, *, strides: bool = False, run_walk: bool = False, purpose: str = ""
) -> dict:
    metres = hundreds(km)
    if run_walk:
        steps = run_walk_steps(metres, book)
    elif strides and metres >= 2000:
        steps = [
            step("run", metres - 800, "easy", book),
            repeat(4, [step("run", 100, "repetition", book), step("recovery", 100, "easy", book)]),
        ]
    else:
        steps = [step("run", metres, "easy", book)]
    title = (
        "Run/walk" if run_walk else ("Easy run + strides" if strides and metres >= 2000 else TITLES["easy"])
    )
    return session(
        "easy",
        steps,
        key=False,
        purpose=purpose
        or "Aerobic volume at a conversational pace: most of the training, and recovery for the next "
        "hard day.",
        main="easy",
        title=title,
    )


def long_run(
    km: float,
    book: PaceBook,
    *,
    goal_metres: int = 0,
    goal_intensity: str = "marathon",
    run_walk: bool = False,
    purpose: str = "",
) -> dict:
    metres = hundreds(km)
    if run_walk:
        steps = run_walk_steps(metres, book)
    elif goal_metres:
        warm = metres - goal_metres - 1000
        steps = [
            step("warmup", warm, "easy", book),
            step("run", goal_metres, goal_intensity, book),
            step("cooldown", 1000, "easy", book),
        ]
    else:
        steps = [step("run", metres, "easy", book)]
    return session(
        "long",
        steps,
        key=True,
        purpose=purpose or "Endurance: the run the race distance is built on.",
        main=goal_intensity if goal_metres else "easy",
        title=f"Long run with {goal_metres / 1000:g} km at {INTENSITY_LABEL[goal_intensity]}"
        if goal_metres
        else ("Long run/walk" if run_walk else TITLES["long"]),
    )


def medium_long(km: float, book: PaceBook) -> dict:
    return session(
        "medium_long",
        [step("run", hundreds(km), "easy", book)],
        key=False,
        purpose="A second endurance run midweek (Pfitzinger's medium-long run): marathon fitness "
        "without a second long-run recovery.",
        main="easy",
    )


def quality(
    kind: str, work_km: float, book: PaceBook, *, warm_km: float, cool_km: float, intensity: str | None = None
) -> dict | None:
    """A quality session with about ``work_km`` of work, or None when the work would be too little.

    ``kind``: tempo | intervals | repetition | goal_pace | hills. ``intensity`` overrides the default
    (``race`` for race-pace intervals, ``marathon``/``half_marathon``/``race`` for goal pace)."""
    warm, cool = hundreds(warm_km), hundreds(cool_km)
    if kind == "tempo":
        main_part = _tempo(work_km, book)
    elif kind in ("intervals", "repetition", "hills"):
        main_part = _repeats(kind, work_km, book, intensity)
    elif kind == "goal_pace":
        main_part = _goal_pace(work_km, book, intensity)
    else:
        raise ValueError(kind)
    if main_part is None:
        return None
    body, main, purpose, main_intensity = main_part
    steps = [step("warmup", warm, "easy", book), *body, step("cooldown", cool, "easy", book)]
    done = session(
        kind,
        steps,
        key=True,
        purpose=purpose,
        main=main_intensity,
        title=f"{TITLES[kind]}: {main}",
    )
    done["quality_kind"] = kind
    done["quality_km"] = round(sum(s["distance_m"] for s in flat(body) if s["kind"] == "run") / 1000, 2)
    return done


def _tempo(work_km: float, book: PaceBook):
    """Threshold work: continuous, or cruise intervals over 6 km. (body, title, purpose, intensity)."""
    work = hundreds(work_km)
    if work < 1500:
        return None
    if work > 6000:  # cruise intervals: Daniels' 1-mile-ish repeats with a short jog
        reps = work // 2000
        body = [repeat(reps, [step("run", 2000, "threshold", book), step("recovery", 200, "easy", book)])]
        main = f"{reps} × 2 km cruise intervals at threshold"
    else:
        body = [step("run", work, "threshold", book)]
        main = f"{work / 1000:g} km continuous at threshold"
    purpose = "Threshold: raises the pace you can hold for an hour (Daniels' T pace, comfortably hard)."
    return body, main, purpose, "threshold"


def _repeats(kind: str, work_km: float, book: PaceBook, intensity: str | None):
    """Intervals, repetitions or hills: repeats with jog recoveries. (body, title, purpose, intensity)."""
    main_intensity = (
        intensity or {"intervals": "interval", "repetition": "repetition", "hills": "repetition"}[kind]
    )
    if kind == "intervals":
        rep = 1000 if work_km >= 4 else (800 if work_km >= 2.4 else 400)
        jog = max(200, rep // 2)
    elif kind == "repetition":
        rep = 400 if work_km >= 2.4 else 200
        jog = rep
    else:
        rep, jog = 200, 200
    reps = int(work_km * 1000 // rep)
    low = {"intervals": 3, "repetition": 4, "hills": 6}[kind]
    if reps < low:
        return None
    reps = min(reps, {"intervals": 8, "repetition": 12, "hills": 10}[kind])
    body = [repeat(reps, [step("run", rep, main_intensity, book), step("recovery", jog, "easy", book)])]
    main = f"{reps} × {rep} m at {INTENSITY_LABEL[main_intensity]}"
    purpose = {
        "intervals": "VO2max: 3-5 minute repeats at interval pace (Daniels' I pace)."
        if main_intensity == "interval"
        else "Race-specific: repeats at goal race pace, so the pace feels familiar on the day.",
        "repetition": "Speed and economy: short, fast repeats with full recoveries (Daniels' R pace).",
        "hills": "Strength and form: short uphill repeats at a hard effort, jogging back down.",
    }[kind]
    if kind == "hills":
        main = f"{reps} × {rep} m uphill, hard, jog back down"
    return body, main, purpose, main_intensity


def _goal_pace(work_km: float, book: PaceBook, intensity: str | None):
    """Goal-pace work, in two halves over 8 km. (body, title, purpose, intensity)."""
    main_intensity = intensity or "race"
    work = hundreds(work_km)
    if work < 1500:
        return None
    if work > 8000:
        half = (work // 2) // 100 * 100
        body = [repeat(2, [step("run", half, main_intensity, book), step("recovery", 400, "easy", book)])]
    else:
        body = [step("run", work, main_intensity, book)]
    main = f"{work / 1000:g} km at {INTENSITY_LABEL[main_intensity]}"
    purpose = "Race-specific: the goal pace rehearsed on tired legs, so it feels controlled on race day."
    return body, main, purpose, main_intensity


def race(km: float, goal_time_s: int, book: PaceBook, *, title: str, purpose: str) -> dict:
    metres = int(round(km * 1000))
    pace = {"min": round(goal_time_s / km) - 3, "max": round(goal_time_s / km) + 3}
    steps = [{"kind": "run", "distance_m": metres, "intensity": "race", "pace_s_per_km": pace}]
    out = session("race", steps, key=True, purpose=purpose, main="race", title=title)
    out["target_duration_s"] = goal_time_s
    out["target_pace_s_per_km"] = round(goal_time_s / km)
    out["target_distance_km"] = round(metres / 1000, 2)
    return out


def cross(minutes: int) -> dict:
    return {
        "session_type": "cross",
        "title": TITLES["cross"],
        "description": f"{minutes} minutes of easy cycling, swimming or elliptical: "
        "aerobic work without the pounding.",
        "target_distance_km": None,
        "target_duration_s": minutes * 60,
        "target_pace_s_per_km": None,
        "is_key_session": False,
        "purpose": "Cross-training on a non-running day: more aerobic work for a runner "
        "on three or four run days (FIRST, Higdon).",
        "steps": [],
    }


def rest() -> dict:
    return {
        "session_type": "rest",
        "title": TITLES["rest"],
        "description": "No running. Sleep, eat well, an easy walk is fine.",
        "target_distance_km": None,
        "target_duration_s": None,
        "target_pace_s_per_km": None,
        "is_key_session": False,
        "purpose": "Recovery: the body adapts to the training on the days off.",
        "steps": [],
    }


GOAL_INTENSITY = {"marathon": "marathon", "half": "half_marathon", "10k": "race", "5k": "race"}
