"""In-process caches: ``BoundedCache``, a small thread-safe LRU map."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class BoundedCache:
    """A per-process map that keeps at most ``maxsize`` entries, dropping the least recently used.

    For small in-process caches (signed URLs, rendered catalog pages, catalog lookups) whose keys
    come from requests: a bound keeps unknown keys from growing it without limit. Safe to share
    between a process's threads; a value is computed outside the lock, so two threads may both
    compute a missing one (the last one stored wins).
    """

    def __init__(self, maxsize: int):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value kept for ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            try:
                self._entries.move_to_end(key)
            except KeyError:
                return default
            return self._entries[key]

    def set(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` for ``key``, dropping the least recently used entry when full."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def get_or_set(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value kept for ``key``, or ``compute()`` kept and returned (None is kept too)."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            self.set(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries


_MISSING = object()
