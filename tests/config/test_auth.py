import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def test_token_is_issued_for_right_password_and_reused(api_client):
    user = UserFactory(username="ann")
    first = api_client.post(URL, {"username": "ann", "password": "pass-word-123"}, format="json")
    second = api_client.post(URL, {"username": "ann", "password": "pass-word-123"}, format="json")
    assert first.status_code == 200
    assert first.json()["token"] == Token.objects.get(user=user).key
    assert second.json()["token"] == first.json()["token"]
    assert reverse("api:auth-token") == URL


def test_token_authenticates_and_revoking_it_signs_out(api_client):
    UserFactory(username="ann")
    token = api_client.post(URL, {"username": "ann", "password": "pass-word-123"}, format="json").json()[
        "token"
    ]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.delete(URL).status_code == 204
    assert not Token.objects.filter(key=token).exists()
    assert api_client.delete(URL).status_code == 401


def test_wrong_password_is_a_400_with_a_clear_message(api_client):
    UserFactory(username="ann")
    response = api_client.post(URL, {"username": "ann", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Unable to sign in with the username and password given."]
    }


def test_missing_fields_are_field_errors(api_client):
    response = api_client.post(URL, {"username": "ann"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


def test_repeated_failures_are_throttled_even_with_the_right_password(api_client, settings):
    UserFactory(username="ann")
    for _ in range(settings.AUTH_FAILURE_LIMIT):
        assert api_client.post(URL, {"username": "ann", "password": "bad"}, format="json").status_code == 400
    locked = api_client.post(URL, {"username": "ann", "password": "pass-word-123"}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert "Retry-After" in locked.headers
    # Another username from the same address is not locked out by ann's failures.
    UserFactory(username="bob")
    assert (
        api_client.post(URL, {"username": "bob", "password": "pass-word-123"}, format="json").status_code
        == 200
    )


def test_a_success_resets_the_failure_count(api_client, settings):
    UserFactory(username="ann")
    for _ in range(settings.AUTH_FAILURE_LIMIT - 1):
        api_client.post(URL, {"username": "ann", "password": "bad"}, format="json")
    assert (
        api_client.post(URL, {"username": "ann", "password": "pass-word-123"}, format="json").status_code
        == 200
    )
    for _ in range(settings.AUTH_FAILURE_LIMIT - 1):
        assert api_client.post(URL, {"username": "ann", "password": "bad"}, format="json").status_code == 400


def test_failure_counter_lives_in_redis(settings):
    from django.core.cache import caches

    assert settings.REDIS_URL, "the test command provides Redis"
    assert caches["default"].__class__.__name__ == "ResilientRedisCache"


def test_api_requires_authentication_by_default(api_client):
    response = api_client.delete(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_cached_token_costs_no_query_and_revocation_is_immediate(
    django_assert_num_queries, django_capture_on_commit_callbacks, settings
):
    from config.api.authentication import CachedTokenAuthentication

    settings.API_TOKEN_CACHE_S = 300
    user = UserFactory(username="ann")
    key = Token.objects.create(user=user).key
    auth = CachedTokenAuthentication()
    assert auth.authenticate_credentials(key)[0] == user  # fills the cache
    with django_assert_num_queries(0):
        cached_user, token = auth.authenticate_credentials(key)
    assert (cached_user.pk, token.key) == (user.pk, key)

    # Deactivating the user (any save of it) clears the entry in every process.
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save(update_fields=["is_active"])
    with pytest.raises(Exception, match="inactive|Invalid"):
        auth.authenticate_credentials(key)

    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = True
        user.save(update_fields=["is_active"])
    assert auth.authenticate_credentials(key)[0] == user
    with django_capture_on_commit_callbacks(execute=True):
        Token.objects.filter(key=key).delete()
    with pytest.raises(Exception, match="Invalid token"):
        auth.authenticate_credentials(key)


def test_deleting_a_user_ends_their_cached_token(api_client, django_capture_on_commit_callbacks, settings):
    settings.API_TOKEN_CACHE_S = 300
    user = UserFactory(username="ann")
    key = Token.objects.create(user=user).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.delete(URL).status_code == 204  # authenticates (and caches), then revokes
    user2 = UserFactory(username="bob")
    key2 = Token.objects.create(user=user2).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key2}")
    assert api_client.get("/api/v1/curricula/").status_code == 200  # authenticated: now cached
    with django_capture_on_commit_callbacks(execute=True):
        user2.delete()
    assert api_client.get("/api/v1/curricula/").status_code == 401


class _Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_the_token_cache_is_cleared_when_the_change_commits_not_before(settings):
    from django.core.cache import cache
    from django.db import transaction

    from config.api.authentication import CachedTokenAuthentication, token_cache_key

    settings.API_TOKEN_CACHE_S = 300
    user = UserFactory(username="ann")
    key = Token.objects.create(user=user).key
    auth = CachedTokenAuthentication()
    auth.authenticate_credentials(key)  # fills the cache

    # A rolled-back deactivation leaves the (still true) entry in place.
    with pytest.raises(_Rollback), transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        raise _Rollback
    assert cache.get(token_cache_key(key)).is_active
    assert auth.authenticate_credentials(key)[0].is_active

    # Inside the deactivating transaction the entry stays; it goes when the change commits, so a
    # request running meanwhile cannot cache the old row again after the clear.
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        assert cache.get(token_cache_key(key)) is not None
    assert cache.get(token_cache_key(key)) is None
    with pytest.raises(Exception, match="inactive|Invalid"):
        auth.authenticate_credentials(key)
