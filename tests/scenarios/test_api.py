import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from scenarios import services
from scenarios.api.serializers import ScenarioListQuerySerializer, scenario_list_query
from scenarios.models import Scenario, ScenarioMetadata, Visibility
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db

METADATA_KEYS = {
    "saved_count",
    "times_used",
    "attempts",
    "average_rating",
    "ratings_count",
    "completion_rate",
    "average_time_spent_s",
}


def url(name, scenario=None):
    return reverse(f"api:{name}", args=[scenario.pk] if scenario else [])


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_list_requires_authentication(api_client):
    assert api_client.get(url("scenario-list")).status_code == 401


def test_list_carries_metadata_and_my_progress(auth_client, user, scenario):
    services.scenario_save(user=user, scenario=scenario)
    response = auth_client.get(url("scenario-list"))
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert METADATA_KEYS <= set(row["metadata"])
    assert row["metadata"]["saved_count"] == 1
    assert row["my_progress"]["is_saved"] is True


def test_most_saved_ranks_by_saved_count_with_newest_id_breaking_ties(auth_client):
    a, b, c = ScenarioFactory.create_batch(3)
    for u in UserFactory.create_batch(2):
        services.scenario_save(user=u, scenario=b)
    services.scenario_save(user=UserFactory(), scenario=a)
    response = auth_client.get(url("scenario-list"), {"sort": "most_saved"})
    assert ids(response) == [b.pk, a.pk, c.pk]


def test_top_rated_uses_the_bayesian_average_and_puts_unrated_last(auth_client, settings):
    settings.SCENARIO_RATING_PRIOR_MEAN = 3.5
    settings.SCENARIO_RATING_PRIOR_WEIGHT = 10
    lucky, solid, unrated = ScenarioFactory.create_batch(3)
    services.scenario_rate(user=UserFactory(), scenario=lucky, rating=5)
    for index in range(50):
        services.scenario_rate(user=UserFactory(), scenario=solid, rating=5 if index < 30 else 4)
    response = auth_client.get(url("scenario-list"), {"sort": "top_rated"})
    assert ids(response) == [solid.pk, lucky.pk, unrated.pk]


def test_trending_ranks_recent_usage_first(auth_client):
    quiet, busy = ScenarioFactory.create_batch(2)
    for u in UserFactory.create_batch(3):
        services.scenario_attempt(user=u, scenario=busy)
    services.scenario_attempt(user=UserFactory(), scenario=quiet)
    response = auth_client.get(url("scenario-list"), {"sort": "trending"})
    assert ids(response) == [busy.pk, quiet.pk]
    assert response.json()["results"][0]["metadata"]["trending"] == pytest.approx(3, rel=0.01)


def test_newest_lists_the_latest_scenario_first(auth_client):
    first, second = ScenarioFactory.create_batch(2)
    assert ids(auth_client.get(url("scenario-list"), {"sort": "newest"})) == [second.pk, first.pk]


def test_filters_by_role_difficulty_cefr_and_text(auth_client):
    match = ScenarioFactory(
        role="tutor", difficulty="advanced", cefr_level="C1", title="Negotiating a salary"
    )
    ScenarioFactory(role="tutor", difficulty="advanced", cefr_level="B2", title="Negotiating rent")
    ScenarioFactory(role="friend", difficulty="advanced", cefr_level="C1", title="Negotiating chores")
    response = auth_client.get(
        url("scenario-list"), {"role": "tutor", "difficulty": "advanced", "cefr": "C1", "q": "salary"}
    )
    assert ids(response) == [match.pk]


