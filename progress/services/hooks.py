"""Functions called at the end of every ingest, inside its transaction.

Register with ``register_ingest_hook(fn)``; each is called as ``fn(user=..., result=...)`` with
the ``IngestResult`` (changed blocks, newly completed and mastered nodes, updated roll-ups), so
rules that react to progress see exactly what changed and write in the same transaction.
"""

INGEST_HOOKS: list = []


def register_ingest_hook(fn):
    if fn not in INGEST_HOOKS:
        INGEST_HOOKS.append(fn)
    return fn


def run_ingest_hooks(*, user, result) -> None:
    for hook in list(INGEST_HOOKS):
        hook(user=user, result=result)
