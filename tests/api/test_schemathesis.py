"""The OpenAPI schema tells the whole truth, as checked by schemathesis against the running app.

Every operation the app serves in ``/api/v1/schema/`` is called in-process (WSGI), with the demo
content in the database, as two users of different communities (``learner`` of Demo Gym and
``learner2`` of Riverside Robotics Club): the schema's examples, the coverage phase's boundary
and invalid values, generated cases, and stateful sequences that follow the links between
operations (create, then read, change and delete what was created). Every check schemathesis has
runs on every answer (``CHECKS``): no server error; a documented status, content type and body;
invalid data refused and valid data accepted; a deleted object stays gone and a created one is
there; an operation that needs a token refuses a request without one. Half of the cases of an
operation with a path id address one of the user's real objects (so the 200 bodies are checked,
not only the 404s).

Each run draws a new seed and prints it in the pytest header and in every failure; replay a run
with ``SCHEMATHESIS_SEED=<seed> make test ARGS=tests/api/test_schemathesis.py``.
``SCHEMATHESIS_MAX_EXAMPLES`` bounds the generated cases per operation and user (default 5, which
keeps the whole module to a few minutes on two cores).

A business rule that refuses a schema-valid request is documented in the schema and named in
``tests/api/business_rules.py``, the one place that widens what ``positive_data_acceptance``
accepts for that operation. Nothing else is excluded or silenced here.
"""

import itertools

import hypothesis
import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from config.idempotency import HEADER as IDEMPOTENCY_HEADER
from config.wsgi import application
from tests.api.business_rules import operations_config
from tests.api.objects import learner_objects
from tests.api.seed import MAX_EXAMPLES, SEED, replay_hint
from tests.conftest import api_token_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    use_after_free,
    ensure_resource_availability,
    ignored_auth,
]
USERS = ("learner", "learner2")
STATEFUL_SCENARIOS = 2 * MAX_EXAMPLES
STATEFUL_STEPS = 6

CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "continue-on-failure": True,
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": STATEFUL_STEPS},
        },
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "database": "none",
            "with-security-parameters": False,
            # The API ignores query parameters it does not know (README, "API"), as HTTP APIs do;
            # the ones it knows are checked in full.
            "allow-extra-parameters": False,
        },
        "checks": {check.__name__: {"enabled": True} for check in CHECKS},
        "operations": operations_config(),
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


@pytest.fixture(scope="module", params=USERS)
def api_user(request, demo_world, django_db_blocker):
    with django_db_blocker.unblock():
        user = get_user_model().objects.get(username=request.param)
        return user, api_token_for(user), learner_objects(user)


@pytest.fixture(autouse=True)
def _seed_in_the_report(request):
    yield
    request.node.add_report_section("call", "schemathesis", replay_hint())


_turn = itertools.count()
_actions = itertools.count()


def _as_a_new_action(case):
    """Each valid case is a new client action, so it gets a key of its own: schemathesis draws keys
    from a small space, and a key reused with another body is rightly a 422. The key stays one
    the schema's pattern generated; only a suffix makes it unique."""
    key = (case.headers or {}).get(IDEMPOTENCY_HEADER)
    if key is not None and case.meta.generation.mode.is_positive:
        case.headers = {**case.headers, IDEMPOTENCY_HEADER: f"{key.strip()[:230]}~{SEED}.{next(_actions)}"}


def _on_a_real_object(case, objects):
    """Half of the valid cases with a path id address one of the user's own objects."""
    if not case.path_parameters or not case.meta.generation.mode.is_positive or not next(_turn) % 2:
        return
    generated = case.path_parameters
    real = objects.path_parameters(case.operation.path)
    case.path_parameters = {name: real.get(name, value) for name, value in generated.items()}
    if not case.meta.generation.mode.is_positive:  # another component was the invalid one
        case.path_parameters = generated


@pytest.mark.django_db
@schema.parametrize()
def test_every_response_is_documented(case, api_user):
    user, token, objects = api_user
    _on_a_real_object(case, objects)
    _as_a_new_action(case)
    import os

    if os.environ.get("ST_DEBUG"):
        try:
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
        except BaseException:
            print(
                "DEBUG",
                case.meta.generation.mode,
                case.meta.components,
                case.meta.phase,
                case.path_parameters,
                case.query,
                case.body,
            )
            raise
        return
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


@pytest.mark.django_db
def test_sequences_of_calls_keep_their_promises(api_user):
    """Stateful: chains of calls linked by the ids one answer gives the next request."""
    user, token, objects = api_user
    headers = {"Authorization": f"Token {token}"}

    class Calls(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            _as_a_new_action(case)
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, checks=CHECKS, headers=headers, transport_kwargs=kwargs, recorder=self.recorder
            )

    Calls._hypothesis_internal_use_seed = SEED
    Calls.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
