"""Reads for scenarios: querysets and summaries the API, admin and commands share."""

from django.db.models import Count, F, Q, QuerySet

from .models import Scenario, UserScenarioProgress

# sort name -> ORDER BY; each matches an index (see the models' Meta.indexes).
SORTS = {
    "trending": (F("metadata__trending_score").desc(), F("id").desc()),
    "most_saved": (F("metadata__saved_count").desc(), F("id").desc()),
    "top_rated": (F("metadata__bayesian_score").desc(), F("id").desc()),
    "newest": (F("created_at").desc(), F("id").desc()),
}
DEFAULT_SORT = "trending"
SIMILAR_SAVERS_SAMPLE = 1000


def scenario_list(
    *,
    user,
    sort: str = DEFAULT_SORT,
    role: str = "",
    difficulty: str = "",
    cefr: str = "",
    q: str = "",
) -> QuerySet[Scenario]:
    """Scenarios ``user`` may see, filtered and ranked, with their metadata joined once."""
    queryset = Scenario.objects.visible_to(user).select_related("metadata")
    if role:
        queryset = queryset.filter(role=role)
    if difficulty:
        queryset = queryset.filter(difficulty=difficulty)
    if cefr:
        queryset = queryset.filter(cefr_level=cefr)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return queryset.order_by(*SORTS[sort])


def progress_by_scenario(*, user, scenario_ids) -> dict[int, UserScenarioProgress]:
    """The user's progress rows for a page of scenarios, in one query."""
    if user is None or not user.is_authenticated or not scenario_ids:
        return {}
    rows = UserScenarioProgress.objects.filter(user=user, scenario_id__in=list(scenario_ids))
    return {row.scenario_id: row for row in rows}


def progress_get(*, user, scenario) -> UserScenarioProgress | None:
    return UserScenarioProgress.objects.filter(user=user, scenario=scenario).first()


def my_scenarios(*, user, saved: bool | None = None) -> QuerySet[UserScenarioProgress]:
    """The user's progress rows on scenarios they may still see, most recent first."""
    queryset = UserScenarioProgress.objects.filter(
        user=user, scenario__in=Scenario.objects.visible_to(user)
    ).select_related("scenario", "scenario__metadata")
    if saved is True:
        return queryset.filter(is_saved=True).order_by("-saved_at", "-id")
    if saved is False:
        queryset = queryset.filter(is_saved=False)
    return queryset.order_by("-updated_at", "-id")


def scenario_similar(*, user, scenario: Scenario, limit: int = 10) -> list[Scenario]:
    """People who saved this also saved: other visible scenarios ranked by co-saves.

    Counts over the scenario's most recent savers (at most ``SIMILAR_SAVERS_SAMPLE``), so a
    very popular scenario costs the same as a niche one. Each result carries ``co_saves``.
    """
    savers = (
        UserScenarioProgress.objects.filter(scenario=scenario, is_saved=True)
        .order_by("-saved_at")
        .values("user_id")[:SIMILAR_SAVERS_SAMPLE]
    )
    ranked = list(
        UserScenarioProgress.objects.filter(is_saved=True, user_id__in=savers)
        .exclude(scenario=scenario)
        .filter(scenario__in=Scenario.objects.visible_to(user))
        .values("scenario_id")
        .annotate(co_saves=Count("id"))
        .order_by("-co_saves", "-scenario_id")[:limit]
    )
    by_id = Scenario.objects.select_related("metadata").in_bulk([row["scenario_id"] for row in ranked])
    similar = []
    for row in ranked:
        item = by_id[row["scenario_id"]]
        item.co_saves = row["co_saves"]
        similar.append(item)
    return similar
