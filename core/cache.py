"""In-process caches (``BoundedCache``), and Django's Redis cache keeping one client per connection pool.

Django's RedisCacheClient builds a new ``redis.Redis`` for every operation, and building one
fills a table of ~170 response callbacks: on a hot path (sessions, throttles, the catalog
version) that costs more than the round trip itself. A ``redis.Redis`` is thread-safe over its
pool, so one per pool is enough.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class PooledRedisCache(RedisCache):
    """RedisCache whose clients are built once per process and pool."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient


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
