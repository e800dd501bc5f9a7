"""Waiting for a job to finish (``Prefer: wait`` on apply), woken through Redis pub/sub.

When a job reaches COMPLETED or FAILED, ``effects.jobs.transitions`` publishes on the job's own
channel once the transition has committed. A waiting request subscribes to that channel *before*
it reads the job's status again, so a job that finishes between the two is never missed; without
REDIS_URL (development), or when Redis fails, it reads the status every ``POLL_SECONDS`` instead.

Each waiter takes a pooled connection for its subscription (returned when it stops waiting)
rather than sharing one listener thread per process: the waiters of a process are capped
(``SYNC_APPLY_MAX_WAITERS``, a few), so the pool never holds more connections than that, and
nothing has to survive gunicorn forking or reconnect a long-lived thread. A waiter also reads the
status every ``RECHECK_SECONDS``, in case a notice was lost (Redis restarted in between).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

import redis
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from effects.models import TERMINAL_STATUSES, Job

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # without Redis
RECHECK_SECONDS = 5.0  # with Redis: a safety net for a lost notice
MAX_WAIT_SECONDS = 60

_client: redis.Redis | None = None
_client_lock = threading.Lock()
_waiting = 0
_waiting_lock = threading.Lock()


def _redis() -> redis.Redis | None:
    """The waiters' Redis client (its own pool: subscriptions hold a connection while they wait)."""
    global _client
    if _client is None and settings.REDIS_URL:
        with _client_lock:
            if _client is None:
                _client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=10)
    return _client


@receiver(setting_changed)
def _redis_reset(*, setting, **kwargs):
    global _client
    if setting == "REDIS_URL":
        with _client_lock:
            if _client is not None:
                _client.close()
            _client = None


def job_channel(job_id) -> str:
    """The pub/sub channel a job's end is announced on."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:job-finished:{job_id}"


def job_finished_publish(job_id) -> None:
    """Wake whoever waits for this job (called after its terminal transition committed). Best effort:
    a waiter that misses it finds the status on its next read."""
    client = _redis()
    if client is None:
        return
    try:
        client.publish(job_channel(job_id), b"1")
    except redis.RedisError as exc:
        logger.warning("job %s: could not announce its end: %s", job_id, exc.__class__.__name__)


def _finished(job_id) -> bool:
    return Job.objects.filter(pk=job_id, status__in=TERMINAL_STATUSES).exists()


@contextlib.contextmanager
def waiter_slot() -> Iterator[bool]:
    """One of this process's ``SYNC_APPLY_MAX_WAITERS`` waiting places: True if taken (and held until
    the block ends), False when they are all in use (the caller answers at once instead)."""
    global _waiting
    with _waiting_lock:
        taken = _waiting < settings.SYNC_APPLY_MAX_WAITERS
        if taken:
            _waiting += 1
    try:
        yield taken
    finally:
        if taken:
            with _waiting_lock:
                _waiting -= 1


def waiters_in_use() -> int:
    """How many requests of this process wait for a job now."""
    return _waiting


def job_wait_finished(*, job_id, timeout: float) -> bool:
    """Block until the job is COMPLETED or FAILED (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + max(0.0, min(timeout, MAX_WAIT_SECONDS))
    client = _redis()
    if client is not None:
        try:
            return _wait_subscribed(client, job_id=job_id, deadline=deadline)
        except redis.RedisError as exc:
            logger.warning("job %s: waiting without Redis (%s)", job_id, exc.__class__.__name__)
    return _wait_polling(job_id=job_id, deadline=deadline)


def _wait_subscribed(client: redis.Redis, *, job_id, deadline: float) -> bool:
    pubsub = client.pubsub()
    try:
        pubsub.subscribe(job_channel(job_id))
        # The subscription is live once Redis confirms it; only then is the status read, so a
        # notice published after that read cannot be missed.
        while True:
            message = pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
            if message is not None and message["type"] == "subscribe":
                break
            if time.monotonic() >= deadline:
                return _finished(job_id)
        next_check = 0.0
        while True:
            now = time.monotonic()
            if now >= next_check:
                if _finished(job_id):
                    return True
                next_check = now + RECHECK_SECONDS
            if now >= deadline:
                return False
            message = pubsub.get_message(timeout=min(deadline, next_check) - now)
            if message is not None and message["type"] == "message":
                next_check = 0.0  # announced: read the status (the row has committed)
    finally:
        with contextlib.suppress(redis.RedisError):
            pubsub.close()


def _wait_polling(*, job_id, deadline: float) -> bool:
    while True:
        if _finished(job_id):
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(POLL_SECONDS, remaining))
