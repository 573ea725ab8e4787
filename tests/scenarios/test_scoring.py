import math
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios import services
from scenarios.models import ScenarioMetadata
from scenarios.scoring import TRENDING_EPOCH, trending_exponent, trending_log_add, trending_now
from tests.factories import UserFactory


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=-200, max_value=200), min_size=1, max_size=20))
def test_log_space_sum_equals_the_plain_forward_decay_sum(exponents):
    total = None
    for x in exponents:
        total = trending_log_add(total, x)
    assert total == pytest.approx(math.log2(sum(2**x for x in exponents)), abs=1e-9)


def test_an_event_one_half_life_old_counts_half(settings):
    settings.SCENARIO_TRENDING_HALF_LIFE_HOURS = 24
    now = TRENDING_EPOCH + timedelta(days=400)
    score = trending_log_add(trending_exponent(now), trending_exponent(now - timedelta(hours=24)))
    assert trending_now(score, now=now) == pytest.approx(1.5)


@pytest.mark.django_db
def test_the_sql_update_keeps_the_same_sum_as_python(settings, scenario):
    settings.SCENARIO_TRENDING_HALF_LIFE_HOURS = 10
    now = timezone.now()
    times = [now - timedelta(hours=h) for h in (0, 5, 10, 30, 2000)]  # the last one is negligible
    for at in times:
        services.scenario_attempt(user=UserFactory(), scenario=scenario, at=at)
    # 2^exponent itself overflows a float by now: that is why the column keeps log2.
    top = trending_exponent(now)
    expected = top + math.log2(sum(2 ** (trending_exponent(at) - top) for at in times))
    stored = ScenarioMetadata.objects.get(scenario=scenario).trending_score
    assert stored == pytest.approx(expected, abs=1e-6)
    assert trending_now(stored, now=now) == pytest.approx(1 + 2**-0.5 + 0.5 + 2**-3, abs=1e-6)
