"""The web server as the Procfile runs it (scripts/web.sh: nginx in front of gunicorn) keeps answering
while slow clients hold connections open (headers or a body trickled in, never finished): no worker
thread may be parked on one of them, and a client that never finishes its headers is dropped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SLOW_CLIENTS = 20
# A parked thread means no answer at all (the probe's 10 s timeout); the budget only has to stay
# above what a loaded 2-core machine running the suite in parallel adds to a healthy answer.
HEALTH_BUDGET_S = 3.0
# Slowloris: one host opens this many connections and sends one more header line now and then.
TRICKLING_CLIENTS = 100
TRICKLE_INTERVAL_S = 1.0
PROBES = 10
PROBE_BUDGET_S = 3.0
HEADER_TIMEOUT_S = 4


def _procfile_web_command(port: int) -> tuple[list[str], dict[str, str]]:
    """The Procfile's web line as a process manager runs it (``sh -c``), and the environment it adds:
    the port, loopback only, and this virtualenv's tools (and nginx's folder) on the PATH."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    env = {
        "PORT": str(port),
        "WEB_HOST": "127.0.0.1",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"], "/usr/sbin"]),
    }
    return ["/bin/sh", "-c", line.removeprefix("web:").strip()], env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health_seconds(port: int, timeout: float = 10) -> float:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        head = sock.recv(64)
    assert head.startswith(b"HTTP/1.1 200 "), head
    return time.monotonic() - started


def _delay(port: int, baseline: float) -> float:
    started = time.monotonic()
    try:
        return _health_seconds(port) - baseline
    except TimeoutError:  # no answer at all within the socket timeout
        return time.monotonic() - started - baseline


def start_web_server(port: int, **env_overrides: str) -> tuple[subprocess.Popen, list[str]]:
    """Start the Procfile's web line on ``port`` and wait until /api/health answers 200."""
    command, procfile_env = _procfile_web_command(port)
    inherited = {k: v for k, v in os.environ.items() if k not in ("WEB_CONCURRENCY", "WEB_THREADS")}  # the defaults
    env = {**inherited, "ALLOWED_HOSTS": "127.0.0.1,localhost", **procfile_env, **env_overrides}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            _health_seconds(port)
            return process, command
        except (OSError, AssertionError):
            if time.monotonic() > deadline or process.poll() is not None:
                stop_web_server(process)
                raise
            time.sleep(0.1)


def stop_web_server(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture
def web_server():
    port = _free_port()
    process, command = start_web_server(port, WEB_HEADER_TIMEOUT=str(HEADER_TIMEOUT_S))
    try:
        yield port, command
    finally:
        stop_web_server(process)


def test_twenty_slow_clients_do_not_delay_the_health_check_by_more_than_three_seconds(web_server):
    port, command = web_server
    baseline = min(_health_seconds(port) for _ in range(3))
    slow = []
    try:
        for i in range(SLOW_CLIENTS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if i % 2:  # headers that never end
                sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            else:  # a declared body that never arrives
                sock.sendall(
                    b"POST /api/effects/apply HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
                )
            slow.append(sock)
        delays = [_delay(port, baseline) for _ in range(5)]
    finally:
        for sock in slow:
            sock.close()

    assert max(delays) <= HEALTH_BUDGET_S, f"{command}: health delayed by {delays}"


class _TricklingClients:
    """Connections that send a request line, then one more header line every TRICKLE_INTERVAL_S, never the end."""

    def __init__(self, port: int, count: int):
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        line = 0
        while not self._stop.wait(TRICKLE_INTERVAL_S):
            line += 1
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # dropped by the server
                    sock.sendall(b"X-Trickle-%d: x\r\n" % line)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self.sockets:
            sock.close()


def _probe(port: int) -> float | str:
    try:
        return _health_seconds(port, timeout=PROBE_BUDGET_S)
    except TimeoutError:
        return "no answer"


def test_a_hundred_clients_trickling_their_headers_from_one_host_do_not_stop_the_health_check(web_server):
    port, command = web_server
    clients = _TricklingClients(port, TRICKLING_CLIENTS)
    try:
        time.sleep(TRICKLE_INTERVAL_S)  # every connection has sent more than its first bytes
        probes = [_probe(port) for _ in range(PROBES)]
    finally:
        clients.close()

    assert all(isinstance(seconds, float) and seconds < PROBE_BUDGET_S for seconds in probes), f"{command}: {probes}"


def test_a_client_that_never_finishes_its_headers_is_dropped_after_the_header_timeout(web_server):
    port, command = web_server
    clients = _TricklingClients(port, 1)
    sock = clients.sockets[0]
    sock.settimeout(HEADER_TIMEOUT_S * 3)
    started = time.monotonic()
    try:
        try:
            answer = sock.recv(64)  # nginx answers 408 or just closes; gunicorn would wait forever
        except TimeoutError:
            answer = None
        elapsed = time.monotonic() - started
    finally:
        clients.close()

    assert answer is not None and elapsed < HEADER_TIMEOUT_S + 2, f"{command}: {answer!r} after {elapsed:.1f} s"
