"""Recompute roll-ups from the leaves."""

from dataclasses import dataclass, field


@dataclass
class RecomputeResult:
    users: int = 0
    rows_checked: int = 0
    drift: list = field(default_factory=list)


def progress_recompute(*, community=None, user=None, dry_run=False) -> RecomputeResult:
    return RecomputeResult()
