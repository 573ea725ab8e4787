"""Cross-cutting API contract, over every operation in the OpenAPI schema, where schemathesis
(``test_schemathesis.py``, always signed in, always well-formed JSON, only documented
parameters) does not reach:

* Every operation needs authentication except the few that are public by design.
* A body that is not JSON at all never makes a 500, and an unknown id is a 404.
* Query parameters the schema does not document (a view could read one the schema forgot)
  never make a 500.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = {
    ("POST", "/api/v1/auth/token/"),
    ("GET", "/api/v1/schema/"),
    ("GET", "/api/v1/docs/"),
    # A subscribed calendar sends no credentials: the secret token in the path is one.
    ("GET", "/api/v1/calendar/feed/{token}.ics"),
}
# Certificates are verified by anyone who holds the verification id.
PUBLIC_PREFIXES = ("/api/v1/certificates/",)
MISSING_ID = "987654321"


def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path


def concrete(path, value=MISSING_ID):
    return re.sub(r"\{[^}]+\}", value, path)


OPERATIONS = sorted(set(operations()))


def test_the_schema_lists_operations():
    assert ("POST", "/api/v1/auth/token/") in OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_private_operation_needs_authentication(api_client, method, path):
    if (method, path) in PUBLIC or (method == "GET" and path.startswith(PUBLIC_PREFIXES)):
        pytest.skip("public by design")
    response = api_client.generic(method, concrete(path), data="{}", content_type="application/json")
    assert response.status_code == 401, response.content[:300]
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_a_body_that_is_not_json_never_makes_a_server_error(method, path):
    body = "not json at all"
    client = client_for(UserFactory())
    if "{" in path:
        response = client.generic(method, concrete(path), data=body, content_type="application/json")
        assert response.status_code < 500, response.content[:300]
        if method == "GET" and not path.startswith("/api/v1/certificates/"):
            assert response.status_code == 404, response.content[:300]
    else:
        response = client.generic(method, path, data=body, content_type="application/json")
        assert response.status_code < 500, response.content[:300]


GARBAGE_QUERY = {
    "page": "-1",
    "page_size": "lots",
    "since": "yesterday-ish",
    "period": "fortnightly",
    "date": "2026-13-45",
    "sort": "random",
    "status": "maybe",
    "saved": "perhaps",
    "limit": "-5",
    "course": "x",
    "program": "x",
    "community": "x",
    "wod_id": "x",
    "mission_id": "x",
    "periods": "9999999",
    "role": "nobody",
    "cefr": "Z9",
    "q": "\x00",
}
LISTS = [(m, p) for m, p in OPERATIONS if m == "GET" and "{" not in p]


@pytest.mark.parametrize(("method", "path"), LISTS, ids=[p for _, p in LISTS])
def test_garbage_query_parameters_never_make_a_server_error(method, path):
    client = client_for(UserFactory())
    response = client.get(path, GARBAGE_QUERY)
    assert response.status_code < 500, response.content[:300]
    # One at a time too, so an early 400 on one parameter cannot hide a crash on another.
    for name, value in GARBAGE_QUERY.items():
        response = client.get(path, {name: value})
        assert response.status_code < 500, (name, response.content[:300])
