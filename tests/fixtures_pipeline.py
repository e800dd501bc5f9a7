"""Pipeline fixtures shared across the suite: a local image HTTP server, sample images,
a real Celery worker on Redis, a moto S3 server and the fake Replicate server.

Registered from tests/conftest.py through ``pytest_plugins``.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), color=(200, 120, 40), mode: str = "RGB") -> bytes:
    """A small real image with a gradient (so effects have something to work on)."""
    img = Image.new(mode, size, color if mode == "RGB" else None)
    if mode == "RGB":
        px = img.load()
        for x in range(size[0]):
            for y in range(size[1]):
                px[x, y] = ((x * 255) // size[0], (y * 255) // size[1], color[2])
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


class LocalHTTPServer:
    """A threaded HTTP server whose routes a test sets: path -> (status, headers, body)."""

    def __init__(self):
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                status, headers, payload = server.routes.get(self.path, (404, {}, b"not found"))
                if callable(payload):
                    payload = payload()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _serve
            do_POST = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server(settings):
    """A local HTTP server on 127.0.0.1, allow-listed for the SSRF guard (only that literal host)."""
    settings.IMAGE_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    server = LocalHTTPServer()
    yield server
    server.close()
