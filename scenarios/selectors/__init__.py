"""Reads for scenarios: querysets and summaries the API, admin and commands share."""

import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from .. import sql as raw_sql
from ..models import Scenario, UserScenarioProgress, Visibility, visible_scenario_q

# sort name -> ORDER BY. Each is exactly an index's column list (see the models' Meta.indexes),
# tiebreak included: metadata sorts break ties on metadata.scenario_id, not scenario.id, so
# PostgreSQL walks the metadata index and stops after one page instead of sorting every row.
SORTS = {
    "trending": (F("metadata__trending_score").desc(), F("metadata__scenario_id").desc()),
    "most_saved": (F("metadata__saved_count").desc(), F("metadata__scenario_id").desc()),
    "top_rated": (F("metadata__bayesian_score").desc(), F("metadata__scenario_id").desc()),
    "newest": (F("created_at").desc(), F("id").desc()),
}
# Long text a list does not show.
DETAIL_ONLY_FIELDS = (
    "instructions",
    "context",
    "expected_outcome",
    "learning_goal",
    "learning_objectives",
    "persona",
    "comfort_indicators",
    "cefr_recommendation",
)
COUNT_VERSION_KEY = "scenarios:list-count-version"
# The count version this process read last (see ``scenario_list_count``).
_last_count_version = [None]
# What a list row shows (see ScenarioSummarySerializer), fetched as plain values.
SCENARIO_COLUMNS = (
    "id",
    "slug",
    "title",
    "description",
    "role",
    "difficulty",
    "difficulty_rating",
    "cefr_level",
    "visibility",
    "created_by_id",
    "created_at",
)
METADATA_COLUMNS = (
    "saved_count",
    "times_used",
    "attempts",
    "average_rating",
    "ratings_count",
    "bayesian_score",
    "completion_rate",
    "average_time_spent_s",
    "trending_score",
)
PROGRESS_COLUMNS = (
    "scenario_id",
    "is_saved",
    "saved_at",
    "times_attempted",
    "times_completed",
    "last_attempt_at",
    "last_completed_at",
    "rating",
    "notes",
    "total_time_spent_s",
    "variant_id",
    "updated_at",
)
DEFAULT_SORT = "trending"
SIMILAR_SAVERS_SAMPLE = 500
# Co-saved scenarios fetched per result wanted, to leave room for ones the user may not see.
SIMILAR_CANDIDATES_FACTOR = 3


def scenario_list(
    *,
    user,
    sort: str = DEFAULT_SORT,
    role: str = "",
    difficulty: str = "",
    cefr: str = "",
    q: str = "",
) -> QuerySet[Scenario]:
    """Scenarios ``user`` may see, filtered and ranked, with their metadata joined once.

    The join is an inner one (every scenario has its metadata row), which lets the planner
    drive the query from the metadata index of the requested sort. The filters read the
    metadata's copies of the scenario's columns, which that index holds, so a filtered page
    does not visit the scenario of every ranked entry until twenty match.
    """
    queryset = _filtered(
        Scenario.objects.visible_to(user).filter(metadata__is_active=True),
        role=role,
        difficulty=difficulty,
        cefr=cefr,
        q=q,
        prefix="metadata__",
    )
    return (
        queryset.filter(metadata__isnull=False)
        .select_related("metadata")
        .defer(*DETAIL_ONLY_FIELDS)
        .order_by(*SORTS[sort])
    )


def scenario_list_rows(*, user, **filters) -> QuerySet:
    """``scenario_list`` as plain rows of the columns a list shows, the API's lists serialize
    these (no model instances). Metadata columns are prefixed ``metadata__``; the user's own
    progress comes in the same query, through a left join on the (user, scenario) unique index,
    prefixed ``my_progress__`` (``my_progress__id`` is None without progress)."""
    columns = [*SCENARIO_COLUMNS, *(f"metadata__{name}" for name in METADATA_COLUMNS)]
    queryset = scenario_list(user=user, **filters)
    if user is not None and user.is_authenticated:
        queryset = queryset.annotate(
            my_progress=FilteredRelation("progress", condition=Q(progress__user=user))
        )
        columns += ["my_progress__id", *(f"my_progress__{name}" for name in PROGRESS_COLUMNS[1:])]
    return queryset.values(*columns)


