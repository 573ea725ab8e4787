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
