import pytest

from progress.selectors.structure import clear_local_cache


@pytest.fixture(autouse=True)
def _fresh_structure_cache():
    """Each test starts with an empty in-process structure cache (ids are reused across tests)."""
    clear_local_cache()
    yield
    clear_local_cache()
