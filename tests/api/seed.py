"""The schemathesis suite's seed: new each run, printed, and replayable.

One fixed seed finds only what it found once, so every run draws its own (``SCHEMATHESIS_SEED``
replays one). ``tests/conftest.py`` draws it when pytest starts (so xdist workers share it) and
prints it in the pytest header; every schemathesis test adds it to its report.
"""

import os
import secrets

SEED = int(os.environ.get("SCHEMATHESIS_SEED") or secrets.randbits(32))
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES") or 5)


def replay_hint() -> str:
    return f"schemathesis seed {SEED}: replay with SCHEMATHESIS_SEED={SEED}"