@pytest.mark.parametrize(
    "params", [{"sort": "popular"}, {"role": "villain"}, {"difficulty": "hard"}, {"cefr": "D1"}]
)
def test_unknown_sort_or_filter_value_is_a_400(auth_client, params):
    response = auth_client.get(url("scenario-list"), params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_private_scenarios_are_listed_only_for_their_creator(auth_client, other_client, user):
    mine = ScenarioFactory(created_by=user, visibility=Visibility.PRIVATE)
    public = ScenarioFactory()
    assert set(ids(auth_client.get(url("scenario-list")))) == {mine.pk, public.pk}
    assert ids(other_client.get(url("scenario-list"))) == [public.pk]


def test_inactive_scenarios_are_hidden(auth_client):
    hidden = ScenarioFactory(is_active=False)
    assert hidden.pk not in ids(auth_client.get(url("scenario-list")))
    assert auth_client.get(url("scenario-detail", hidden)).status_code == 404


@pytest.mark.parametrize(
    "method,name,body",
    [
        ("get", "scenario-detail", None),
        ("put", "scenario-save", None),
        ("delete", "scenario-save", None),
        ("post", "scenario-attempts", {}),
        ("post", "scenario-completions", {"time_spent_s": 10}),
        ("put", "scenario-rating", {"rating": 4}),
        ("delete", "scenario-rating", None),
        ("patch", "scenario-notes", {"notes": "x"}),
        ("get", "scenario-similar", None),
    ],
)
def test_another_users_private_scenario_is_a_404_everywhere(other_client, user, method, name, body):
    private = ScenarioFactory(created_by=user, visibility=Visibility.PRIVATE)
    response = getattr(other_client, method)(url(name, private), body, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert ScenarioMetadata.objects.get(scenario=private).saved_count == 0


def test_detail_has_content_metadata_and_my_progress(auth_client, user, scenario):
    services.scenario_rate(user=user, scenario=scenario, rating=4)
    body = auth_client.get(url("scenario-detail", scenario)).json()
    assert body["instructions"] == scenario.instructions
    assert body["metadata"]["average_rating"] == 4.0
    assert body["my_progress"]["rating"] == 4


def test_detail_my_progress_is_null_before_any_interaction(auth_client, scenario):
    assert auth_client.get(url("scenario-detail", scenario)).json()["my_progress"] is None


def test_create_makes_a_private_scenario_with_empty_metadata(auth_client, user):
    body = {
        "title": "Ordering ramen",
        "description": "At a ramen counter in Tokyo.",
        "role": "character",
        "difficulty": "beginner",
        "instructions": "Order a bowl and ask for extra noodles.",
        "context": "Lunchtime rush.",
        "learning_objectives": ["Order food politely"],
        "persona": {"name": "Kenji", "role": "chef"},
        "cefr_level": "A1",
    }
    response = auth_client.post(url("scenario-list"), body, format="json")
    assert response.status_code == 201, response.json()
    created = Scenario.objects.get(pk=response.json()["id"])
    assert (created.created_by, created.visibility) == (user, "private")
    assert response.json()["metadata"]["saved_count"] == 0


def test_create_refuses_a_persona_that_breaks_its_schema(auth_client):
    body = {
        "title": "x",
        "description": "x",
        "role": "character",
        "difficulty": "beginner",
        "instructions": "x",
        "context": "x",
        "persona": {"nickname": "no name or role"},
    }
    response = auth_client.post(url("scenario-list"), body, format="json")
    assert response.status_code == 400
    assert "persona" in response.json()


def test_save_and_unsave_are_idempotent_over_http(auth_client, scenario):
    assert auth_client.put(url("scenario-save", scenario)).json()["metadata"]["saved_count"] == 1
    assert auth_client.put(url("scenario-save", scenario)).json()["metadata"]["saved_count"] == 1
    assert auth_client.delete(url("scenario-save", scenario)).json()["metadata"]["saved_count"] == 0
    assert auth_client.delete(url("scenario-save", scenario)).json()["metadata"]["saved_count"] == 0


def test_save_and_unsave_answer_the_progress_as_stored(auth_client, scenario):
    """Save and unsave answer from the locked row without reloading it: the same as a fresh read."""
    for method in ("put", "delete", "put"):
        answer = getattr(auth_client, method)(url("scenario-save", scenario)).json()["my_progress"]
        assert answer == auth_client.get(url("scenario-detail", scenario)).json()["my_progress"]


def test_attempt_then_completion_over_http(auth_client, scenario):
    assert auth_client.post(url("scenario-attempts", scenario), {"variant_id": "B"}).status_code == 201
    response = auth_client.post(url("scenario-completions", scenario), {"time_spent_s": 95})
    assert response.status_code == 201
    body = response.json()
    assert body["my_progress"]["variant_id"] == "B"
    assert (body["metadata"]["attempts"], body["metadata"]["times_used"]) == (1, 1)
    assert body["metadata"]["average_time_spent_s"] == 95.0


@pytest.mark.parametrize("body", [{"time_spent_s": -5}, {}, {"time_spent_s": "soon"}])
def test_bad_completion_time_is_a_400(auth_client, scenario, body):
    response = auth_client.post(url("scenario-completions", scenario), body, format="json")
    assert response.status_code == 400
    assert "time_spent_s" in response.json()


@pytest.mark.parametrize("rating", [0, 6, "five", None])
def test_rating_outside_one_to_five_is_a_400(auth_client, scenario, rating):
    response = auth_client.put(url("scenario-rating", scenario), {"rating": rating}, format="json")
    assert response.status_code == 400
    assert "rating" in response.json()


def test_rate_rerate_and_unrate_over_http(auth_client, scenario):
    auth_client.put(url("scenario-rating", scenario), {"rating": 2}, format="json")
    body = auth_client.put(url("scenario-rating", scenario), {"rating": 5}, format="json").json()
    assert (body["metadata"]["ratings_count"], body["metadata"]["average_rating"]) == (1, 5.0)
    body = auth_client.delete(url("scenario-rating", scenario)).json()
    assert (body["metadata"]["ratings_count"], body["my_progress"]["rating"]) == (0, None)


def test_notes_are_saved_and_visible_only_to_their_author(auth_client, other_client, scenario):
    response = auth_client.patch(url("scenario-notes", scenario), {"notes": "Use keigo."}, format="json")
    assert response.json()["my_progress"]["notes"] == "Use keigo."
    assert other_client.get(url("scenario-detail", scenario)).json()["my_progress"] is None


def test_similar_lists_scenarios_saved_by_the_same_people(auth_client, user):
    base, often, once, never = ScenarioFactory.create_batch(4)
    private_other = ScenarioFactory(created_by=UserFactory(), visibility=Visibility.PRIVATE)
    for u in UserFactory.create_batch(3):
        services.scenario_save(user=u, scenario=base)
        services.scenario_save(user=u, scenario=often)
        services.scenario_save(user=u, scenario=private_other)
    lone = UserFactory()
    services.scenario_save(user=lone, scenario=base)
    services.scenario_save(user=lone, scenario=once)
    services.scenario_attempt(user=lone, scenario=never)
    body = auth_client.get(url("scenario-similar", base)).json()
    assert [(row["id"], row["co_saves"]) for row in body] == [(often.pk, 3), (once.pk, 1)]


def test_my_saved_scenarios_lists_only_saved_ones_newest_first(auth_client, user):
    first, second, attempted = ScenarioFactory.create_batch(3)
    services.scenario_save(user=user, scenario=first)
    services.scenario_save(user=user, scenario=second)
    services.scenario_attempt(user=user, scenario=attempted)
    saved = auth_client.get(url("my-scenarios"), {"saved": "true"}).json()["results"]
    assert [row["scenario"]["id"] for row in saved] == [second.pk, first.pk]
    everything = auth_client.get(url("my-scenarios")).json()["results"]
    assert {row["scenario"]["id"] for row in everything} == {first.pk, second.pk, attempted.pk}


@pytest.mark.parametrize("sort", ["trending", "most_saved", "top_rated", "newest"])
def test_list_query_count_does_not_grow_with_rows(django_assert_num_queries, user, sort):
    client = client_for(user)
    for size in (2, 12):
        for scenario in ScenarioFactory.create_batch(size):
            services.scenario_save(user=user, scenario=scenario)
            services.scenario_rate(user=user, scenario=scenario, rating=4)
        client.get(url("scenario-list"), {"sort": sort})  # caches the counts
        # token + user; the page with metadata and my_progress joined
        with django_assert_num_queries(2):
            response = client.get(url("scenario-list"), {"sort": sort})
        assert response.status_code == 200
        assert len(response.json()["results"]) == ScenarioFactory._meta.model.objects.count()


def test_list_count_includes_own_private_scenarios_and_follows_new_ones(
    auth_client, other_client, user, django_capture_on_commit_callbacks
):
    ScenarioFactory.create_batch(3)
    ScenarioFactory(created_by=user, visibility=Visibility.PRIVATE)
    assert auth_client.get(url("scenario-list")).json()["count"] == 4
    assert other_client.get(url("scenario-list")).json()["count"] == 3
    body = {
        "title": "Public one",
        "description": "x",
        "role": "friend",
        "difficulty": "beginner",
        "instructions": "x",
        "context": "x",
        "visibility": "public",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert auth_client.post(url("scenario-list"), body, format="json").status_code == 201
    assert other_client.get(url("scenario-list")).json()["count"] == 4
    assert other_client.get(url("scenario-list"), {"role": "friend"}).json()["count"] == 1


def test_my_scenarios_query_count_does_not_grow_with_rows(django_assert_num_queries, user):
    client = client_for(user)
    for size in (2, 12):
        for scenario in ScenarioFactory.create_batch(size):
            services.scenario_save(user=user, scenario=scenario)
        with django_assert_num_queries(3):
            assert client.get(url("my-scenarios"), {"saved": "true"}).status_code == 200


def test_list_rows_serialize_exactly_like_scenario_instances(user, other_user, scenario):
    from scenarios.api import shapes
    from scenarios.api.serializers import ScenarioSummarySerializer
    from scenarios.selectors import progress_get, scenario_list, scenario_list_rows

    services.scenario_save(user=user, scenario=scenario)
    services.scenario_rate(user=user, scenario=scenario, rating=3)
    services.scenario_complete(user=user, scenario=scenario, time_spent_s=42)
    now = timezone.now()
    for who in (user, other_user):  # with and without progress
        row = scenario_list_rows(user=who).get()  # my_progress joined in
        instance = scenario_list(user=who).get()
        progress = progress_get(user=who, scenario=instance)
        context = {"now": now, "progress_by_scenario": {instance.pk: progress} if progress else {}}
        from_row = shapes.scenario_data(row, now=now)
        from_instance = ScenarioSummarySerializer(instance, context=context).data
        assert from_row == from_instance
    assert shapes.scenario_data(row, now=now)["my_progress"] is None
    assert from_instance["is_built_in"] is True


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=top_rated",
        "sort=newest&role=tutor",
        "sort=trending&role=tutor&difficulty=advanced&cefr=B2&page_size=20",
        "cefr=C1&cefr=A1&page=2",
        "q=cafe&sort=most_saved",
        "q=%20cafe%20",
        "role=nobody",
        "role=",
        "sort=TRENDING",
        "difficulty=advanced&extra=1",
    ],
)
def test_the_list_query_is_the_serializers_validated_data_or_its_errors(query):
    params = QueryDict(query)
    serializer = ScenarioListQuerySerializer(data=params)
    if serializer.is_valid():
        assert scenario_list_query(params) == dict(serializer.validated_data)
    else:
        with pytest.raises(ValidationError) as raised:
            scenario_list_query(params)
        assert raised.value.detail == serializer.errors
