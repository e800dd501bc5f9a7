"""Throttle windows are counters in Redis: one pipelined INCR + EXPIRE per request."""

from django.core.cache import caches

from core.throttles import _window_hit, windows_hit_and_read


def test_a_window_counts_requests_in_redis_and_expires_with_the_window():
    backend = caches["default"]

    counts = [_window_hit("throttle:test:ip1:0", 60) for _ in range(3)]

    key = backend.make_and_validate_key("throttle:test:ip1:0")
    ttl = backend._cache.get_client(key, write=True).ttl(key)
    assert counts == [1, 2, 3]
    assert 0 < ttl <= 60


def test_later_hits_do_not_extend_the_window():
    backend = caches["default"]
    key = backend.make_and_validate_key("throttle:test:ip2:0")
    _window_hit("throttle:test:ip2:0", 60)
    client = backend._cache.get_client(key, write=True)
    client.expire(key, 5)

    _window_hit("throttle:test:ip2:0", 60)

    assert client.ttl(key) <= 5


def test_several_windows_are_counted_and_cache_keys_read_together():
    backend = caches["default"]
    backend.set("catalog:test-version", "v7", None)
    windows_hit_and_read([("throttle:test:a:0", 60)])

    counts, values = windows_hit_and_read(
        [("throttle:test:a:0", 60), ("throttle:test:b:0", 60)], reads=["catalog:test-version", "missing:key"]
    )

    assert counts == [2, 1]
    assert values == {"catalog:test-version": "v7", "missing:key": None}
    key = backend.make_and_validate_key("throttle:test:b:0")
    assert 0 < backend._cache.get_client(key, write=True).ttl(key) <= 60
