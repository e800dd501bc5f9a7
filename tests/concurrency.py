"""Run the same call from several real threads at once (each with its own database connection)."""

import threading
from collections.abc import Callable


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
