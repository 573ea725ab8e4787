"""The process-local LRU stays within its entry and byte budgets, most recently used kept."""

from config.lru import LocalLRU


def test_entries_beyond_the_count_drop_the_least_recently_used():
    lru = LocalLRU(size=2, max_bytes=1000)
    lru.put("a", b"1")
    lru.put("b", b"2")
    assert lru.get("a") == b"1"  # a is now the most recent
    lru.put("c", b"3")
    assert lru.get("b") is None
    assert lru.get("a") == b"1" and lru.get("c") == b"3"
    assert len(lru) == 2 and lru.bytes == 2


def test_bytes_beyond_the_budget_drop_the_oldest_until_it_fits():
    lru = LocalLRU(size=100, max_bytes=1000)
    for key in "abcdefghijkl":
        lru.put(key, b"x" * 90)
    assert lru.bytes <= 1000
    assert len(lru) == 11 and lru.get("a") is None and lru.get("l") is not None


def test_an_answer_over_a_tenth_of_the_budget_is_not_kept():
    lru = LocalLRU(size=100, max_bytes=1000)
    lru.put("small", b"x" * 100)
    lru.put("big", b"x" * 101)
    assert lru.get("big") is None and lru.get("small") is not None


def test_replacing_a_key_counts_its_bytes_once_and_clear_empties():
    lru = LocalLRU(size=10, max_bytes=1000)
    lru.put("a", b"x" * 50)
    lru.put("a", b"x" * 70)
    assert lru.bytes == 70 and len(lru) == 1
    lru.clear()
    assert lru.bytes == 0 and lru.get("a") is None


def test_the_budget_comes_from_settings_unless_given(settings):
    settings.LOCAL_CACHE_MAX_BYTES = 500
    lru = LocalLRU(size=10)
    lru.put("a", b"x" * 40)
    lru.put("b", b"x" * 60)  # over a tenth of 500
    assert lru.get("a") is not None and lru.get("b") is None


def test_a_new_version_in_a_slot_drops_the_previous_one_at_once():
    lru = LocalLRU(size=10, max_bytes=1000)
    lru.put("tree:7:v1", b"old", slot="tree:7")
    lru.put("tree:8:v1", b"other", slot="tree:8")
    lru.put("tree:7:v2", b"new", slot="tree:7")
    assert lru.get("tree:7:v1") is None
    assert lru.get("tree:7:v2") == b"new" and lru.get("tree:8:v1") == b"other"
    assert len(lru) == 2 and lru.bytes == len(b"new") + len(b"other")


def test_an_evicted_entry_leaves_its_slot_free():
    lru = LocalLRU(size=1, max_bytes=1000)
    lru.put("a:v1", b"1", slot="a")
    lru.put("b:v1", b"2", slot="b")  # evicts a:v1
    lru.put("c:v1", b"3", slot="a")  # slot a was freed: nothing else to drop
    assert lru.get("c:v1") == b"3" and len(lru) == 1


def test_through_the_shared_cache_a_miss_here_is_filled_from_there():
    class Shared(dict):
        def set(self, key, value, timeout):
            self[key] = value

    shared, lru = Shared(), LocalLRU(size=10, max_bytes=1000)
    assert lru.get_through("tree:7:v1", slot="tree:7", shared=shared) is None
    lru.set_through("tree:7:v1", b"body", slot="tree:7", shared=shared, timeout=60)
    assert shared["tree:7:v1"] == b"body" and lru.get("tree:7:v1") == b"body"
    other = LocalLRU(size=10, max_bytes=1000)  # another process
    assert other.get_through("tree:7:v1", slot="tree:7", shared=shared) == b"body"
    assert other.get("tree:7:v1") == b"body"
