"""Throttle windows are counters in Redis on the throttles' own client: one pipelined round trip
(INCR + EXPIRE per window) for all of a view's throttles."""

from core.throttles import _redis_key, throttle_redis, windows_hit


def test_a_window_counts_requests_in_redis_and_expires_with_the_window():
    counts = [windows_hit([("throttle:test:ip1:0", 60)])[0] for _ in range(3)]

    ttl = throttle_redis().ttl(_redis_key("throttle:test:ip1:0"))
    assert counts == [1, 2, 3]
    assert 0 < ttl <= 60


def test_later_hits_do_not_extend_the_window():
    key = _redis_key("throttle:test:ip2:0")
    windows_hit([("throttle:test:ip2:0", 60)])
    throttle_redis().expire(key, 5)

    windows_hit([("throttle:test:ip2:0", 60)])

    assert throttle_redis().ttl(key) <= 5


def test_several_windows_are_counted_in_one_round_trip():
    client = throttle_redis()
    windows_hit([("throttle:test:a:0", 60)])
    sent = []
    original = client.connection_pool.get_connection

    def counting(*args, **kwargs):
        sent.append(1)
        return original(*args, **kwargs)

    client.connection_pool.get_connection = counting
    try:
        counts = windows_hit([("throttle:test:a:0", 60), ("throttle:test:b:0", 60)])
    finally:
        del client.connection_pool.get_connection

    assert counts == [2, 1]
    assert sent == [1]
    assert 0 < client.ttl(_redis_key("throttle:test:b:0")) <= 60


def test_the_client_is_built_once_per_process_and_anew_for_another_redis_url(settings):
    first = throttle_redis()
    assert throttle_redis() is first

    settings.REDIS_URL = settings.REDIS_URL.rsplit("/", 1)[0] + "/15"

    moved = throttle_redis()
    assert moved is not first
    assert moved.connection_pool.connection_kwargs["db"] == 15


def test_without_redis_the_counters_live_in_djangos_cache(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    }

    counts = [windows_hit([("throttle:test:file:0", 60)])[0] for _ in range(2)]

    assert throttle_redis() is None
    assert counts == [1, 2]
