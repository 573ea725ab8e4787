"""The OpenAPI schema tells the truth, as checked by schemathesis against the running app.

Every operation the app serves in ``/api/v1/schema/`` is called in-process (WSGI) as the demo
learner, with the demo content in the database: the schema's examples, the coverage phase's
boundary and invalid values, then a bounded number of generated cases. Every response must be
no server error, have a documented status code and content type, and match the documented
schema for that status. Half of the cases of an operation with a path id address one of the
learner's real objects (so the 200 bodies are checked, not only the 404s).

The schema endpoint and the Swagger UI are not in the schema (they are HTML and the schema
itself); nothing else is excluded.
"""

import itertools

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.api.objects import learner_objects
from tests.conftest import api_token_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 30

CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "seed": 20261129,
        "continue-on-failure": True,
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            "with-security-parameters": False,
        },
    }
)


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)


@pytest.fixture(scope="module", autouse=True)
def _requests_keep_the_connection(demo_world):
    """The app runs in this thread inside the module's transaction: like Django's test client,
    keep the request signals from closing the connection (and so the transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def learner(demo_world, django_db_blocker):
    with django_db_blocker.unblock():
        user = get_user_model().objects.get(username="learner")
        return user, api_token_for(user), learner_objects(user)


_turn = itertools.count()


@pytest.mark.django_db
@schema.parametrize()
def test_every_response_is_documented(case, learner):
    user, token, objects = learner
    if case.path_parameters and next(_turn) % 2:
        case.path_parameters = {**case.path_parameters, **objects.path_parameters(case.operation.path)}
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
