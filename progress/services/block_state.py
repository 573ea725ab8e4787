"""How one event moves one block's state, by the block type's completion rule (pure)."""

from django.conf import settings

from ..rollup import (
    COMPLETED,
    DONE_STATES,
    IN_PROGRESS,
    MASTERED,
    RULE_INTERACT,
    RULE_QUIZ,
    RULE_SUBMIT,
    RULE_VIEW,
    RULE_WATCH,
    STATE_RANK,
    BlockFacts,
    BlockRow,
    EventInput,
)


def apply_event(bp: BlockRow, facts: BlockFacts, event: EventInput) -> None:
    """Move one block state by one event. States only move forward; the best score is kept."""
    before = bp.state
    occurred = event.occurred_at
    bp.interaction_count += 1
    bp.time_spent_s = bp.time_spent_s + event.time_spent_s
    if bp.first_interaction_at is None or occurred < bp.first_interaction_at:
        bp.first_interaction_at = occurred
    if bp.last_interaction_at is None or occurred > bp.last_interaction_at:
        bp.last_interaction_at = occurred
    if event.difficulty_rating is not None:
        bp.difficulty_rating = event.difficulty_rating
    if event.confidence_level is not None:
        bp.confidence_level = event.confidence_level
    if event.interaction_data is not None:
        bp.interaction_data = event.interaction_data
    if event.progress is not None and event.progress > bp.progress:
        bp.progress = event.progress
    if event.score is not None:
        bp.last_score = event.score
    verb, rule = event.event, facts.rule
    target = IN_PROGRESS
    if rule == RULE_VIEW:
        target = COMPLETED
    elif rule == RULE_WATCH:
        threshold = facts.completion_threshold
        if threshold is None:
            threshold = settings.PROGRESS_VIDEO_COMPLETION_SHARE
        if verb == "completed":
            bp.progress = 1.0
        if bp.progress >= threshold:
            target = COMPLETED
    elif rule == RULE_QUIZ:
        if verb in ("answered", "submitted"):
            if before in DONE_STATES:
                bp.retry_count += 1
            target = COMPLETED
            if event.score is not None:
                bp.mastery_score = (
                    event.score if bp.mastery_score is None else max(bp.mastery_score, event.score)
                )
            if bp.mastery_score is not None and bp.mastery_score >= mastery_threshold(facts):
                target = MASTERED
    elif rule == RULE_SUBMIT:
        if verb in ("submitted", "answered"):
            if before in DONE_STATES:
                bp.retry_count += 1
            target = COMPLETED
    elif rule == RULE_INTERACT:
        if verb in ("completed", "submitted", "answered"):
            target = COMPLETED
    if STATE_RANK[target] > STATE_RANK[bp.state]:
        bp.state = target
    if bp.completed_at is None and bp.state in DONE_STATES:
        bp.completed_at = occurred
    if bp.mastered_at is None and bp.state == MASTERED:
        bp.mastered_at = occurred


def mastery_threshold(facts: BlockFacts) -> float:
    if facts.mastery_threshold is not None:
        return facts.mastery_threshold
    return settings.PROGRESS_QUIZ_MASTERY_SCORE
