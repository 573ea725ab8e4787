"""A small process-local LRU of rendered answers, in front of the shared cache.

Entries are keyed exactly like the shared cache (by the versions the writes bump), so a write
makes an old entry unreachable here too: it can never serve a stale answer, it only saves the
round trip to Redis for the answers this process served last.
"""

import threading
from collections import OrderedDict


class LocalLRU:
    def __init__(self, size: int = 256):
        self.size = size
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
