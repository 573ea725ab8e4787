import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_ping_answers_the_users_own_id_and_username_in_one_query(user, django_assert_num_queries):
    client = client_for(user)
    with django_assert_num_queries(2):  # the token lookup, the user's row
        response = client.get("/api/v1/ping/")
    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "username": user.username}


def test_ping_without_a_token_is_401(api_client):
    response = api_client.get("/api/v1/ping/")
    assert response.status_code == 401
