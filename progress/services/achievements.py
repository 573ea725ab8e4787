"""Evaluating achievements: partial progress per criterion, earned exactly once.

``achievements_evaluate`` measures a learner's criteria in one community with at most three
aggregate queries (block states, roll-ups, active days) whatever the number of achievements,
stores the progress on ``UserAchievement`` and stamps ``earned_at`` the first time every
criterion is met. After an ingest only the achievements whose criteria the batch can move are
evaluated (``affected_criterion_types``).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import (
    Achievement,
    BlockProgress,
    BlockState,
    CriterionType,
    NodeProgress,
    NodeType,
    ProgressEvent,
    UserAchievement,
)
from ..rollup import DONE_STATES
from ..selectors.structure import CommunityStructure, community_structure

UTC = ZoneInfo("UTC")

BLOCK_CRITERIA = {CriterionType.BLOCKS_COMPLETED, CriterionType.MASTERY_COUNT, CriterionType.TIME_SPENT}
NODE_CRITERIA = {
    CriterionType.WODS_COMPLETED: NodeType.WOD,
    CriterionType.COURSE_COMPLETED: NodeType.COURSE,
    CriterionType.PROGRAM_COMPLETED: NodeType.PROGRAM,
}


@dataclass
class AchievementOutcome:
    achievement: Achievement
    award: UserAchievement
    newly_earned: bool


def event_value(event, name: str):
    """A column of a logged event of an ingest result (a ``ProgressEvent`` or a row dict)."""
    return event[name] if isinstance(event, dict) else getattr(event, name)


def affected_criterion_types(result) -> set[str]:
    """Criterion types an ingest result can have moved."""
    if not result.accepted:
        return set()
    kinds = {CriterionType.ACTIVE_DAY_STREAK}
    if any(event_value(e, "time_spent_s") for e in result.events):
        kinds.add(CriterionType.TIME_SPENT)
    changed_states = {result.block_states.get(b) for b in result.changed_block_ids}
    if changed_states & set(DONE_STATES):
        kinds.add(CriterionType.BLOCKS_COMPLETED)
    if BlockState.MASTERED in changed_states:
        kinds.add(CriterionType.MASTERY_COUNT)
    for criterion, node_type in NODE_CRITERIA.items():
        if result.completed_nodes.get(node_type):
            kinds.add(criterion)
    return kinds


def scope_wods(structure: CommunityStructure, scope: dict) -> list[int] | None:
    """WOD ids a scope covers (None: the whole community)."""
    if not scope:
        return None
    if "wod" in scope:
        return [scope["wod"]]
    if "course" in scope:
        node = structure.courses.get(scope["course"])
        return list(node.children) if node else []
    node = structure.programs.get(scope["program"])
    return structure.program_wods(node.id) if node else []


def scope_nodes(structure: CommunityStructure, node_type: str, scope: dict) -> list[int] | None:
    """Ids of ``node_type`` nodes a scope covers (None: the whole community)."""
    if not scope:
        return None
    if node_type == NodeType.WOD:
        return scope_wods(structure, scope)
    if node_type == NodeType.COURSE:
        if "course" in scope:
            return [scope["course"]]
        node = structure.programs.get(scope.get("program"))
        return list(node.children) if node else []
    return [scope["program"]] if "program" in scope else None


def _scope_key(item: dict) -> tuple:
    return (item["type"], tuple(sorted((item.get("scope") or {}).items())))


def measure(
    *, user, community_id: int, items: list[dict], tz=UTC, today: date | None = None
) -> dict[tuple, int]:
    """Current value of each distinct criterion (type and scope) for ``user`` in the community."""
    structure = community_structure(community_id) if any(item.get("scope") for item in items) else None
    values: dict[tuple, int] = {}
    block_aggregates, node_aggregates, streak_days = {}, {}, 0
    for item in items:
        key = _scope_key(item)
        if key in values or key in block_aggregates or key in node_aggregates:
            continue
        kind, scope = item["type"], item.get("scope") or {}
        alias = f"c{len(block_aggregates) + len(node_aggregates)}"
        if kind in BLOCK_CRITERIA:
            condition = Q()
            wods = scope_wods(structure, scope)
            if wods is not None:
                condition &= Q(block__page__wod_id__in=wods)
            if kind == CriterionType.TIME_SPENT:
                block_aggregates[key] = (alias, Sum("time_spent_s", filter=condition or None))
            else:
                states = DONE_STATES if kind == CriterionType.BLOCKS_COMPLETED else [BlockState.MASTERED]
                block_aggregates[key] = (alias, Count("id", filter=condition & Q(state__in=states)))
        elif kind in NODE_CRITERIA:
            node_type = NODE_CRITERIA[kind]
            condition = Q(node_type=node_type, state__in=DONE_STATES)
            ids = scope_nodes(structure, node_type, scope)
            if ids is not None:
                condition &= Q(node_id__in=ids)
            node_aggregates[key] = (alias, Count("id", filter=condition))
        elif kind == CriterionType.ACTIVE_DAY_STREAK:
            streak_days = max(streak_days, int(item["count"]))
    if block_aggregates:
        row = BlockProgress.objects.filter(user=user, community_id=community_id).aggregate(
            **{alias: expr for alias, expr in block_aggregates.values()}
        )
        for key, (alias, _) in block_aggregates.items():
            value = row[alias] or 0
            if key[0] == CriterionType.TIME_SPENT:
                value = int(Decimal(value) // 60)
            values[key] = int(value)
    if node_aggregates:
        row = NodeProgress.objects.filter(user=user, community_id=community_id).aggregate(
            **{alias: expr for alias, expr in node_aggregates.values()}
        )
        for key, (alias, _) in node_aggregates.items():
            values[key] = int(row[alias] or 0)
    if streak_days:
        values[(CriterionType.ACTIVE_DAY_STREAK, ())] = current_streak(
            user=user, community_id=community_id, lookback_days=streak_days + 1, tz=tz, today=today
        )
    return values


def active_days(*, user, community_id: int, since, tz=UTC) -> set[date]:
    """Local dates (in ``tz``) on which ``user`` had accepted events in the community since ``since``."""
    return set(
        ProgressEvent.objects.filter(user=user, community_id=community_id, occurred_at__gte=since)
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values_list("day", flat=True)
        .order_by()
        .distinct()
    )


def streak_ending(days: set[date], last: date) -> int:
    """Consecutive days in ``days`` ending on ``last`` or, when ``last`` is not active, the day before."""
    if last not in days:
        last -= timedelta(days=1)
    streak = 0
    while last in days:
        streak += 1
        last -= timedelta(days=1)
    return streak


def current_streak(*, user, community_id: int, lookback_days: int, tz=UTC, today: date | None = None) -> int:
    """Consecutive active days up to today (or yesterday), looking back at most ``lookback_days``."""
    today = today or timezone.now().astimezone(tz).date()
    since = timezone.now() - timedelta(days=lookback_days + 1)
    return min(
        streak_ending(active_days(user=user, community_id=community_id, since=since, tz=tz), today),
        lookback_days,
    )


def with_awards(user, queryset) -> list[Achievement]:
    """The achievements of ``queryset``, each with ``_award``: the user's row or None (one query)."""
    rows = queryset.annotate(mine=FilteredRelation("awards", condition=Q(awards__user=user))).annotate(
        award_id=F("mine__id"),
        award_progress=F("mine__progress"),
        award_earned_at=F("mine__earned_at"),
        award_points=F("mine__points"),
        award_credential_id=F("mine__credential_id"),
    )
    out = []
    for achievement in rows:
        achievement._award = None
        if achievement.award_id is not None:
            achievement._award = UserAchievement(
                pk=achievement.award_id,
                user=user,
                achievement=achievement,
                community_id=achievement.community_id,
                progress=achievement.award_progress,
                earned_at=achievement.award_earned_at,
                points=achievement.award_points,
                credential_id=achievement.award_credential_id,
            )
        out.append(achievement)
    return out


