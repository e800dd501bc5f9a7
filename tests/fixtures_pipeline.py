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


def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.05, message: str = "condition"):
    """Poll ``predicate`` until it returns a truthy value (returned) or fail after ``timeout``."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def _broker_purge():
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
    _broker_purge()
    with start_worker(app, pool="solo", perform_ping_check=False, queues=["priority", "default"]) as worker:
        yield worker
    _broker_purge()
    # The worker thread's connection would otherwise block the test database's flush/teardown.
    connections.close_all()


@pytest.fixture
def replicate_server(settings):
    """The fake Replicate API, wired into settings; its output URLs are allow-listed (127.0.0.1)."""
    from tests.fakes.replicate_server import TOKEN, WEBHOOK_SECRET, FakeReplicate

    fake = FakeReplicate(output_image=image_bytes("PNG", (40, 30)))
    settings.REPLICATE_API_BASE = fake.base
    settings.REPLICATE_API_TOKEN = TOKEN
    settings.REPLICATE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.REPLICATE_POLL_INTERVAL = 0.1
    settings.IMAGE_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 in server mode over real HTTP, with a bucket; yields its endpoint URL."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    ).create_bucket(Bucket="photomania-test")
    yield endpoint
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings):
    """Django's default storage switched to S3Storage against moto, configured as for R2."""
    from django.core.files.storage import storages

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "photomania-test",
                "endpoint_url": s3_server,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "auto",
                "signature_version": "s3v4",
                "addressing_style": "path",
                "querystring_auth": True,
                "querystring_expire": 60,
                "default_acl": None,
                "file_overwrite": True,
            },
        },
    }
    storages._storages.pop("default", None)
    yield storages["default"]
    storages._storages.pop("default", None)
