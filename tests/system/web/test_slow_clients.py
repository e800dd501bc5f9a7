"""The web server as the Procfile runs it keeps answering while slow clients hold connections open
(headers or a body trickled in, never finished): no worker may be parked on one of them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SLOW_CLIENTS = 20
HEALTH_BUDGET_S = 1.0


def _procfile_web_command(port: int) -> list[str]:
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    command = line.removeprefix("web:").strip()
    env = {"PORT": str(port), "WEB_CONCURRENCY": "", "WEB_THREADS": "", "FORWARDED_ALLOW_IPS": ""}
    expanded = subprocess.run(
        ["bash", "-c", f"printf '%s\\0' {command}"], env={**os.environ, **env}, capture_output=True, check=True
    ).stdout
    args = [a for a in expanded.decode().split("\0") if a]
    args[0] = str(Path(sys.executable).parent / args[0])  # gunicorn from this virtualenv
    return [a.replace("0.0.0.0", "127.0.0.1") for a in args]  # loopback only


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health_seconds(port: int) -> float:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        head = sock.recv(64)
    assert head.startswith(b"HTTP/1.1 "), head
    return time.monotonic() - started


def _delay(port: int, baseline: float) -> float:
    started = time.monotonic()
    try:
        return _health_seconds(port) - baseline
    except TimeoutError:  # no answer at all within the socket timeout
        return time.monotonic() - started - baseline


@pytest.fixture
def web_server():
    port = _free_port()
    command = _procfile_web_command(port)
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _health_seconds(port)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield port, command
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_twenty_slow_clients_do_not_delay_the_health_check_by_more_than_a_second(web_server):
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
