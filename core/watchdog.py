"""The consumer watchdog: a worker whose consumer stopped taking messages exits so it is restarted.

A broker fault (a paused or restarted Redis) can leave a worker alive, answering pings and
heartbeats, yet never consuming again. Inside every worker a thread looks every
WORKER_WATCHDOG_INTERVAL seconds at the lengths of the queues the worker consumes:

- while the consumer is taking messages (or its queues are empty, or a task is running) it
  refreshes the worker's heartbeat key in the broker's Redis (read by the deep health check and
  by ``manage.py worker_probe``);
- when messages have waited for WORKER_STALL_TIMEOUT seconds while the worker ran nothing and
  took none, it asks Celery for a warm shutdown with a non-zero exit code (and exits hard if that
  shutdown hangs): the worker's supervisor starts a fresh one.

Registered as a consumer bootstep in ``celery_app.py``; it does nothing with a broker other than Redis.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time

import redis
from celery import bootsteps
from celery.platforms import EX_FAILURE
from celery.signals import task_received
from celery.worker import state as worker_state
from django.conf import settings

logger = logging.getLogger("core.watchdog")

HEARTBEAT_PREFIX = "photomania:consumer:"
# Seconds a warm shutdown may take before the watchdog ends the process itself.
HARD_EXIT_AFTER = 30
# kombu's Redis transport keeps a queue's messages in one list per priority step (0, 3, 6, 9; the
# first list is named after the queue alone).
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def broker_queue_lists(queue: str) -> list[str]:
    """The Redis lists that hold ``queue``'s waiting messages, one per priority step."""
    return [f"{queue}{suffix}" for suffix in _PRIORITY_SUFFIXES]


def heartbeat_key(nodename: str) -> str:
    return f"{HEARTBEAT_PREFIX}{nodename}"


def broker_client(url: str | None = None) -> redis.Redis:
    """A short-timeout client on the broker's Redis (the watchdog and the readers of its heartbeats)."""
    return redis.Redis.from_url(
        url or settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2, health_check_interval=10
    )


def consumer_heartbeats(client: redis.Redis) -> dict[str, dict]:
    """The live heartbeats: worker node name -> {"at": unix time, "queues": [...]} (expired ones are gone)."""
    beats = {}
    for key in client.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=200):
        raw = client.get(key)
        if raw is None:
            continue
        name = key.decode()[len(HEARTBEAT_PREFIX) :]
        try:
            beats[name] = json.loads(raw)
        except ValueError:
            continue
    return beats


class ConsumerMonitor:
    """The watchdog's state and one look at the queues (``check``); the thread calls it periodically."""

    def __init__(self, *, nodename: str, queues: list[str], client: redis.Redis, stall_timeout: float, interval: float):
        self.nodename = nodename
        self.queues = queues
        self.client = client
        self.stall_timeout = stall_timeout
        self.interval = interval
        self.last_received = time.monotonic()
        self.waiting_since: float | None = None

    def message_received(self) -> None:
        self.last_received = time.monotonic()

    def waiting_messages(self) -> int:
        pipe = self.client.pipeline(transaction=False)
        for queue in self.queues:
            for name in broker_queue_lists(queue):
                pipe.llen(name)
        return sum(pipe.execute())

    def check(self, *, now: float | None = None) -> bool:
        """One look: refresh the heartbeat when consuming; True when the consumer is stalled."""
        now = time.monotonic() if now is None else now
        try:
            waiting = self.waiting_messages()
        except redis.RedisError:
            # The broker itself is unreachable: the transport reconnects on its own; nothing to judge.
            logger.debug("watchdog: broker unreachable", exc_info=True)
            return False
        busy = bool(worker_state.active_requests)
        if waiting == 0 or busy:
            self.waiting_since = None
        elif self.waiting_since is None:
            self.waiting_since = now
        idle_for = 0.0 if self.waiting_since is None else now - max(self.waiting_since, self.last_received)
        if idle_for < 3 * self.interval:
            self._beat(waiting=waiting)
        return idle_for >= self.stall_timeout

    def _beat(self, *, waiting: int) -> None:
        body = json.dumps({"at": time.time(), "queues": self.queues, "waiting": waiting, "pid": os.getpid()})
        try:
            self.client.set(heartbeat_key(self.nodename), body, ex=max(int(3 * self.interval), 5))
        except redis.RedisError:
            logger.debug("watchdog: heartbeat not written", exc_info=True)

    def forget(self) -> None:
        with contextlib.suppress(redis.RedisError):
            self.client.delete(heartbeat_key(self.nodename))


_monitor: ConsumerMonitor | None = None


@task_received.connect
def _note_message_received(**kwargs):
    if _monitor is not None:
        _monitor.message_received()


def _stall_exit(monitor: ConsumerMonitor) -> None:
    logger.critical(
        "watchdog: messages have waited %ss in %s and this worker's consumer took none; exiting so it is restarted",
        monitor.stall_timeout,
        ",".join(monitor.queues),
    )
    monitor.forget()
    # Celery's own warm shutdown (the event loop checks this flag), with a failure exit code.
    worker_state.should_stop = EX_FAILURE
    time.sleep(HARD_EXIT_AFTER)
    logger.critical("watchdog: the warm shutdown hung; exiting now")
    os._exit(EX_FAILURE)


def _run(monitor: ConsumerMonitor, stop: threading.Event) -> None:
    while True:
        try:
            stalled = monitor.check()
        except Exception:
            logger.exception("watchdog: check failed")
            stalled = False
        if stalled:
            _stall_exit(monitor)
            return
        if stop.wait(monitor.interval):
            return


class ConsumerWatchdog(bootsteps.StartStopStep):
    """Consumer bootstep: starts the watchdog thread once per worker process, stops it at shutdown."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, c):
        global _monitor
        url = str(c.app.conf.broker_url or "")
        if not url.startswith(("redis://", "rediss://")) or self._thread is not None:
            return
        queues = sorted(c.app.amqp.queues.consume_from or c.app.amqp.queues)
        _monitor = ConsumerMonitor(
            nodename=c.hostname,
            queues=queues,
            client=broker_client(url),
            stall_timeout=settings.WORKER_STALL_TIMEOUT,
            interval=settings.WORKER_WATCHDOG_INTERVAL,
        )
        self._thread = threading.Thread(target=_run, args=(_monitor, self._stop), name="consumer-watchdog", daemon=True)
        self._thread.start()

    def shutdown(self, c):
        self._stop.set()
        if _monitor is not None:
            _monitor.forget()
