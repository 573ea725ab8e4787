"""A demo-like world shared by the schema-driven API suites of a module.

The demo content (``manage.py seed_demo``) is written once per module inside a transaction
that is rolled back at the end of the module; each test runs in a savepoint inside it, so a
test's writes never reach the next one and nothing leaks into other suites.
"""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=_Discard())
        yield
        transaction.set_rollback(True)


class _Discard:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass
