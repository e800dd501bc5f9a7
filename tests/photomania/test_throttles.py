"""Throttle windows are counters in Redis: one pipelined INCR + EXPIRE per request."""

from django.core.cache import caches

from photomania.throttles import _window_hit


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
