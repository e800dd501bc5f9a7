"""The web server as the Procfile runs it (gunicorn, several worker processes) reports the requests of
all its workers in one scrape, exited workers included, and forgets a previous run's values."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest

from tests.support.concurrency import wait_for
from tests.support.metrics import METRICS_TOKEN, parse_samples, sample_value
from tests.system.web.test_slow_clients import _free_port, start_web_server, stop_web_server

REQUESTS_PER_GENERATION = 8


def _get(port: int, path: str, headers: str = "") -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _worker_pids(folder: Path) -> set[int]:
    """The processes that recorded request metrics (prometheus_client names its files by pid)."""
    return {int(path.stem.rsplit("_", 1)[-1]) for path in folder.glob("histogram_*.db")}


@pytest.fixture
def metrics_folder(tmp_path) -> Path:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    # A previous run's file: the server must not add its values to this run's.
    (folder / "counter_1.db").write_bytes(b"left over from a previous run")
    return folder


@pytest.fixture
def gunicorn_server(metrics_folder):
    port = _free_port()
    process, _command = start_web_server(
        port, WEB_CONCURRENCY="2", HEALTH_TOKEN=METRICS_TOKEN, PROMETHEUS_MULTIPROC_DIR=str(metrics_folder)
    )
    try:
        yield port
    finally:
        stop_web_server(process)


def _health_count(port: int) -> float:
    status, body = _get(port, "/metrics", f"Authorization: Bearer {METRICS_TOKEN}\r\n")
    assert status == 200
    return sample_value(
        parse_samples(body.decode()),
        "photomania_http_request_duration_seconds_count",
        route="/api/health",
        method="GET",
        status="2xx",
    )


def test_one_scrape_counts_the_requests_of_every_worker_process_past_and_present(gunicorn_server, metrics_folder):
    port = gunicorn_server
    before = _health_count(port)
    statuses: list[int] = []
    retired: set[int] = set()

    def health() -> set[int]:
        statuses.append(_get(port, "/api/health")[0])
        return _worker_pids(metrics_folder) - retired

    for _ in range(REQUESTS_PER_GENERATION):
        health()
    retired = {min(_worker_pids(metrics_folder))}
    os.kill(*retired, signal.SIGTERM)  # a graceful exit; gunicorn starts a fresh worker in its place
    wait_for(lambda: not _alive(*retired), message="the worker to exit")
    fresh = wait_for(health, message="a fresh worker to serve a request")
    for _ in range(REQUESTS_PER_GENERATION):
        health()

    after = _health_count(port)

    assert set(statuses) == {200}
    assert fresh
    assert after - before == len(statuses)


def test_the_server_empties_the_metrics_folder_when_it_starts(gunicorn_server, metrics_folder):
    assert not (metrics_folder / "counter_1.db").exists()
