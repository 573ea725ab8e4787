"""Writes for training: keyword-only, atomic functions named <entity>_<verb>.

Each validates before it saves, raises the domain errors of ``config.errors`` and tells other
apps through the events of ``training.events``, sent only after its transaction commits.
"""

from .activities import FileImport, activity_import_bytes, activity_import_file, activity_record
from .archives import activity_archive_create, activity_archive_get, activity_archive_process, fitness_refresh
from .calendar import (
    calendar_subscription_get_or_create,
    calendar_subscription_revoke,
    calendar_subscription_rotate,
)
from .plans import (
    plan_abandon,
    plan_activate,
    plan_complete,
    plan_generate,
    plan_pause,
    plan_realign,
)
from .profiles import runner_profile_update
from .sessions import (
    session_complete,
    session_move,
    session_skip,
    sessions_check_missed_keys,
    sessions_mark_missed,
)

__all__ = [
    "FileImport",
    "activity_archive_create",
    "activity_archive_get",
    "activity_archive_process",
    "activity_import_bytes",
    "activity_import_file",
    "activity_record",
    "calendar_subscription_get_or_create",
    "calendar_subscription_revoke",
    "calendar_subscription_rotate",
    "fitness_refresh",
    "plan_abandon",
    "plan_activate",
    "plan_complete",
    "plan_generate",
    "plan_pause",
    "plan_realign",
    "runner_profile_update",
    "session_complete",
    "session_move",
    "session_skip",
    "sessions_check_missed_keys",
    "sessions_mark_missed",
]
