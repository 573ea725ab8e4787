import pytest

from progress.selectors.structure import clear_local_cache
from progress.selectors.tree import clear_local_trees


@pytest.fixture(autouse=True)
def _fresh_structure_cache():
    """Each test starts with an empty in-process structure cache (ids are reused across tests)."""
    clear_local_cache()
    clear_local_trees()
    yield
    clear_local_cache()
    clear_local_trees()