def achievements_evaluate(
    *, user, community_id: int, achievements: list[Achievement] | None = None, now=None
) -> list[AchievementOutcome]:
    """Measure ``achievements`` (default: every active one of the community) for ``user``,
    store each one's progress and award the ones now complete. Earned ones are left as they are.

    Callers hold the learner's lock (an ingest does), so one learner's awards change one
    transaction at a time."""
    now = now or timezone.now()
    if achievements is None:
        achievements = with_awards(user, Achievement.objects.active().filter(community_id=community_id))
    elif not all(hasattr(a, "_award") for a in achievements):
        achievements = with_awards(user, Achievement.objects.filter(pk__in=[a.pk for a in achievements]))
    pending = [a for a in achievements if not (a._award and a._award.earned)]
    if not pending:
        return []
    items = [item for a in pending for item in a.criteria_items]
    values = measure(user=user, community_id=community_id, items=items)
    outcomes, rows = [], []
    for achievement in pending:
        progress = []
        for item in achievement.criteria_items:
            current = values.get(_scope_key(item), 0)
            target = int(item["count"])
            progress.append(
                {"type": item["type"], "current": current, "target": target, "met": current >= target}
            )
        award = achievement._award
        newly = bool(progress) and all(p["met"] for p in progress)
        if award is not None and award.progress == progress and not newly:
            outcomes.append(AchievementOutcome(achievement, award, False))
            continue  # nothing moved: no write
        award = award or UserAchievement(user=user, achievement=achievement, community_id=community_id)
        award.progress = progress
        award.evaluated_at = now
        if newly:
            award.earned_at = now
            award.points = achievement.points
        rows.append(award)
        outcomes.append(AchievementOutcome(achievement, award, newly))
    if rows:
        UserAchievement.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["user", "achievement"],
            update_fields=["progress", "earned_at", "points", "evaluated_at"],
        )
    return outcomes


