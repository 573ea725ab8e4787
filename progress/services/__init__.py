"""Writes for progress: keyword-only, atomic functions named <entity>_<verb>.

* ``events_ingest`` applies learning events (block states, roll-ups, the xAPI log);
* ``program_enroll`` / ``course_enroll`` enroll a learner;
* ``progress_recompute`` rebuilds roll-ups from block states and reports drift;
* ``register_ingest_hook`` lets other modules react to what an ingest changed, in its transaction.
"""

from ..rollup import EventInput
from .enrollment import course_enroll, program_enroll
from .hooks import register_ingest_hook
from .ingest import IngestResult, events_ingest, lock_learner
from .recompute import RecomputeResult, progress_recompute

__all__ = [
    "EventInput",
    "IngestResult",
    "RecomputeResult",
    "course_enroll",
    "events_ingest",
    "lock_learner",
    "program_enroll",
    "progress_recompute",
    "register_ingest_hook",
]
