"""Mass assignment, generated from the OpenAPI schema: read-only fields cannot be written.

For every writable operation (POST, PUT, PATCH) the demo learner sends a valid body twice from
the same state: once as is (the baseline, rolled back), once with every read-only property of
the operation's answer and every sensitive name (owner, community, counters, status,
timestamps, ids) set to a recognisable value. The second call must answer like the first: the
read-only values in the answer are the baseline's (ids and timestamps, which differ from call to
call, must simply not be the values sent), no row of the learner's holds a value sent, and
nothing of another user's changes. A new operation is covered without editing this file; one
whose valid body names the user's own objects needs an entry in ``objects.BODIES``.
"""

import json

import pytest
from django.db import transaction

from progress.models import Membership
from tests.api import objects
from tests.api.schema_ops import (
    WRITES,
    concrete,
    example,
    operations,
    read_only_properties,
    request_body_schema,
    resolve,
)
from tests.api.snapshots import differences, snapshot
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NUMBER = 987654
MOMENT = "2001-02-03T04:05:06Z"
DAY = "2001-02-03"
UUID = "00000000-0000-4000-8000-00000000beef"
TEXT = "mass-assigned"
# Names a client must never set, whether or not the answer shows them.
SENSITIVE = {
    "id": NUMBER,
    "pk": NUMBER,
    "user": None,  # another user's id, filled in below
    "user_id": None,
    "owner": None,
    "created_by": None,
    "community": None,  # another community's id
    "community_id": None,
    "is_staff": True,
    "is_superuser": True,
    "is_built_in": True,
    "status": "completed",
    "state": "mastered",
    "points": NUMBER,
    "score": NUMBER,
    "saved_count": NUMBER,
    "times_used": NUMBER,
    "attempts": NUMBER,
    "ratings_count": NUMBER,
    "created_at": MOMENT,
    "updated_at": MOMENT,
    "completed_at": MOMENT,
    "published_at": MOMENT,
    "enrolled_at": MOMENT,
    "verification_id": UUID,
}
WRITING = [(method, path, op) for method, path, op in operations() if method in WRITES]


@pytest.fixture(scope="module")
def actors(demo_world, django_db_blocker):
    with django_db_blocker.unblock():
        learner, other = objects.demo_user("learner"), objects.demo_user("learner2")
        mine = objects.learner_objects(learner)
        objects.learner_objects(other)
        other_community = Membership.objects.filter(user=other).values_list("community_id", flat=True)[0]
        return learner, mine, other, other_community


def sentinel(node, baseline_value=None):
    node = resolve(node)
    if "enum" in node:
        values = [value for value in node["enum"] if value not in ("", None, baseline_value)]
        return values[-1] if values else None
    kind = node.get("type")
    if kind in ("integer", "number"):
        return NUMBER
    if kind == "boolean":
        return not baseline_value if isinstance(baseline_value, bool) else True
    if kind == "object":
        return {
            name: sentinel(prop)
            for name, prop in node.get("properties", {}).items()
            if resolve(prop).get("type") not in ("object", "array")
        }
    if kind == "array":
        return []
    return {"date-time": MOMENT, "date": DAY, "uuid": UUID}.get(node.get("format"), TEXT)


def varies_per_call(name, node) -> bool:
    node = resolve(node)
    return (
        name in ("id", "pk", "registration", "credential_id", "verification_id")
        or name.endswith("_id")
        or node.get("format") in ("date-time", "date", "uuid", "uri")
        or name in ("token",)
    )


def assert_not_assigned(name, node, sent, baseline, attacked):
    node = resolve(node)
    if isinstance(sent, dict) and isinstance(attacked, dict):
        for key, value in sent.items():
            prop = node.get("properties", {}).get(key, {})
            assert_not_assigned(
                f"{name}.{key}",
                prop,
                value,
                (baseline or {}).get(key) if isinstance(baseline, dict) else None,
                attacked.get(key),
            )
        return
    if varies_per_call(name.rsplit(".", 1)[-1], node):
        assert attacked != sent or sent is None, f"{name} took the value sent: {sent!r}"
    elif name.rsplit(".", 1)[-1] not in ("trending", "bayesian_score"):  # decay with the clock
        assert without_timestamps(attacked) == without_timestamps(baseline), (
            f"{name}: {attacked!r} after sending {sent!r}, {baseline!r} without"
        )


def without_timestamps(value):
    """A JSON document without the ``*_at`` keys that say when it was made (each call differs)."""
    if isinstance(value, dict):
        return {k: without_timestamps(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [without_timestamps(v) for v in value]
    return value


def rows_with_sent_values(changes: list[str], other_community) -> list[str]:
    """Changed or new rows of the learner's holding a value only the attack sent."""
    marks = (str(NUMBER), "2001, 2, 3", UUID, TEXT, f"'community_id': {other_community},")
    return [change for change in changes if any(mark in change.split(" -> ", 1)[1] for mark in marks)]


def call(client, method, url, body):
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("method", "path", "operation"), WRITING, ids=[f"{method} {path}" for method, path, _ in WRITING]
)
def test_read_only_fields_are_never_written(actors, method, path, operation):
    learner, mine, other, other_community = actors
    url = concrete(path, mine.path_parameters(path)) if "{" in path else path
    body_schema = request_body_schema(operation)
    if body_schema is None and "requestBody" in operation:
        pytest.skip("its body is a file upload, not JSON fields (its own tests cover the upload)")
    make_body = objects.BODIES.get((method, path))
    body = make_body(learner) if make_body else (example(body_schema) if body_schema else {})
    writable = set(resolve(body_schema).get("properties", {})) if body_schema else set()
    client = client_for(learner)

    prepare = objects.PREPARE.get((method, path))
    with transaction.atomic():
        if prepare:
            prepare(learner)
        baseline = call(client, method, url, body)
        transaction.set_rollback(True)
    assert baseline.status_code < 300, (
        f"{method} {path}: the valid body {body} answers {baseline.status_code} "
        f"{baseline.content[:300]!r}; give it one in tests/api/objects.py BODIES"
    )
    baseline_data = baseline.json() if baseline.content else {}

    read_only = read_only_properties(operation)
    attack = dict(body)
    for name, node in read_only.items():
        if name not in writable:
            value = sentinel(node, baseline_data.get(name) if isinstance(baseline_data, dict) else None)
            if value is not None:
                attack[name] = value
    for name, value in SENSITIVE.items():
        if name in writable or name in attack:
            continue
        if value is None:
            value = other_community if name.startswith("community") else other.pk
        attack[name] = value

    if prepare:
        prepare(learner)
    mine_before, others_before = snapshot(learner), snapshot(other)
    attacked = call(client, method, url, attack)
    mine_after, others_after = snapshot(learner), snapshot(other)

    assert not differences(others_before, others_after), differences(others_before, others_after)
    assert attacked.status_code in (baseline.status_code, 400), (attacked.status_code, attacked.content[:300])
    written = rows_with_sent_values(differences(mine_before, mine_after), other_community)
    assert not written, written
    if attacked.status_code == 400:
        return
    attacked_data = attacked.json() if attacked.content else {}
    if not isinstance(attacked_data, dict):
        return
    for name, node in read_only.items():
        if name in attack and name in attacked_data:
            assert_not_assigned(name, node, attack[name], baseline_data.get(name), attacked_data[name])
