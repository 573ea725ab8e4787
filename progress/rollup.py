"""Roll-up arithmetic shared by ingest, recompute and the tree read (pure functions).

A block contributes to each ancestor (page, WOD, courses, programs):

* required and completable: ``required_done`` +1 once completed or mastered, and ``mastered`` +1
  once mastered when it is quiz-like (``masterable``);
* optional and completable: ``optional_done`` +1 once completed;
* any block: its ``time_spent_s`` and its ``last_interaction_at``.

``percent`` is ``required_done / required_total`` (100 when nothing is required, so an empty
container is complete); the state follows from the counts.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .models import BLOCK_RULES, CompletionRule

# Plain strings (the values of BlockState / CompletionRule) for the hot paths.
NOT_STARTED, IN_PROGRESS, COMPLETED, MASTERED = "not_started", "in_progress", "completed", "mastered"
DONE_STATES = frozenset({COMPLETED, MASTERED})
STATE_RANK = {NOT_STARTED: 0, IN_PROGRESS: 1, COMPLETED: 2, MASTERED: 3}
RULE_NONE, RULE_VIEW, RULE_WATCH, RULE_QUIZ, RULE_SUBMIT, RULE_INTERACT = (
    str(rule.value) for rule in CompletionRule
)
RULE_OF = {str(block_type): str(rule.value) for block_type, rule in BLOCK_RULES.items()}


# The rows the roll-up rules move: one event in, one learner's block state.


@dataclass
class EventInput:
    block: int
    event: str
    occurred_at: datetime
    idempotency_key: str
    time_spent_s: Decimal = Decimal(0)
    score: float | None = None
    progress: float | None = None
    wod: int | None = None
    difficulty_rating: int | None = None
    confidence_level: int | None = None
    interaction_data: dict | None = None


@dataclass(slots=True)
class BlockRow:
    """A learner's state on one block, as ``_apply`` moves it (see ``BlockProgress``)."""

    user_id: int
    block_id: int
    community_id: int
    state: str = NOT_STARTED
    progress: float = 0.0
    time_spent_s: Decimal = field(default_factory=lambda: Decimal(0))
    interaction_count: int = 0
    retry_count: int = 0
    mastery_score: float | None = None
    last_score: float | None = None
    interaction_data: dict = field(default_factory=dict)
    difficulty_rating: int | None = None
    confidence_level: int | None = None
    first_interaction_at: datetime | None = None
    last_interaction_at: datetime | None = None
    completed_at: datetime | None = None
    mastered_at: datetime | None = None


@dataclass(frozen=True)
class BlockFacts:
    """What the roll-ups need to know about a block."""

    id: int
    block_type: str
    required: bool
    page_id: int
    wod_id: int
    community_id: int
    completion_threshold: float | None = None
    mastery_threshold: float | None = None

    @property
    def rule(self) -> str:
        return RULE_OF.get(self.block_type, RULE_NONE)

    @property
    def completable(self) -> bool:
        return RULE_OF.get(self.block_type, RULE_NONE) != RULE_NONE

    @property
    def masterable(self) -> bool:
        return RULE_OF.get(self.block_type) == RULE_QUIZ


@dataclass(frozen=True)
class Contribution:
    required_done: int = 0
    mastered: int = 0
    optional_done: int = 0
    time_spent_s: Decimal = Decimal(0)
    last_activity_at: datetime | None = None


def contribution(facts: BlockFacts, state: str, time_spent_s, last_activity_at) -> Contribution:
    done = state in DONE_STATES and facts.completable
    return Contribution(
        required_done=int(done and facts.required),
        mastered=int(done and facts.required and facts.masterable and state == MASTERED),
        optional_done=int(done and not facts.required),
        time_spent_s=Decimal(time_spent_s or 0),
        last_activity_at=last_activity_at,
    )


def percent_of(done: int, total: int) -> float:
    if total <= 0:
        return 100.0
    return round(min(done, total) * 100.0 / total, 2)


def node_state(
    required_total: int, required_done: int, masterable_total: int, mastered: int, last_activity_at
) -> str:
    if required_done >= required_total:
        if masterable_total and mastered >= masterable_total:
            return MASTERED
        return COMPLETED
    return IN_PROGRESS if last_activity_at else NOT_STARTED


def later(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