# A user id no row has: the compiled list SQL carries it where the requesting user's id goes.
_ANY_USER_ID = -2_000_000_001
_compiled_lists: "OrderedDict[tuple, tuple[str, tuple, list[str]]]" = OrderedDict()
_compiled_lock = threading.Lock()
COMPILED_LISTS = 256


def _compiled_list(*, authenticated: bool, **filters) -> tuple[str, tuple, list[str]]:
    """(SQL, params, column names) of ``scenario_list_rows`` for any user, built once per sort and
    filters: building and compiling the queryset costs more than running it. The params hold
    ``_ANY_USER_ID`` where the user's id goes."""
    key = (authenticated, *sorted(filters.items()))
    with _compiled_lock:
        found = _compiled_lists.get(key)
        if found is not None:
            _compiled_lists.move_to_end(key)
            return found
    anyone = get_user_model()(pk=_ANY_USER_ID) if authenticated else None
    query = scenario_list_rows(user=anyone, **filters).query
    sql, params = query.sql_with_params()
    names = [*query.extra_select, *query.values_select, *query.annotation_select]
    found = (sql, params, names)
    with _compiled_lock:
        _compiled_lists[key] = found
        while len(_compiled_lists) > COMPILED_LISTS:
            _compiled_lists.popitem(last=False)
    return found


def scenario_list_page(*, user, offset: int, limit: int, **filters) -> list[dict]:
    """Rows ``offset`` to ``offset + limit`` of ``scenario_list_rows(user=user, **filters)``, the
    same dicts, from SQL compiled once per sort and filters (one query; without a text search,
    the statement text of ``sql.list_page``, planned once per connection). PostgreSQL returns every
    column of a list row as the ORM would, so no converter runs."""
    authenticated = user is not None and user.is_authenticated
    sql, params, names = _compiled_list(authenticated=authenticated, **filters)
    user_id = user.pk if authenticated else None
    if filters.get("q"):
        # A text search is planned for its words each time (the trigram indexes).
        params = tuple(user_id if p == _ANY_USER_ID else p for p in params)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", (*params, limit, offset))
            rows = cursor.fetchall()
    else:
        rows = raw_sql.list_page(
            sql, params, user_param=_ANY_USER_ID, user_id=user_id, limit=limit, offset=offset
        )
    return [dict(zip(names, row, strict=True)) for row in rows]


class ScenarioListPage:
    """``scenario_list_rows`` as the paginator slices it: each slice is one ``scenario_list_page``."""

    ordered = True

    def __init__(self, *, user, **filters):
        self.user, self.filters = user, filters

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("ScenarioListPage takes slices only")
        offset = item.start or 0
        return scenario_list_page(user=self.user, offset=offset, limit=item.stop - offset, **self.filters)


def _filtered(queryset, *, role="", difficulty="", cefr="", q="", prefix=""):
    """``queryset`` of scenarios filtered; ``prefix="metadata__"`` reads the metadata's copies of
    the filter columns instead of the scenario's own."""
    if role:
        queryset = queryset.filter(**{f"{prefix}role": role})
    if difficulty:
        queryset = queryset.filter(**{f"{prefix}difficulty": difficulty})
    if cefr:
        queryset = queryset.filter(**{f"{prefix}cefr_level": cefr})
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return queryset


