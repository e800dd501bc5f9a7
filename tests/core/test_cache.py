"""The bounded in-process cache: it never holds more than its size, drops the least recently used
entry first, and keeps its bound when many threads use it at once."""

import threading

import pytest

from core.cache import BoundedCache


def test_the_cache_never_holds_more_entries_than_its_size():
    cache = BoundedCache(3)

    for n in range(10):
        cache.set(n, str(n))

    assert len(cache) == 3
    assert [cache.get(n) for n in (7, 8, 9)] == ["7", "8", "9"]


def test_when_full_the_least_recently_used_entry_is_dropped_first():
    cache = BoundedCache(2)
    cache.set("a", 1)
    cache.set("b", 2)
    cache.get("a")  # "a" is now more recently used than "b"

    cache.set("c", 3)

    assert "b" not in cache
    assert cache.get("a") == 1
    assert cache.get("c") == 3


def test_storing_a_key_again_replaces_its_value_without_growing():
    cache = BoundedCache(2)
    cache.set("a", 1)
    cache.set("b", 2)

    cache.set("a", 10)

    assert len(cache) == 2
    assert cache.get("a") == 10
    assert cache.get("b") == 2


def test_a_missing_key_gives_the_default():
    cache = BoundedCache(2)

    assert cache.get("missing") is None
    assert cache.get("missing", "fallback") == "fallback"


def test_get_or_set_computes_once_and_keeps_none_too():
    cache = BoundedCache(2)
    calls = []

    def compute():
        calls.append(1)

    first = cache.get_or_set("unknown-ref", compute)
    second = cache.get_or_set("unknown-ref", compute)

    assert first is None and second is None
    assert len(calls) == 1


def test_clear_empties_the_cache():
    cache = BoundedCache(2)
    cache.set("a", 1)

    cache.clear()

    assert len(cache) == 0
    assert cache.get("a") is None


def test_a_size_below_one_is_refused():
    with pytest.raises(ValueError):
        BoundedCache(0)


def test_many_threads_at_once_keep_the_bound_and_every_value_with_its_key():
    cache = BoundedCache(64)
    errors = []
    start = threading.Barrier(8)

    def worker(thread: int):
        start.wait()
        try:
            for n in range(2000):
                key = (thread, n % 100)
                cache.set(key, key)
                value = cache.get(key)
                if value is not None and value != key:
                    errors.append((key, value))
                cache.get_or_set((thread, "shared", n % 10), lambda key=key: key)
        except Exception as exc:  # a broken OrderedDict raises (e.g. KeyError, RuntimeError)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(cache) <= 64
