"""Real threads and a real Celery worker, and waiting on a condition instead of sleeping.

``run_concurrently`` runs one call from several threads at once (each with its own database
connection); ``celery_worker_pipeline`` is a real worker on Redis. The fixtures here are
registered from tests/conftest.py through ``pytest_plugins``.
"""

import threading
import time
from collections.abc import Callable

import pytest


def process_database_url() -> str:
    """The test database as a DATABASE_URL, for processes a test starts (a worker, the web server)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_concurrently(count: int, target: Callable[[int], object], *, timeout: float = 60) -> list:
    """Call ``target(i)`` for i in range(count), all released together by a barrier.

    Returns, in index order, each call's result or the exception it raised (tests assert on
    them). Every thread closes its database connection, so the test's teardown can flush.
    """
    from django.db import connection

    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = target(index)
        except Exception as exc:  # handed back to the test, which asserts on it
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes


def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.05, message: str = "condition"):
    """Poll ``predicate`` until it returns a truthy value (returned) or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def broker_purge():
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in ("default", "priority", "unacked", "unacked_index"):
        client.delete(key)
    for key in client.scan_iter("default\x06*"):
        client.delete(key)
    for key in client.scan_iter("priority\x06*"):
        client.delete(key)


@pytest.fixture
def empty_broker():
    """The Redis broker with no queued messages (before and after the test); yields a client to inspect it."""
    import redis
    from django.conf import settings

    broker_purge()
    yield redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker_purge()


@pytest.fixture
def celery_worker_pipeline(settings):
    """A real Celery worker (solo pool, in a thread) consuming priority then default from Redis.

    Tests using it need ``@pytest.mark.django_db(transaction=True)``: the worker thread has its
    own database connection and must see committed rows.
    """
    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    from celery_app import app

    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise pytest.UsageError("the pipeline tests need REDIS_URL (a real Redis broker)")
    broker_purge()
    # A worker keeps its connection between tasks for CONN_MAX_AGE; this one's thread ends with the
    # test and nothing could close its connection then, so it closes it after every task instead.
    database = connections.settings["default"]
    max_age = database.get("CONN_MAX_AGE", 0)
    database["CONN_MAX_AGE"] = 0
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=["priority", "default"]) as worker:
            yield worker
    finally:
        database["CONN_MAX_AGE"] = max_age
    broker_purge()
    # The worker thread's connection would otherwise block the test database's flush/teardown.
    connections.close_all()
