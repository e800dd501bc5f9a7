"""Billing fixtures: the fake Stripe server, Stripe settings, and signed webhook deliveries."""

import hashlib
import hmac
import json
import time

import pytest
import stripe

from billing.models import CreditPack, Plan
from billing.services import plans_ensure_defaults
from tests.fakes.stripe_server import FakeStripe

WEBHOOK_SECRET = "whsec_test_billing_secret"
SECRET_KEY = "sk_test_FakeBillingKey0123456789abcdef"
PRICES = {"STARTER": "price_starter_m", "PRO": "price_pro_m", "ENTERPRISE": "price_ent_m"}
PACK_PRICES = {"pack-50": "price_pack_50", "pack-200": "price_pack_200"}


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
    return _fake_stripe_server


DEFAULT_PACKS = (("pack-50", "50 credits", 50, 500), ("pack-200", "200 credits", 200, 1500))


@pytest.fixture
def billing_catalog(db):
    """The plans and packs the migration creates (a transactional test's flush removes the migration's rows)."""
    plans_ensure_defaults()
    for code, name, credits, price_cents in DEFAULT_PACKS:
        CreditPack.objects.get_or_create(
            code=code, defaults={"name": name, "credits": credits, "price_cents": price_cents}
        )


@pytest.fixture
def catalog(billing_catalog):
    """Plans and packs linked to Stripe price ids (what the catalog sync sets up)."""
    for code, price in PRICES.items():
        Plan.objects.filter(code=code).update(stripe_price_id=price)
    for code, price in PACK_PRICES.items():
        CreditPack.objects.filter(code=code).update(stripe_price_id=price)


def sign(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event_payload(event_type: str, obj: dict, *, event_id: str | None = None, created: int | None = None) -> dict:
    return {
        "id": event_id or f"evt_{event_type.replace('.', '_')}_{obj['id']}",
        "object": "event",
        "api_version": "2024-06-20",
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