def scenario_list_count(*, user, role: str = "", difficulty: str = "", cefr: str = "", q: str = "") -> int:
    """How many scenarios ``scenario_list`` returns, without counting 100,000 rows per request.

    The public part (the same for everyone) and the user's own private part are cached under
    a version that every scenario write bumps (``scenario_list_count_invalidate``), with a
    short timeout as a safety net. A lagging count never cuts a page short (see the view).
    """
    filters = {"role": role, "difficulty": difficulty, "cefr": cefr, "q": q}
    digest = hashlib.sha256(repr(sorted(filters.items())).encode()).hexdigest()[:24]
    user_id = user.pk if user is not None and user.is_authenticated else None

    def keys(version):
        return (
            f"scenarios:list-count:{version}:{digest}:public",
            f"scenarios:list-count:{version}:{digest}:user-{user_id}",
        )

    # One round trip in the usual case: the version and the counts under the version this process
    # saw last. The counts are used only when that guess is the version just read, so never stale.
    guess = _last_count_version[0]
    public_key, own_key = keys(guess)
    cached = cache.get_many([COUNT_VERSION_KEY, public_key, own_key])
    version = cached.pop(COUNT_VERSION_KEY, None)
    if version is None:
        cache.add(COUNT_VERSION_KEY, 1, timeout=None)
        version = cache.get(COUNT_VERSION_KEY, 1)
    if version != guess:
        _last_count_version[0] = version
        public_key, own_key = keys(version)
        cached = cache.get_many([public_key, own_key])
    if public_key not in cached:
        cached[public_key] = _filtered(
            Scenario.objects.filter(is_active=True, visibility=Visibility.PUBLIC, metadata__isnull=False),
            **filters,
        ).count()
        cache.set(public_key, cached[public_key], timeout=settings.SCENARIO_LIST_COUNT_CACHE_S)
    if own_key not in cached:
        cached[own_key] = (
            _filtered(
                Scenario.objects.filter(
                    created_by_id=user_id, is_active=True, metadata__isnull=False
                ).exclude(visibility=Visibility.PUBLIC),
                **filters,
            ).count()
            if user_id
            else 0
        )
        cache.set(own_key, cached[own_key], timeout=settings.SCENARIO_LIST_COUNT_CACHE_S)
    return cached[public_key] + cached[own_key]


def scenario_list_count_invalidate() -> None:
    """Call after creating, changing or deleting scenarios: list counts are recomputed."""
    try:
        cache.incr(COUNT_VERSION_KEY)
    except ValueError:
        cache.set(COUNT_VERSION_KEY, 2, timeout=None)


def progress_by_scenario(*, user, scenario_ids) -> dict[int, dict]:
    """The user's progress on a page of scenarios (plain rows by scenario id), in one query."""
    if user is None or not user.is_authenticated or not scenario_ids:
        return {}
    rows = UserScenarioProgress.objects.filter(user=user, scenario_id__in=list(scenario_ids)).values(
        *PROGRESS_COLUMNS
    )
    return {row["scenario_id"]: row for row in rows}


def progress_get(*, user, scenario) -> UserScenarioProgress | None:
    return UserScenarioProgress.objects.filter(user=user, scenario=scenario).first()


def my_scenarios(*, user, saved: bool | None = None) -> QuerySet[UserScenarioProgress]:
    """The user's progress rows on scenarios they may still see, most recent first."""
    queryset = UserScenarioProgress.objects.filter(
        visible_scenario_q(user, "scenario__"), user=user
    ).select_related("scenario", "scenario__metadata")
    if saved is True:
        return queryset.filter(is_saved=True).order_by("-saved_at", "-id")
    if saved is False:
        queryset = queryset.filter(is_saved=False)
    return queryset.order_by("-updated_at", "-id")


def scenario_similar(*, user, scenario: Scenario, limit: int = 10) -> list[Scenario]:
    """People who saved this also saved: other visible scenarios ranked by co-saves.

    Counts over the scenario's most recent savers (at most ``SIMILAR_SAVERS_SAMPLE``), so a
    very popular scenario costs about the same as a niche one. The counting touches progress
    rows only; visibility is checked afterwards on a few candidates (most are public), so the
    count does not look up a scenario row per co-save. Each result carries ``co_saves``.
    """
    savers = (
        UserScenarioProgress.objects.filter(scenario=scenario, is_saved=True)
        .order_by("-saved_at")
        .values("user_id")[:SIMILAR_SAVERS_SAMPLE]
    )
    candidates = list(
        UserScenarioProgress.objects.filter(is_saved=True, user_id__in=savers)
        .exclude(scenario=scenario)
        .values("scenario_id")
        .annotate(co_saves=Count("id"))
        .order_by("-co_saves", "-scenario_id")[: limit * SIMILAR_CANDIDATES_FACTOR]
    )
    visible = (
        Scenario.objects.visible_to(user)
        .select_related("metadata")
        .in_bulk([row["scenario_id"] for row in candidates])
    )
    similar = []
    for row in candidates:
        item = visible.get(row["scenario_id"])
        if item is not None and len(similar) < limit:
            item.co_saves = row["co_saves"]
            similar.append(item)
    return similar
