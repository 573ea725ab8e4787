"""Ranking scores kept current by single-statement updates.

Top rated: the Bayesian average ``(C·m + sum) / (m + count)`` with a prior mean ``C`` and a
prior weight ``m`` (settings), so one 5-star rating does not beat fifty averaging 4.6.

Trending: forward decay. Each usage event at time ``t`` adds ``2^((t - epoch) / half_life)``
to the scenario's score; ranking by that sum is the same as ranking by usage decayed to any
common "now", because every score shares the factor ``2^(-(now - epoch) / half_life)``. The sum
grows without bound, so the column keeps its base-2 logarithm and an event adds in log space:
``log2(2^a + 2^b) = max(a, b) + log2(1 + 2^-|a - b|)``. One UPDATE, no overflow, no job.
"""

import math
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Abs, Greatest, Ln, Power
from django.db.models.lookups import GreaterThan

TRENDING_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
LN2 = math.log(2)
# The score of a scenario nobody used yet: 2^-1e6 is nothing, and the column needs no NULLs,
# so one plain descending index serves the ranking on PostgreSQL.
TRENDING_EMPTY = -1e6
# Beyond this gap the smaller term changes the sum by less than 2^-60: skip it (and the
# floating-point underflow PostgreSQL would raise computing it).
NEGLIGIBLE_GAP = 60.0


def bayesian_score(ratings_sum: int, ratings_count: int) -> float:
    """The top-rated ranking key; 0 (below every real score) without ratings."""
    if ratings_count <= 0:
        return 0.0
    prior_mean = settings.SCENARIO_RATING_PRIOR_MEAN
    prior_weight = settings.SCENARIO_RATING_PRIOR_WEIGHT
    return (prior_mean * prior_weight + ratings_sum) / (prior_weight + ratings_count)


def bayesian_score_after(sum_delta: int, count_delta: int):
    """SQL for the Bayesian score after ``ratings_sum += sum_delta, ratings_count += count_delta``.

    SET expressions read the row's old values, so the deltas are added here as well.
    """
    prior_mean = settings.SCENARIO_RATING_PRIOR_MEAN
    prior_weight = settings.SCENARIO_RATING_PRIOR_WEIGHT
    return Case(
        When(
            ratings_count__gt=-count_delta,
            then=(Value(prior_mean * prior_weight) + F("ratings_sum") + Value(sum_delta))
            / (Value(float(prior_weight)) + F("ratings_count") + Value(count_delta)),
        ),
        default=Value(0.0),
        output_field=FloatField(),
    )


def trending_exponent(at: datetime) -> float:
    """log2 of one event's forward-decay weight: ``(at - epoch) / half_life``."""
    half_life_s = settings.SCENARIO_TRENDING_HALF_LIFE_HOURS * 3600
    return (at - TRENDING_EPOCH).total_seconds() / half_life_s


def trending_log_add(a: float | None, b: float) -> float:
    """``log2(2^a + 2^b)``; ``a`` is None for an empty score."""
    if a is None:
        return b
    high, low = max(a, b), min(a, b)
    if high - low > NEGLIGIBLE_GAP:
        return high
    return high + math.log1p(2 ** (low - high)) / LN2


def trending_after_event(at: datetime, *, weight: float = 1.0):
    """SQL for ``trending_score`` after one usage event of ``weight`` at ``at``."""
    return trending_after_log_add(trending_exponent(at) + math.log2(weight))


def trending_after_log_add(exponent: float):
    """SQL for ``trending_score`` after adding ``2^exponent`` to the forward-decayed sum."""
    x = Value(exponent, output_field=FloatField())
    current = F("trending_score")
    return Case(
        When(
            GreaterThan(Abs(current - x), Value(NEGLIGIBLE_GAP)),
            then=Greatest(current, x),
        ),
        default=Greatest(current, x) + Ln(Value(1.0) + Power(Value(2.0), -Abs(current - x))) / Value(LN2),
        output_field=FloatField(),
    )


def trending_now(score: float, *, now: datetime) -> float:
    """The decayed usage as of ``now``: events in the last half-life count about 1 each."""
    exponent = score - trending_exponent(now)
    return 2**exponent if exponent > -1000 else 0.0
