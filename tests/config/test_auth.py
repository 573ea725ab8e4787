"""API tokens: stored as digests, expiring, ended by signing out, a new password or deactivation."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from config.services import api_token_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"
CREDENTIALS = {"username": "ann", "password": "pass-word-123"}


def sign_in(client, **credentials):
    return client.post(URL, credentials or CREDENTIALS, format="json")


def test_each_sign_in_issues_a_new_token_with_its_expiry(api_client, settings):
    UserFactory(username="ann")
    first, second = sign_in(api_client), sign_in(api_client)
    assert first.status_code == 200
    assert set(first.json()) == {"token", "expiry"}
    assert first.json()["token"] != second.json()["token"]
    expiry = dt.datetime.fromisoformat(first.json()["expiry"])
    expected = timezone.now() + dt.timedelta(hours=settings.API_TOKEN_TTL_H)
    assert abs((expiry - expected).total_seconds()) < 60
    assert reverse("api:auth-token") == URL


def test_the_database_never_holds_the_token_as_it_is(api_client):
    UserFactory(username="ann")
    token = sign_in(api_client).json()["token"]
    row = AuthToken.objects.get()
    assert token not in (row.digest, row.token_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert token not in stored
    assert token[:15] == row.token_key  # only the lookup prefix


def test_a_token_authenticates_and_signing_out_ends_it(api_client):
    UserFactory(username="ann")
    token = sign_in(api_client).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/curricula/").status_code == 200
    assert api_client.post("/api/v1/auth/logout/").status_code == 204
    assert not AuthToken.objects.exists()
    assert api_client.get("/api/v1/curricula/").status_code == 401


def test_delete_on_the_token_path_still_ends_the_token(api_client):
    UserFactory(username="ann")
    token = sign_in(api_client).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.delete(URL).status_code == 204
    assert api_client.delete(URL).status_code == 401


def test_signing_out_everywhere_ends_every_token_of_the_user_only(api_client):
    ann = UserFactory(username="ann")
    bob = UserFactory(username="bob")
    tokens = [sign_in(api_client).json()["token"] for _ in range(3)]
    api_token_issue(user=bob)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert api_client.post("/api/v1/auth/logoutall/").status_code == 204
    assert not AuthToken.objects.filter(user=ann).exists()
    assert AuthToken.objects.filter(user=bob).count() == 1
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[2]}")
    assert api_client.get("/api/v1/curricula/").status_code == 401


def test_an_expired_token_is_refused_and_deleted(api_client):
    user = UserFactory(username="ann")
    row, token = api_token_issue(user=user)
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/curricula/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.exists()


def test_the_hourly_purge_deletes_expired_tokens_only():
    from config.tasks import purge_expired_api_tokens

    user = UserFactory()
    old, _ = api_token_issue(user=user)
    api_token_issue(user=user)
    AuthToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - dt.timedelta(minutes=1))
    assert purge_expired_api_tokens() == 1
    assert AuthToken.objects.count() == 1


def test_wrong_password_is_a_400_with_a_clear_message(api_client):
    UserFactory(username="ann")
    response = sign_in(api_client, username="ann", password="nope")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Unable to sign in with the username and password given."]
    }


def test_missing_fields_are_field_errors(api_client):
    response = api_client.post(URL, {"username": "ann"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


def test_a_stale_token_sent_along_does_not_stop_signing_in(api_client):
    UserFactory(username="ann")
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert sign_in(api_client).status_code == 200


def test_api_requires_authentication_by_default(api_client):
    response = api_client.delete(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_new_password_ends_every_token_of_the_user(api_client, django_capture_on_commit_callbacks):
    user = UserFactory(username="ann")
    other = UserFactory(username="bob")
    _, token = api_token_issue(user=user)
    api_token_issue(user=other)
    with django_capture_on_commit_callbacks(execute=True):
        user.set_password("another-pass-word-456")
        user.save()
    assert not AuthToken.objects.filter(user=user).exists()
    assert AuthToken.objects.filter(user=other).exists()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/curricula/").status_code == 401


def test_a_token_issued_after_the_new_password_in_the_same_transaction_is_kept(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(username="ann")
    api_token_issue(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        user.set_password("another-pass-word-456")
        user.save()
        fresh, _ = api_token_issue(user=user)
    assert list(AuthToken.objects.filter(user=user)) == [fresh]


def test_deactivating_a_user_ends_every_token(django_capture_on_commit_callbacks):
    user = UserFactory(username="ann")
    api_token_issue(user=user)
    api_token_issue(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save(update_fields=["is_active"])
    assert not AuthToken.objects.filter(user=user).exists()


def test_other_changes_to_a_user_keep_their_tokens(django_capture_on_commit_callbacks):
    user = UserFactory(username="ann")
    api_token_issue(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        user.first_name = "Ann"
        user.save()
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    assert AuthToken.objects.filter(user=user).count() == 1


def test_an_old_drf_token_still_authenticates_after_the_migration(api_client):
    """The data migration moves DRF's stored keys into knox's table as digests."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("config.migrations.0005_hash_legacy_api_tokens")
    user = UserFactory(username="ann")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL, "
            "user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [old_key, timezone.now() - dt.timedelta(days=3), user.pk],
        )
    with connection.schema_editor() as schema_editor:
        migration.hash_legacy_tokens(apps, schema_editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    row = AuthToken.objects.get(user=user)
    assert old_key not in (row.digest, row.token_key)
    assert row.expiry is not None and row.created < timezone.now() - dt.timedelta(days=2)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert api_client.get("/api/v1/curricula/").status_code == 200


# --- the token cache -------------------------------------------------------------------------


def test_a_cached_token_costs_no_query_and_revocation_is_immediate(
    django_assert_num_queries, django_capture_on_commit_callbacks, settings
):
    from django.core.cache import cache

    from config.api.authentication import CachedTokenAuthentication, token_cache_key

    settings.API_TOKEN_CACHE_S = 300
    user = UserFactory(username="ann")
    row, token = api_token_issue(user=user)
    auth = CachedTokenAuthentication()
    assert auth.authenticate_credentials(token.encode())[0] == user  # fills the cache
    assert cache.get(token_cache_key(row.digest)) is not None
    assert cache.get(token_cache_key(token)) is None  # keyed by the digest, never the token
    with django_assert_num_queries(0):
        cached_user, cached = auth.authenticate_credentials(token.encode())
    assert (cached_user.pk, cached.digest) == (user.pk, row.digest)

    with django_capture_on_commit_callbacks(execute=True):
        AuthToken.objects.filter(digest=row.digest).delete()
    with pytest.raises(Exception, match="Invalid token"):
        auth.authenticate_credentials(token.encode())


def test_a_cached_token_is_refused_once_it_expires(settings, django_capture_on_commit_callbacks):
    from config.api.authentication import CachedTokenAuthentication

    settings.API_TOKEN_CACHE_S = 300
    user = UserFactory(username="ann")
    row, token = api_token_issue(user=user)
    auth = CachedTokenAuthentication()
    auth.authenticate_credentials(token.encode())
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    # The cached expiry was the old one; the entry never outlives the cache timeout, and a changed
    # expiry in the database is met at the next miss. Simulate that the entry's expiry has passed:
    from django.core.cache import cache

    from config.api.authentication import token_cache_key

    cache.set(token_cache_key(row.digest), (user, timezone.now() - dt.timedelta(seconds=1)))
    with pytest.raises(Exception, match="Invalid token"):
        auth.authenticate_credentials(token.encode())


def test_deactivating_a_user_ends_their_cached_token(
    api_client, django_capture_on_commit_callbacks, settings
):
    settings.API_TOKEN_CACHE_S = 300
    user = UserFactory(username="bob")
    _, token = api_token_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/curricula/").status_code == 200  # authenticated: now cached
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save(update_fields=["is_active"])
    assert api_client.get("/api/v1/curricula/").status_code == 401


def test_deleting_a_user_ends_their_cached_token(api_client, django_capture_on_commit_callbacks, settings):
    settings.API_TOKEN_CACHE_S = 300
    user = UserFactory(username="bob")
    _, token = api_token_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/curricula/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        user.delete()
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
    row, token = api_token_issue(user=user)
    key = token_cache_key(row.digest)
    auth = CachedTokenAuthentication()
    auth.authenticate_credentials(token.encode())  # fills the cache

    # A rolled-back deactivation leaves the (still true) entry in place.
    with pytest.raises(_Rollback), transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        raise _Rollback
    assert cache.get(key)[0].is_active
    assert auth.authenticate_credentials(token.encode())[0].is_active

    # Inside the deactivating transaction the entry stays; it goes when the change commits, so a
    # request running meanwhile cannot cache the old row again after the clear.
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        assert cache.get(key) is not None
    assert cache.get(key) is None
    with pytest.raises(Exception, match="inactive|Invalid"):
        auth.authenticate_credentials(token.encode())
