"""Fault-injection fixtures: real worker processes we can SIGKILL, a throwaway Redis we can stop.

The shared Redis (6379) and PostgreSQL are never stopped: the Redis that dies here is our own
``redis-server`` subprocess on a free port, killed only by its pid.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from redis.exceptions import RedisError

from celery_app import app
from tests.support.concurrency import broker_purge, process_database_url, wait_for

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WorkerProcess:
    """A ``celery -A celery_app worker`` subprocess on the test database and a given broker."""

    def __init__(self, *, broker_url: str, media_root: Path, name: str):
        self.name = f"{name}-{os.getpid()}@faults"
        self.log = media_root / f"{name}.log"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
            "PHOTOMANIA_TESTING": "1",
            "DATABASE_URL": process_database_url(),
            "REDIS_URL": broker_url,
            "MEDIA_ROOT": str(media_root),
            "DB_CONN_MAX_AGE": "0",
        }
        self.process = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "celery_app",
                "worker",
                "-Q",
                "sweep,priority,default",
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
                "-n",
                self.name,
            ],
            cwd=ROOT,
            env=env,
            stdout=open(self.log, "ab"),  # noqa: SIM115 (the child owns it)
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        def answered():
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited: {self.log.read_text()[-2000:]}")
            replies = app.control.ping(timeout=0.5) or []
            return any(self.name in reply for reply in replies)

        wait_for(answered, timeout=60, interval=0.2, message="the worker to answer a ping")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the whole worker (main process and its pool children) with ``sig``."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(tmp_path):
    """Start worker subprocesses on the test's broker; all are stopped at teardown."""
    started: list[WorkerProcess] = []

    def start(name: str = "worker", broker_url: str | None = None) -> WorkerProcess:
        worker = WorkerProcess(
            broker_url=broker_url or django_settings.CELERY_BROKER_URL, media_root=tmp_path, name=name
        )
        started.append(worker)
        worker.wait_ready()
        return worker

    broker_purge()
    yield start
    for worker in started:
        worker.stop()
    with contextlib.suppress(OSError, RedisError):
        broker_purge()


class OwnRedis:
    """A throwaway redis-server on a free port: ours to stop and start again."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise pytest.UsageError("the fault tests need redis-server (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, timeout=10, message="redis-server to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis():
    """Our own redis-server, started; stopped at teardown (whatever the test did to it)."""
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def broker_on_own_redis(own_redis, settings):
    """The test process and its workers publish to and consume from our own Redis."""
    previous = app.conf.broker_url
    settings.CELERY_BROKER_URL = own_redis.url
    _switch_broker(own_redis.url)
    yield own_redis
    _switch_broker(previous)


@pytest.fixture
def cache_on_own_redis(own_redis, settings):
    """Django's cache (sessions, allauth's limits) and the throttles' counters on our own Redis too,
    as REDIS_URL does in production."""
    settings.REDIS_URL = own_redis.url
    settings.CACHES = {
        "default": {
            **django_settings.CACHES["default"],
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return own_redis


def _switch_broker(url: str) -> None:
    # Celery caches its connection and producer pools (also in kombu's global registry); point
    # the app at ``url`` and drop them all so the next publish connects there.
    from kombu import pools

    app.conf.broker_url = url
    app.pool.force_close_all()
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
