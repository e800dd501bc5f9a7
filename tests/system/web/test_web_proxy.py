"""The nginx in front of gunicorn (scripts/web.sh): what it answers itself is in the API's error envelope,
and a client cannot make the app believe it came over HTTPS by sending forwarding headers."""

from __future__ import annotations

import json
import socket

import pytest

from tests.support.concurrency import process_database_url
from tests.system.web.test_slow_clients import _free_port, start_web_server, stop_web_server

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "photomania.settings",
    "PHOTOMANIA_TESTING": "",
    "DEBUG": "False",
    "SECRET_KEY": "web-proxy-test-only-0123456789abcdefghijklmnopqrstuvwxyz",
}


@pytest.fixture
def web_server_with(transactional_db):
    servers = []

    def start(**env: str) -> int:
        port = _free_port()
        servers.append(start_web_server(port, DATABASE_URL=process_database_url(), **env)[0])
        return port

    yield start
    for process in servers:
        stop_web_server(process)


def _request(port: int, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    raw_head, _, payload = data.partition(b"\r\n\r\n")
    lines = raw_head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, payload


def test_a_body_past_the_upload_limit_is_refused_by_the_proxy_in_the_error_envelope(web_server_with):
    port = web_server_with(IMAGE_MAX_UPLOAD_BYTES="1000")  # the proxy allows that plus 512 KB
    body = b"x" * (600 * 1024)

    status, headers, payload = _request(
        port,
        "POST /api/effects/apply HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {len(body)}\r\n\r\n",
        body,
    )

    assert status == 413
    assert headers["content-type"] == "application/json"
    assert json.loads(payload)["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_client_claiming_https_in_forwarding_headers_is_still_redirected_to_https(web_server_with):
    port = web_server_with(**PRODUCTION, ALLOWED_HOSTS="127.0.0.1")

    status, headers, _ = _request(
        port,
        "GET /api/effects HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "X-Forwarded-Proto: https\r\nX-Forwarded-Ssl: on\r\nX-Forwarded-Protocol: ssl\r\n\r\n",
    )

    assert status == 301
    assert headers["location"] == "https://127.0.0.1/api/effects"


def test_https_reported_by_a_declared_proxy_in_front_is_believed(web_server_with):
    port = web_server_with(**PRODUCTION, ALLOWED_HOSTS="127.0.0.1", TRUSTED_PROXY_COUNT="1")

    status, _, _ = _request(
        port, "GET /api/effects HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Forwarded-Proto: https\r\n\r\n"
    )

    assert status == 200
