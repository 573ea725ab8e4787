"""How the run that completed a session compared with the plan (``PlannedSession.compliance``).

``{"distance_pct", "duration_pct", "pace_s_per_km", "pace_target": {"min", "max"}, "verdict"}``;
a key is left out when the plan or the run has no value for it. The verdict, first rule that holds:

1. ``partial``: under half the planned distance (under half the planned time when the session
   has no distance). Half a session is not the session: it counts like a missed one for the
   missed-key-session realign rule.
2. ``longer``: over 120% of the planned distance. Extra distance is extra load the plan did not
   count on; a 20% margin leaves room for a detour or a warm-up jog to the start.
3. ``too_fast``: the average pace is faster than the fast end of the target range by more than
   3% (GPS and the watch's auto-pause move an average by about that much).
4. ``too_slow``: slower than the slow end by more than 3%. For easy, long and medium-long runs
   slower is what the coach asks for ("or slower is fine"), so only a pace more than 25% slower
   than the range counts: that is walking much of the way, which a coach would ask about.
5. ``as_planned`` otherwise.

The target range is the pace the whole workout averages (``workouts.average_pace_target``:
each step's range weighted by its distance), because a recorded run gives one average pace: an
interval session run well averages far slower than its intervals. A session without steps uses
its planned duration over its distance (or its target pace) with a band around it.
"""

from .workouts import EASY_TYPES, average_pace_target, pace_band

PARTIAL_BELOW = 0.5
LONGER_ABOVE = 1.2
PACE_TOLERANCE = 0.03
EASY_SLOW_TOLERANCE = 0.25


def pace_target(session) -> dict | None:
    """The average pace range (s/km) the session asks for, or ``None`` when it names none."""
    target = average_pace_target(session.steps or [])
    if target:
        return target
    if session.target_distance_km and session.target_duration_s:
        return pace_band(round(session.target_duration_s / session.target_distance_km), session.session_type)
    if session.target_pace_s_per_km:
        return pace_band(session.target_pace_s_per_km, session.session_type)
    return None


def compute(session, activity) -> dict | None:
    """The compliance of ``session`` completed by ``activity`` (``None`` without an activity)."""
    if activity is None:
        return None
    result: dict = {}
    planned_m = (session.target_distance_km or 0) * 1000
    if planned_m:
        result["distance_pct"] = round(activity.distance_m / planned_m * 100, 1)
    if session.target_duration_s:
        result["duration_pct"] = round(activity.duration_s / session.target_duration_s * 100, 1)
    pace = activity.pace_s_per_km
    if pace is not None:
        result["pace_s_per_km"] = pace
    target = pace_target(session)
    if target and planned_m:
        result["pace_target"] = target
    result["verdict"] = verdict(session, result)
    return result


def verdict(session, result: dict) -> str:
    distance, duration = result.get("distance_pct"), result.get("duration_pct")
    share = distance if distance is not None else duration
    if share is not None and share < PARTIAL_BELOW * 100:
        return "partial"
    if distance is not None and distance > LONGER_ABOVE * 100:
        return "longer"
    pace, target = result.get("pace_s_per_km"), result.get("pace_target")
    if pace is None or not target:
        return "as_planned"
    if pace < target["min"] * (1 - PACE_TOLERANCE):
        return "too_fast"
    slow_tolerance = EASY_SLOW_TOLERANCE if session.session_type in EASY_TYPES else PACE_TOLERANCE
    if pace > target["max"] * (1 + slow_tolerance):
        return "too_slow"
    return "as_planned"
