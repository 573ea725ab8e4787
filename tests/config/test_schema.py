import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_openapi_schema_builds_without_warnings_and_validates(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning (an unresolvable serializer, a vague
    # path parameter ...) into a failure; --validate checks it against the OpenAPI 3 spec.
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/auth/token/" in text


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Coaching platform API"
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.fixture
def schema(client):
    return client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_idempotency_key_header_says_its_rule(schema):
    header = next(
        p
        for p in schema["paths"]["/api/v1/activities/"]["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    )
    assert header["in"] == "header"
    assert header["schema"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[ -~]*[!-~][ -~]*$",
    }


def test_every_operation_documents_414_and_every_body_413(schema):
    for path, method, operation in _operations(schema):
        assert "414" in operation["responses"], (method, path)
        if "requestBody" in operation:
            assert "413" in operation["responses"], (method, path)


def test_query_strings_are_never_empty_and_integer_ids_are_bounded(schema):
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["schema"].get("type") == "string":
                assert parameter["schema"]["minLength"] >= 1, (method, path, parameter["name"])
    programs = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/programs/"]["get"]["parameters"]}
    assert programs["community"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def test_time_zones_are_the_iana_names(schema):
    zones = schema["components"]["schemas"]["TimeZone"]["enum"]
    assert "Europe/Berlin" in zones and "UTC" in zones and "Mars/Olympus" not in zones
    profile = schema["components"]["schemas"]["RunnerProfileRequest"]["properties"]["time_zone"]
    assert "#/components/schemas/TimeZone" in str(profile)
    preferences = schema["components"]["schemas"]["PatchedPreferencesUpdateRequest"]["properties"]
    assert "#/components/schemas/TimeZone" in str(preferences["time_zone"])


def test_a_runner_profile_not_saved_yet_has_a_null_updated_at_and_the_schema_says_so(schema):
    from tests.conftest import client_for
    from tests.factories import UserFactory

    body = client_for(UserFactory()).get("/api/v1/runner-profile/").json()
    assert body["updated_at"] is None
    assert schema["components"]["schemas"]["RunnerProfile"]["properties"]["updated_at"]["nullable"] is True