def achievements_evaluate_after_ingest(*, user, result) -> list[AchievementOutcome]:
    """Evaluate, in the ingest's transaction, the achievements the batch can have moved."""
    kinds = affected_criterion_types(result)
    if not kinds:
        return []
    communities = sorted({event_value(e, "community_id") for e in result.events})
    # Ingest read which communities have an active achievement: only those can award one.
    with_achievements = getattr(result, "achievement_communities", None)
    if with_achievements is not None:
        communities = [c for c in communities if c in with_achievements]
    if not communities:
        return []
    candidates = with_awards(user, Achievement.objects.active().filter(community_id__in=communities))
    outcomes = []
    for community_id in communities:
        relevant = [
            a
            for a in candidates
            if a.community_id == community_id
            and a.criterion_types & kinds
            and not (a._award and a._award.earned)
        ]
        if relevant:
            outcomes += achievements_evaluate(user=user, community_id=community_id, achievements=relevant)
    return outcomes


def achievements_reevaluate(*, achievements: list[Achievement]) -> int:
    """Evaluate ``achievements`` for every member of their communities (after defining or
    changing one, so past progress counts). Each learner is locked like an ingest. Returns how
    many were newly earned."""
    from ..models import Membership
    from .ingest import lock_learner

    by_community: dict[int, list[Achievement]] = {}
    for achievement in achievements:
        if achievement.is_active:
            by_community.setdefault(achievement.community_id, []).append(achievement)
    earned = 0
    for community_id, chosen in by_community.items():
        for membership in Membership.objects.filter(community_id=community_id).select_related("user"):
            with transaction.atomic():
                lock_learner(membership.user)
                outcomes = achievements_evaluate(
                    user=membership.user, community_id=community_id, achievements=chosen
                )
            earned += sum(o.newly_earned for o in outcomes)
    return earned
