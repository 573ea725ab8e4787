"""A small process-local LRU of rendered answers, in front of the shared cache.

Entries are keyed exactly like the shared cache (by the versions the writes bump), so a write
makes an old entry unreachable here too: it can never serve a stale answer, it only saves the
round trip to Redis for the answers this process served last.

A ``slot`` names what an entry is a version of (a learner's tree, a plan at a zoom level): putting
a new version drops the previous one at once, so dead versions never wait for eviction and the
memory follows the number of things being read, not the rate of writes.

Bounded twice: by entries and by bytes (``LOCAL_CACHE_MAX_BYTES`` per cache, 8 MiB unless set),
so a process's memory stays flat however large the answers grow; an answer larger than a tenth
of the budget is not kept here at all (the shared cache still has it).
"""

import threading
from collections import OrderedDict

DEFAULT_MAX_BYTES = 8 * 1024 * 1024


def _max_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "LOCAL_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES))


class LocalLRU:
    def __init__(self, size: int = 256, max_bytes: int | None = None):
        self.size = size
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._slots: dict[str, str] = {}  # slot -> its current key
        self._slot_of: dict[str, str] = {}  # key -> its slot
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def max_bytes(self) -> int:
        return self._max_bytes if self._max_bytes is not None else _max_bytes()

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: str, value: bytes, *, slot: str | None = None) -> None:
        budget = self.max_bytes
        size = len(value)
        with self._lock:
            self._drop(key)
            if slot is not None:
                previous = self._slots.get(slot)
                if previous is not None:
                    self._drop(previous)
            if size * 10 > budget:
                return
            self._entries[key] = value
            self._bytes += size
            if slot is not None:
                self._slots[slot] = key
                self._slot_of[key] = slot
            while len(self._entries) > self.size or self._bytes > budget:
                self._drop(next(iter(self._entries)))

    def get_through(self, key: str, *, slot: str, shared):
        """The answer under ``key``: this process's copy, else the ``shared`` cache's (then kept
        here too); None when neither has it."""
        value = self.get(key) or shared.get(key)
        if value is not None:
            self.put(key, value, slot=slot)
        return value

    def set_through(self, key: str, value: bytes, *, slot: str, shared, timeout: int) -> None:
        """Keep a freshly rendered answer in the ``shared`` cache and in this process."""
        shared.set(key, value, timeout=timeout)
        self.put(key, value, slot=slot)

    def _drop(self, key: str) -> None:
        value = self._entries.pop(key, None)
        if value is not None:
            self._bytes -= len(value)
        slot = self._slot_of.pop(key, None)
        if slot is not None and self._slots.get(slot) == key:
            del self._slots[slot]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._slots.clear()
            self._slot_of.clear()
            self._bytes = 0
