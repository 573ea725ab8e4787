import pytest

from tests.scenarios.factories import ScenarioFactory


@pytest.fixture
def scenario(db):
    return ScenarioFactory()
