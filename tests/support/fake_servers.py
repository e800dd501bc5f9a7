"""Local servers standing in for network peers, and the fixtures that start them.

A local HTTP server for images and callbacks, the fake Replicate and Stripe APIs, an OpenID
Connect provider (their servers live in ``tests/fakes/``) and moto's S3 in server mode. Each
speaks its peer's protocol over real HTTP, so the real client code runs. Registered from tests/conftest.py through ``pytest_plugins``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from tests.fakes.stripe_server import FakeStripe
from tests.support.images import image_bytes


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


@pytest.fixture
def replicate_server(settings):
    """The fake Replicate API, wired into settings; its output URLs are allow-listed (127.0.0.1)."""
    from tests.fakes.replicate_server import TOKEN, FakeReplicate
    from tests.fakes.replicate_server import WEBHOOK_SECRET as REPLICATE_WEBHOOK_SECRET

    fake = FakeReplicate(output_image=image_bytes("PNG", (40, 30)))
    settings.REPLICATE_API_BASE = fake.base
    settings.REPLICATE_API_TOKEN = TOKEN
    settings.REPLICATE_WEBHOOK_SECRET = REPLICATE_WEBHOOK_SECRET
    settings.REPLICATE_POLL_INTERVAL = 0.1
    settings.IMAGE_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    yield fake
    fake.close()


@pytest.fixture
def oidc_server(settings, monkeypatch):
    """The fake OpenID Connect provider, configured as the site's OIDC provider through the
    same variables and settings code as a deployment (``OIDC_*``)."""
    from photomania.settings.auth import social_providers_from_env
    from tests.fakes.oidc_server import FakeOIDC

    fake = FakeOIDC()
    monkeypatch.setenv("OIDC_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("OIDC_CLIENT_SECRET", fake.client_secret)
    monkeypatch.setenv("OIDC_SERVER_URL", fake.issuer)
    monkeypatch.setenv("OIDC_NAME", "Acme SSO")
    settings.SOCIALACCOUNT_PROVIDERS = social_providers_from_env()
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
            "BACKEND": "effects.storage.ReusedUrlS3Storage",
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


# The fake Stripe: our test keys, the price ids its catalog uses, and signed webhook deliveries.

WEBHOOK_SECRET = "whsec_test_billing_secret"
SECRET_KEY = "sk_test_FakeBillingKey0123456789abcdef"
PRICES = {"STARTER": "price_starter_m", "PRO": "price_pro_m", "ENTERPRISE": "price_ent_m"}
PACK_PRICES = {"pack-50": "price_pack_50", "pack-200": "price_pack_200"}
PACK_AMOUNTS = {"pack-50": 500, "pack-200": 1500}
PLAN_AMOUNTS = {"STARTER": 900, "PRO": 2900, "ENTERPRISE": 9900}
# The API version everything is pinned to, and a current one whose objects are shaped differently.
PINNED_API_VERSION = "2024-06-20"
CURRENT_API_VERSION = "2025-09-30.clover"


@pytest.fixture(scope="session")
def _fake_stripe_server():
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def fake_stripe(_fake_stripe_server, settings, monkeypatch):
    """A clean fake Stripe with our keys configured and the stripe client pointed at it."""
    _fake_stripe_server.reset()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_LIVE_MODE = False
    settings.DEBUG = False
    monkeypatch.setattr(stripe, "api_base", _fake_stripe_server.url)
    from tests.fakes import stripe_objects

    stripe_objects.catalog_prices(_fake_stripe_server)
    return _fake_stripe_server


def sign(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event_payload(
    event_type: str,
    obj: dict,
    *,
    event_id: str | None = None,
    created: int | None = None,
    api_version: str = PINNED_API_VERSION,
) -> dict:
    return {
        "id": event_id or f"evt_{event_type.replace('.', '_')}_{obj['id']}",
        "object": "event",
        "api_version": api_version,
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def deliver(client, event: dict | str, *, signature: str | None = None, path: str = "/api/webhooks/stripe", **headers):
    """POST an event the way Stripe does: exact JSON bytes, signed with the webhook secret."""
    body = event if isinstance(event, str) else json.dumps(event)
    if signature is None:
        signature = sign(body)
    if signature:
        headers["HTTP_STRIPE_SIGNATURE"] = signature
    return client.post(path, data=body, content_type="application/json", **headers)


@pytest.fixture
def sentry_server(settings):
    """The fake Sentry ingest endpoint, its DSN in settings; the SDK's client is closed and removed afterwards."""
    import sentry_sdk

    from tests.fakes.sentry_server import FakeSentry

    fake = FakeSentry()
    settings.SENTRY_DSN = fake.dsn
    yield fake
    sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.get_global_scope().set_client(None)
    fake.close()
