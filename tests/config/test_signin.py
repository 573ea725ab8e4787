"""One sign-in policy for every door (django-axes): per username, per address, cool-off, unlock."""

import datetime as dt
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from config.clientip import client_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"
RIGHT = "pass-word-123"


@pytest.fixture(autouse=True)
def _policy(settings):
    settings.SIGNIN_FAILURE_LIMIT = 5
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 8
    settings.SIGNIN_COOLOFF_MIN = 15
    # Plenty for these tests: the lockout, not the request throttle, is what they pin.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "1000/min"}}


def sign_in(client, username, password, address="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(URL, {"username": username, "password": password}, format="json", **extra)


def assert_locked(response):
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["code"] == "locked_out" and "Try again in 15 minutes" in body["detail"]
    assert set(body) == {"detail", "code"}
    assert response.headers["Retry-After"] == str(15 * 60)


def test_a_username_is_locked_after_the_limit_even_from_rotating_addresses(api_client, settings):
    """Behind one trusted proxy each client has its own address: guessing one account from many
    addresses still counts against that account."""
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="ann")
    for n in range(4):
        response = sign_in(api_client, "ann", "bad", address="10.0.0.2", forwarded=f"198.51.100.{n}")
        assert response.status_code == 400
    assert_locked(sign_in(api_client, "ann", "bad", address="10.0.0.2", forwarded="198.51.100.9"))
    assert_locked(sign_in(api_client, "ann", RIGHT, address="10.0.0.2", forwarded="198.51.100.10"))
    assert {row.ip_address for row in AccessAttempt.objects.all()} >= {f"198.51.100.{n}" for n in range(4)}
    # Another account from the same addresses is not locked by ann's failures.
    UserFactory(username="bob")
    assert sign_in(api_client, "bob", RIGHT, address="10.0.0.2", forwarded="198.51.100.1").status_code == 200


def test_a_forwarded_for_header_is_ignored_without_trusted_proxies(api_client):
    """With TRUSTED_PROXY_COUNT = 0 (the default) a rotating X-Forwarded-For changes nothing."""
    UserFactory(username="ann")
    for n in range(4):
        sign_in(api_client, "ann", "bad", forwarded=f"198.51.100.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert_locked(sign_in(api_client, "ann", "bad", forwarded="198.51.100.99"))


def test_an_address_is_locked_after_spraying_passwords_across_usernames(api_client):
    UserFactory(username="victim")
    for n in range(7):
        assert sign_in(api_client, f"user-{n}", "Summer2024!").status_code == 400
    assert_locked(sign_in(api_client, "user-7", "Summer2024!"))
    # The right password of an account nobody guessed is refused from that address too ...
    assert_locked(sign_in(api_client, "victim", RIGHT))
    # ... but not from another address.
    assert sign_in(api_client, "victim", RIGHT, address="192.0.2.50").status_code == 200


def test_the_lockout_ends_after_the_cool_off(api_client):
    UserFactory(username="ann")
    for _ in range(5):
        sign_in(api_client, "ann", "bad")
    assert_locked(sign_in(api_client, "ann", RIGHT))
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert sign_in(api_client, "ann", RIGHT).status_code == 200


def test_a_failure_during_the_lockout_starts_the_cool_off_again(api_client):
    UserFactory(username="ann")
    for _ in range(5):
        sign_in(api_client, "ann", "bad")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=10))
    assert_locked(sign_in(api_client, "ann", "bad"))
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=10))
    assert_locked(sign_in(api_client, "ann", RIGHT))


def test_a_success_forgets_that_usernames_failures_from_that_address_only(api_client):
    UserFactory(username="ann")
    for _ in range(4):
        sign_in(api_client, "ann", "bad")
    for n in range(3):
        sign_in(api_client, f"other-{n}", "bad")
    assert sign_in(api_client, "ann", RIGHT).status_code == 200
    assert not AccessAttempt.objects.filter(username="ann").exists()
    assert AccessAttempt.objects.filter(username__startswith="other-").count() == 3


def test_the_admin_login_is_locked_by_the_same_policy_with_a_readable_page(client):
    UserFactory(username="designer", is_staff=True)
    for _ in range(4):
        response = client.post("/admin/login/", {"username": "designer", "password": "bad"})
        assert response.status_code == 200 and b"errornote" in response.content
    client.post("/admin/login/", {"username": "designer", "password": "bad"})
    response = client.post("/admin/login/?next=/admin/", {"username": "designer", "password": RIGHT})
    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page and "15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_admin_and_api_failures_count_together(client, api_client):
    UserFactory(username="ann")
    for _ in range(3):
        client.post("/admin/login/", {"username": "ann", "password": "bad"}, REMOTE_ADDR="203.0.113.7")
    sign_in(api_client, "ann", "bad")
    assert_locked(sign_in(api_client, "ann", "bad"))


def test_unlock_command_lifts_a_username_lockout(api_client):
    UserFactory(username="ann")
    for _ in range(5):
        sign_in(api_client, "ann", "bad")
    assert_locked(sign_in(api_client, "ann", RIGHT))
    out = StringIO()
    call_command("unlock_signin", "--username", "ann", "--dry-run", stdout=out)
    assert "would be removed" in out.getvalue()
    assert_locked(sign_in(api_client, "ann", RIGHT))
    call_command("unlock_signin", "--username", "ann", stdout=out)
    assert sign_in(api_client, "ann", RIGHT).status_code == 200


def test_unlock_command_lifts_an_address_lockout_and_needs_a_target(api_client):
    UserFactory(username="victim")
    for n in range(8):
        sign_in(api_client, f"user-{n}", "bad")
    assert_locked(sign_in(api_client, "victim", RIGHT))
    call_command("unlock_signin", "--address", "203.0.113.7", stdout=StringIO())
    assert sign_in(api_client, "victim", RIGHT).status_code == 200
    with pytest.raises(CommandError, match="--username"):
        call_command("unlock_signin")


def test_operators_see_the_lockouts_in_the_admin(client):
    from django.contrib.auth.models import Group

    from config.permissions import OPERATORS, sync_operator_permissions

    sync_operator_permissions()
    operator = UserFactory(is_staff=True)
    operator.groups.add(Group.objects.get(name=OPERATORS))
    AccessAttempt.objects.create(
        username="ann",
        ip_address="203.0.113.7",
        user_agent="x",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    client.force_login(operator)
    response = client.get("/admin/axes/accessattempt/")
    assert response.status_code == 200 and b"203.0.113.7" in response.content
    assert client.get("/admin/axes/accessfailurelog/").status_code in (200, 403, 404)


def test_the_schema_documents_the_lockout():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert "locked_out" in operation["responses"]["429"]["description"]
    assert {"token", "expiry"} <= set(schema["components"]["schemas"]["TokenResponse"]["properties"])
    assert "/api/v1/auth/logout/" in schema["paths"] and "/api/v1/auth/logoutall/" in schema["paths"]


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.1"),
        (0, None, "10.0.0.1"),
        (1, "1.1.1.1", "1.1.1.1"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # the client made up 6.6.6.6
        (2, "6.6.6.6, 1.1.1.1, 10.9.9.9", "1.1.1.1"),
        (2, "1.1.1.1", "1.1.1.1"),
        (1, " , ", "10.0.0.1"),
    ],
)
def test_the_client_address_comes_from_trusted_proxies_only(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    extra = {"REMOTE_ADDR": "10.0.0.1"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **extra)) == expected
