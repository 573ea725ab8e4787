"""Query parameters: integers are ASCII digits within their bounds, and a parameter is absent or
has a value. Anything else is a 400 in the error shape naming the parameter, never a 500."""

import ast
from pathlib import Path

import pytest
from rest_framework.exceptions import ValidationError

from config.api.params import MAX_ID, parse_int, to_int

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "curriculum", "training", "progress", "scenarios", "notifications")


@pytest.mark.parametrize(
    "raw", ["²", "٣", "1.5", "1e3", "", " ", "0x10", "١٢", "9" * 20, "1_000", "+", "--1"]
)
def test_only_ascii_digits_are_integers(raw):
    with pytest.raises(ValueError):
        to_int(raw)


def test_bounds_and_the_error_shape():
    assert to_int(" 42 ") == 42 and to_int("-3") == -3 and to_int("+7") == 7
    assert to_int(str(MAX_ID), maximum=MAX_ID) == MAX_ID
    with pytest.raises(ValidationError) as error:
        parse_int("0", name="page", minimum=1, maximum=10)
    assert error.value.detail == {"page": ["A whole number from 1 to 10."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/api/v1/certificates/", "page_size", "²"),
        ("/api/v1/certificates/", "page_size", "٣"),
        ("/api/v1/certificates/", "page", "²"),
        ("/api/v1/programs/", "community", "٣"),
        ("/api/v1/programs/", "community", "1e50"),
        ("/api/v1/wods/", "wod_id", "0.5"),
        ("/api/v1/courses/", "program", str(MAX_ID + 1)),
        ("/api/v1/milestones/", "course", "-4"),
        ("/api/v1/milestones/", "course", "²"),
        ("/api/v1/progress/next/", "course", "٣"),
        ("/api/v1/xapi/statements/", "limit", "²"),
        ("/api/v1/analytics/me/", "period", ""),
        ("/api/v1/scenarios/", "sort", ""),
        ("/api/v1/training-plans/", "status", ""),
    ],
)
def test_a_bad_query_parameter_is_a_400_naming_it(auth_client, path, name, value):
    response = auth_client.get(path, {name: value})
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [name]


@pytest.mark.django_db
def test_similar_scenarios_limit_goes_through_the_helper(auth_client):
    from tests.scenarios.factories import ScenarioFactory

    scenario = ScenarioFactory(visibility="public")
    url = f"/api/v1/scenarios/{scenario.pk}/similar/"
    assert auth_client.get(url, {"limit": "²"}).json() == {"limit": ["A whole number from 1 to 50."]}
    assert auth_client.get(url, {"limit": "3"}).status_code == 200


def _int_calls_on_request_data(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "int" and node.args:
            source = ast.unparse(node.args[0])
            if any(word in source for word in ("request", "query_params", "GET", "kwargs[", "data[", "raw")):
                yield node.lineno, source


def test_no_int_call_reads_request_data_directly():
    """Every integer from a request goes through ``config.api.params`` (``int("²")`` raises,
    ``int("٣") == 3``)."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line, source in _int_calls_on_request_data(ast.parse(path.read_text())):
                found.append(f"{path.relative_to(ROOT)}:{line}: int({source})")
    assert found == []
