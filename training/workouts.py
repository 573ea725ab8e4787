"""A planned session's workout steps: read as text, flattened for a watch, and the pace they ask for.

``PlannedSession.steps`` (schema ``schemas/session_steps.json``) is a list of steps
``{"kind": "warmup" | "run" | "recovery" | "cooldown", "distance_m" | "duration_s", "intensity",
"pace_s_per_km": {"min", "max"}}`` and repeat groups ``{"kind": "repeat", "repeat": N, "steps": [...]}``.
A session without steps (plans generated before steps existed) reads as one step built from its
target distance or duration and pace, so every run session has a workout.
"""

from .generator.vdot import format_duration, format_pace
from .generator.workouts import (
    HARD_TYPES,  # noqa: F401  (hard days: none on consecutive days)
    flat,
)

# The session types that are run at an easy effort: slower than planned is fine there.
EASY_TYPES = frozenset({"easy", "long", "medium_long", "recovery"})
# Sessions a watch cannot run as a running workout.
NO_RUN_TYPES = frozenset({"rest", "cross"})

INTENSITY_WORDS = {
    "easy": "easy",
    "marathon": "marathon pace",
    "half_marathon": "half-marathon pace",
    "threshold": "threshold",
    "interval": "interval",
    "repetition": "repetition",
    "race": "race pace",
    "walk": "walk",
}
KIND_WORDS = {"warmup": "warm-up", "cooldown": "cool-down", "recovery": "recovery"}
SESSION_INTENSITY = {
    "easy": "easy",
    "long": "easy",
    "medium_long": "easy",
    "tempo": "threshold",
    "intervals": "interval",
    "repetition": "repetition",
    "goal_pace": "race",
    "hills": "repetition",
    "race": "race",
    "cross": "easy",
}
# Width of the pace range around a single target pace (s/km), when the session has no steps:
# an easy run is a range (conversational, slower is fine), a quality run a narrow band.
EASY_BAND = (0.96, 1.12)
QUALITY_BAND = (0.98, 1.02)


def pace_band(pace_s_per_km: int, session_type: str) -> dict:
    low, high = EASY_BAND if session_type in EASY_TYPES else QUALITY_BAND
    return {"min": round(pace_s_per_km * low), "max": round(pace_s_per_km * high)}


def session_steps(session) -> list[dict]:
    """The session's steps, or one step built from its targets when it has none (a rest day: ``[]``)."""
    if session.steps:
        return session.steps
    if session.session_type == "rest":
        return []
    step = {"kind": "run", "intensity": SESSION_INTENSITY.get(session.session_type, "easy")}
    if session.target_distance_km:
        step["distance_m"] = round(session.target_distance_km * 1000)
    elif session.target_duration_s:
        step["duration_s"] = session.target_duration_s
    else:
        return []
    pace = _average_target_pace(session)
    if pace:
        step["pace_s_per_km"] = pace_band(pace, session.session_type)
    return [step]


def _average_target_pace(session) -> int | None:
    """The pace the whole session averages: duration over distance when both are planned (a
    quality session's warm-up and cool-down are in it), else its target pace."""
    if session.target_distance_km and session.target_duration_s:
        return round(session.target_duration_s / session.target_distance_km)
    return session.target_pace_s_per_km


def flatten(steps: list[dict]) -> list[dict]:
    """Every single step in the order it is run (repeat groups unrolled)."""
    return list(flat(steps))


def total_distance_m(steps: list[dict]) -> int:
    return sum(step.get("distance_m") or 0 for step in flatten(steps))


def average_pace_target(steps: list[dict]) -> dict | None:
    """The pace range the whole workout averages, ``{"min", "max"}`` in s/km, weighting each step
    by its distance; ``None`` when no step has both a distance and a pace.

    A recorded run gives one average pace, so it is compared with the workout's average, not with
    the pace of its fast repeats (a well-run interval session averages far slower than its
    intervals)."""
    distance = fastest = slowest = 0.0
    for step in flatten(steps):
        pace = step.get("pace_s_per_km")
        metres = step.get("distance_m")
        if not pace or not metres:
            continue
        distance += metres
        fastest += metres * pace["min"]
        slowest += metres * pace["max"]
    if not distance:
        return None
    return {"min": round(fastest / distance), "max": round(slowest / distance)}


def _distance(metres: int, *, in_repeat: bool) -> str:
    if metres < 1000 or (in_repeat and metres < 2000):
        return f"{metres} m"
    return f"{metres / 1000:g} km"


def _pace(step: dict) -> str:
    pace = step.get("pace_s_per_km")
    if not pace:
        return ""
    if pace["min"] == pace["max"]:
        return f"{format_pace(pace['min'])}/km"
    return f"{format_pace(pace['min'])}–{format_pace(pace['max'])}/km"


def describe_step(step: dict, *, in_repeat: bool = False) -> str:
    """``2 km warm-up easy 5:30–6:10/km``, ``1000 m at interval 4:25–4:32/km``, ``400 m recovery``."""
    if step.get("kind") == "repeat":
        inner = ", ".join(describe_step(s, in_repeat=True) for s in step.get("steps", []))
        return f"{step.get('repeat', 1)} × ({inner})"
    if step.get("distance_m"):
        amount = _distance(step["distance_m"], in_repeat=in_repeat)
    elif step.get("duration_s"):
        seconds = step["duration_s"]
        amount = f"{seconds // 60} min" if seconds % 60 == 0 else format_duration(seconds)
    else:
        amount = ""
    kind = step.get("kind")
    intensity = step.get("intensity", "easy")
    words = INTENSITY_WORDS.get(intensity, intensity)
    if kind == "recovery":
        parts = [amount, "walk" if intensity == "walk" else "recovery"]
    elif kind == "cooldown":
        parts = [amount, "cool-down"]
    elif kind == "warmup":
        parts = [amount, "warm-up", words, _pace(step)]
    elif intensity in ("easy", "walk"):
        parts = [amount, words, _pace(step)]
    else:
        parts = [amount, "at", words, _pace(step)]
    return " ".join(part for part in parts if part)


def describe_steps(steps: list[dict]) -> str:
    """The workout in one line, steps separated by ``; ``."""
    return "; ".join(describe_step(step) for step in steps)


# Named enums of the OpenAPI schema (``ENUM_NAME_OVERRIDES``), read from the schema files.
def intensity_choices() -> list[str]:
    from config.jsonschemas import load_schema

    return load_schema("training", "session_steps")["items"]["properties"]["intensity"]["enum"]


def verdict_choices() -> list[str]:
    from config.jsonschemas import load_schema

    return load_schema("training", "session_compliance")["properties"]["verdict"]["enum"]
