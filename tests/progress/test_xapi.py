"""``GET /api/v1/xapi/statements/`` exports valid xAPI 1.0.3 statements."""

import re
import uuid
from datetime import datetime

import pytest
from django.utils import timezone

from progress.models import BlockType, ProgressEvent
from tests.progress.factories import build_program
from tests.utils.progress import blocks_of, event, join

STATEMENTS = "/api/v1/xapi/statements/"
DURATION = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$")
IRI = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$")


def assert_valid_statement(statement):
    """The xAPI 1.0.3 rules a learning record store enforces on what we send."""
    uuid.UUID(statement["id"])
    assert statement["version"] == "1.0.3"
    actor = statement["actor"]
    assert actor["objectType"] == "Agent"
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    assert ifis == ["account"] and IRI.match(actor["account"]["homePage"]) and actor["account"]["name"]
    assert IRI.match(statement["verb"]["id"]) and statement["verb"]["display"]["en-US"]
    obj = statement["object"]
    assert obj["objectType"] == "Activity" and IRI.match(obj["id"])
    if "definition" in obj and "type" in obj["definition"]:
        assert IRI.match(obj["definition"]["type"])
    result = statement.get("result", {})
    if "duration" in result:
        assert DURATION.match(result["duration"]), result["duration"]
    if "score" in result:
        score = result["score"]
        assert -1 <= score["scaled"] <= 1 and score["min"] <= score["raw"] <= score["max"]
    for key in ("success", "completion"):
        if key in result:
            assert isinstance(result[key], bool)
    for name in result.get("extensions", {}):
        assert IRI.match(name)
    context = statement.get("context", {})
    if "registration" in context:
        uuid.UUID(context["registration"])
    for kind, activities in context.get("contextActivities", {}).items():
        assert kind in ("parent", "grouping", "category", "other")
        for activity in activities:
            assert IRI.match(activity["id"])
    for stamp in ("timestamp", "stored"):
        assert datetime.fromisoformat(statement[stamp]).tzinfo is not None
    allowed = {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
    assert set(statement) <= allowed


@pytest.mark.django_db
def test_statements_are_valid_xapi_with_score_duration_and_registration(user, auth_client):
    program = build_program(
        courses=1,
        wods_per_course=1,
        pages_per_wod=1,
        blocks_per_page=2,
        block_types=(BlockType.QUIZ, BlockType.VIDEO),
    )
    join(user, program.community)
    auth_client.post("/api/v1/enrollments/programs/", {"program": program.pk}, format="json")
    quiz, video = blocks_of(program)
    auth_client.post(
        "/api/v1/progress/events/",
        [
            event(quiz, "answered", score=0.75, time_spent_s=61.5),
            event(video, "progressed", progress=0.4, time_spent_s=0),
        ],
        format="json",
    )
    response = auth_client.get(STATEMENTS)
    assert response["X-Experience-API-Version"] == "1.0.3"
    body = response.json()
    assert body["more"] == ""
    answered, progressed = body["statements"]
    for statement in body["statements"]:
        assert_valid_statement(statement)
    assert answered["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert answered["result"]["score"]["scaled"] == 0.75 and answered["result"]["success"] is False
    assert answered["result"]["duration"] == "PT61.5S" and answered["result"]["completion"] is True
    assert answered["context"]["registration"] == str(program.enrollments.get().registration)
    assert progressed["result"]["duration"] == "PT0S" and progressed["result"]["completion"] is False
    assert list(progressed["result"]["extensions"].values()) == [0.4]


@pytest.mark.django_db
def test_statements_since_and_more_page_through_the_log(user, auth_client):
    program = build_program(courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=3)
    join(user, program.community)
    blocks = blocks_of(program)
    auth_client.post("/api/v1/progress/events/", [event(b) for b in blocks], format="json")
    first = auth_client.get(STATEMENTS, {"limit": 2}).json()
    assert len(first["statements"]) == 2 and first["more"]
    rest = auth_client.get(first["more"]).json()
    assert len(rest["statements"]) == 1 and rest["more"] == ""
    later = timezone.now().isoformat()
    assert auth_client.get(STATEMENTS, {"since": later}).json()["statements"] == []
    ProgressEvent.objects.update(stored_at=timezone.now() + timezone.timedelta(minutes=1))
    assert len(auth_client.get(STATEMENTS, {"since": later}).json()["statements"]) == 3
    assert auth_client.get(STATEMENTS, {"since": "not-a-date"}).status_code == 400
