"""Tenancy, generated from the OpenAPI schema: another user's object is a 404.

Two demo learners in two communities (``learner`` in Demo Gym, ``learner2`` in Riverside
Robotics Club) each own one object of every kind (``tests/api/objects.py``). Every operation with
a path id, called by one of them on the other's object, answers 404 (or 403 where the operation
documents it), and none of the owner's rows change. The owner's own GET answers 200, so the ids
are real. Operations on objects that are public by design are called too: they must change
nothing of the owner's either. A new endpoint is covered without editing this file (an entry in
``objects.REGISTRY`` is all it needs).
"""

import json

import pytest

from progress.models import Membership, MembershipRole
from tests.api import objects
from tests.api.schema_ops import concrete, example, operations, request_body_schema
from tests.api.snapshots import differences, snapshot
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

WITH_PATH_IDS = [(method, path, op) for method, path, op in operations() if "{" in path]
DIRECTIONS = [("learner", "learner2"), ("learner2", "learner")]


def test_every_operation_with_a_path_id_has_a_registry_entry():
    missing = []
    for _, path, _ in WITH_PATH_IDS:
        try:
            objects.entry_for(path)
        except LookupError:
            missing.append(path)
    assert not missing, f"add these to tests/api/objects.py REGISTRY: {sorted(set(missing))}"


@pytest.fixture(scope="module")
def people(demo_world, django_db_blocker):
    with django_db_blocker.unblock():
        found = {}
        for username in ("learner", "learner2"):
            user = objects.demo_user(username)
            # Instructors see their community's analytics: the owner's own call answers 200.
            Membership.objects.filter(user=user).update(role=MembershipRole.INSTRUCTOR)
            found[username] = (user, objects.learner_objects(user))
        return found


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    WITH_PATH_IDS,
    ids=[f"{method} {path}" for method, path, _ in WITH_PATH_IDS],
)
@pytest.mark.parametrize(("owner_name", "intruder_name"), DIRECTIONS, ids=["1st-owns", "2nd-owns"])
def test_another_users_object_is_not_found_and_unchanged(
    people, method, path, operation, owner_name, intruder_name
):
    owner, owned = people[owner_name]
    intruder, _ = people[intruder_name]
    entry = objects.entry_for(path)
    url = concrete(path, owned.path_parameters(path))
    body_schema = request_body_schema(operation)
    body = example(body_schema) if body_schema else None

    if method == "GET":
        response = client_for(owner).get(url)
        assert response.status_code == 200, (url, response.content[:300])

    before = snapshot(owner)
    response = client_for(intruder).generic(
        method, url, data=None if body is None else _json(body), content_type="application/json"
    )
    after = snapshot(owner)

    assert not differences(before, after), differences(before, after)
    if entry.scope == objects.PUBLIC:
        assert response.status_code < 500, response.content[:300]
        return
    allowed = {404} | ({403} if "403" in operation["responses"] else set())
    assert response.status_code in allowed, (method, url, response.status_code, response.content[:300])
    assert response.json()["code"] in {"not_found", "permission_denied"}


def _json(body):
    return json.dumps(body)
