import io

import pytest
from django.db.models import Sum

from scenarios import demo
from scenarios.models import Scenario, ScenarioMetadata, UserScenarioProgress
from scenarios.selectors import SORTS, scenario_list

pytestmark = pytest.mark.django_db


def totals():
    return (
        Scenario.objects.count(),
        UserScenarioProgress.objects.count(),
        ScenarioMetadata.objects.aggregate(Sum("saved_count"), Sum("attempts"), Sum("ratings_count")),
    )


def test_demo_has_thirty_built_ins_with_usage_and_is_idempotent():
    demo.seed(stdout=io.StringIO())
    first = totals()
    demo.seed(stdout=io.StringIO())
    assert totals() == first
    built_in = Scenario.objects.filter(created_by=None)
    assert built_in.count() >= 30
    assert set(built_in.values_list("role", flat=True)) == {"tutor", "character", "friend", "expert"}
    assert set(built_in.values_list("difficulty", flat=True)) == {"beginner", "intermediate", "advanced"}
    assert len(set(built_in.values_list("cefr_level", flat=True))) == 6
    for sort in SORTS:
        top = scenario_list(user=None, sort=sort).first()
        assert top.metadata.saved_count > 0 and top.metadata.ratings_count > 0
