"""A planned session as a FIT workout file, encoded with Garmin's FIT SDK (``garmin-fit-sdk``).

The file is a ``file_id`` (type ``workout``), one ``workout`` message and one ``workout_step`` per
step, in the order the watch runs them:

* warm-up, run, recovery and cool-down steps carry the FIT intensities ``warmup``, ``active``,
  ``recovery`` and ``cooldown``;
* a step of a distance ends by distance (``duration_type`` ``distance``, stored in centimetres),
  one of a duration by time (milliseconds);
* a pace range becomes a custom speed target (``target_type`` ``speed``, zone 0, low and high
  speed in mm/s: the slow end of the range is the low speed);
* a repeat group is its steps followed by a ``repeat_until_steps_cmplt`` step that points back to
  the group's first step (``duration_step``) with the number of times (``repeat_steps``).

Fields with sub-fields are written through their main field in raw units, as the SDK's encoder
expects; decoders (``fitdecode``, Garmin Connect, watches) read them back as the sub-fields.
"""

import datetime as dt

from garmin_fit_sdk import Encoder, Profile

from config.errors import Conflict

from .workouts import session_steps

MESG = Profile["mesg_num"]
FIT_INTENSITY = {"warmup": "warmup", "run": "active", "recovery": "recovery", "cooldown": "cooldown"}
STEP_NAMES = {"warmup": "Warm-up", "run": "Run", "recovery": "Recovery", "cooldown": "Cool-down"}
INTENSITY_NAMES = {
    "easy": "Easy",
    "marathon": "Marathon pace",
    "half_marathon": "Half-marathon pace",
    "threshold": "Threshold",
    "interval": "Interval",
    "repetition": "Repetition",
    "race": "Race pace",
    "walk": "Walk",
}
NAME_LENGTH = 48


def speed_mm_per_s(pace_s_per_km: int) -> int:
    return round(1_000_000 / pace_s_per_km)


def _step_message(index: int, step: dict) -> dict:
    kind = step.get("kind", "run")
    intensity = step.get("intensity", "easy")
    name = STEP_NAMES.get(kind, "Run")
    if kind == "run":
        name = INTENSITY_NAMES.get(intensity, name)
    message = {
        "mesg_num": MESG["WORKOUT_STEP"],
        "message_index": index,
        "wkt_step_name": name,
        "intensity": FIT_INTENSITY.get(kind, "active"),
    }
    if step.get("distance_m"):
        message["duration_type"] = "distance"
        message["duration_value"] = int(step["distance_m"]) * 100  # duration_distance, cm
    elif step.get("duration_s"):
        message["duration_type"] = "time"
        message["duration_value"] = int(step["duration_s"]) * 1000  # duration_time, ms
    else:
        message["duration_type"] = "open"
    pace = step.get("pace_s_per_km")
    if pace:
        message["target_type"] = "speed"
        message["target_value"] = 0  # target_speed_zone 0: the custom range below
        message["custom_target_value_low"] = speed_mm_per_s(pace["max"])  # custom_target_speed_low
        message["custom_target_value_high"] = speed_mm_per_s(pace["min"])  # custom_target_speed_high
    else:
        message["target_type"] = "open"
    return message


def workout_messages(steps: list[dict]) -> list[dict]:
    """The ``workout_step`` messages of ``steps``, repeat groups as repeat steps."""
    messages: list[dict] = []
    for step in steps:
        if step.get("kind") == "repeat":
            first = len(messages)
            for inner in step.get("steps", []):
                messages.append(_step_message(len(messages), inner))
            messages.append(
                {
                    "mesg_num": MESG["WORKOUT_STEP"],
                    "message_index": len(messages),
                    "duration_type": "repeat_until_steps_cmplt",
                    "duration_value": first,  # duration_step: the group's first step
                    "target_type": "open",
                    "target_value": int(step.get("repeat", 1)),  # repeat_steps
                }
            )
        else:
            messages.append(_step_message(len(messages), step))
    return messages


def workout_file(session) -> bytes:
    """The FIT workout file of a run session.

    A rest day is a 409 ``rest_day`` and a cross-training day a 409 ``cross_training``: neither is a
    running workout a watch can guide."""
    if session.session_type == "rest":
        raise Conflict("A rest day has no workout to run.", code="rest_day")
    if session.session_type == "cross":
        raise Conflict(
            "Cross-training is done off the watch's running profile; it has no running workout.",
            code="cross_training",
        )
    steps = workout_messages(session_steps(session))
    if not steps:
        raise Conflict("The session has no distance or duration to run.", code="no_workout")
    created = session.updated_at or dt.datetime.now(dt.UTC)
    encoder = Encoder()
    encoder.write_mesg(
        {
            "mesg_num": MESG["FILE_ID"],
            "type": "workout",
            "manufacturer": "development",
            "product": 0,
            "serial_number": session.pk or 0,
            "time_created": created.astimezone(dt.UTC),
        }
    )
    encoder.write_mesg(
        {
            "mesg_num": MESG["WORKOUT"],
            "wkt_name": f"{session.title} {session.date:%d %b}"[:NAME_LENGTH],
            "sport": "running",
            "sub_sport": "generic",
            "num_valid_steps": len(steps),
        }
    )
    for message in steps:
        encoder.write_mesg(message)
    return encoder.close()
