"""Django's Redis cache, keeping one client per connection pool.

Django's RedisCacheClient builds a new ``redis.Redis`` for every operation, and building one
fills a table of ~170 response callbacks: on a hot path (sessions, throttles, the catalog
version) that costs more than the round trip itself. A ``redis.Redis`` is thread-safe over its
pool, so one per pool is enough.
"""

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
