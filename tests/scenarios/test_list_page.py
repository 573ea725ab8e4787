"""List pages from SQL compiled once: the same rows as the queryset, each user's own."""

import pytest

from scenarios import selectors, services
from scenarios.models import Visibility
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db

FILTERS = [
    {},
    {"role": "friend"},
    {"difficulty": "beginner", "cefr": "B1"},
    {"q": "cafe"},
]


@pytest.fixture
def scenarios(user, other_user):
    made = ScenarioFactory.create_batch(6, role="friend", difficulty="beginner", cefr_level="B1")
    made += ScenarioFactory.create_batch(3, title="At the cafe")
    made.append(ScenarioFactory(created_by=user, visibility=Visibility.PRIVATE, title="Mine, cafe"))
    made.append(ScenarioFactory(created_by=other_user, visibility=Visibility.PRIVATE, title="Theirs"))
    services.scenario_save(user=user, scenario=made[0])
    services.scenario_rate(user=user, scenario=made[1], rating=4)
    services.scenario_save(user=other_user, scenario=made[2])
    return made


@pytest.mark.parametrize("sort", sorted(selectors.SORTS))
@pytest.mark.parametrize("filters", FILTERS)
def test_a_page_is_the_querysets_slice_value_for_value(user, scenarios, sort, filters):
    for offset, limit in ((0, 4), (4, 4), (0, 50)):
        expected = list(
            selectors.scenario_list_rows(user=user, sort=sort, **filters)[offset : offset + limit]
        )
        page = selectors.scenario_list_page(user=user, sort=sort, offset=offset, limit=limit, **filters)
        assert page == expected
        assert [{k: type(v) for k, v in row.items()} for row in page] == [
            {k: type(v) for k, v in row.items()} for row in expected
        ]


def test_users_sharing_the_compiled_sql_see_only_their_own_private_rows_and_progress(
    user, other_user, scenarios
):
    mine = selectors.scenario_list_page(user=user, sort="newest", offset=0, limit=50)
    theirs = selectors.scenario_list_page(user=other_user, sort="newest", offset=0, limit=50)
    assert "Mine, cafe" in [r["title"] for r in mine] and "Theirs" not in [r["title"] for r in mine]
    assert "Theirs" in [r["title"] for r in theirs] and "Mine, cafe" not in [r["title"] for r in theirs]
    saved_by = {r["id"]: r["my_progress__is_saved"] for r in theirs if r["my_progress__id"]}
    assert saved_by == {scenarios[2].pk: True}
    stranger = UserFactory()
    assert all(
        r["my_progress__id"] is None
        for r in selectors.scenario_list_page(user=stranger, sort="newest", offset=0, limit=50)
    )
