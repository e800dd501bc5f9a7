"""The webhook endpoint accepts only deliveries signed with STRIPE_WEBHOOK_SECRET; failures are retried."""

import json
import time
from datetime import UTC, datetime

import pytest
import time_machine
from djstripe.models import Event, WebhookEndpoint, WebhookEventTrigger

from accounts.models import AuditEvent
from billing.models import CreditTransaction, Plan, PlanCode, PlanPrice
from tests.fakes import stripe_objects as so
from tests.support.fake_servers import WEBHOOK_SECRET, deliver, event_payload, sign
from tests.support.metrics import METRICS_TOKEN, sample_value, scrape

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub_event(user, fake_stripe, catalog):
    customer = so.customer_id_for(user)
    return event_payload(
        "customer.subscription.created", so.subscription(fake_stripe, customer=customer, plan_code="PRO")
    )


def nothing_changed(user) -> bool:
    user.refresh_from_db()
    return user.plan == PlanCode.FREE and not Event.objects.exists() and not WebhookEventTrigger.objects.exists()


def test_a_correctly_signed_delivery_is_accepted(client, user, sub_event):
    response = deliver(client, sub_event)

    user.refresh_from_db()
    assert response.status_code == 200
    assert user.plan == PlanCode.PRO


def test_a_signature_with_the_wrong_secret_is_rejected_with_400(client, user, sub_event):
    body = json.dumps(sub_event)

    response = deliver(client, body, signature=sign(body, secret="whsec_attacker"))

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "INVALID_INPUT", "message": "Invalid signature"}
    assert nothing_changed(user)


def test_a_rejected_signature_is_written_to_the_audit_log(client, user, sub_event):
    body = json.dumps(sub_event)

    deliver(client, body, signature=sign(body, secret="whsec_attacker"))

    audit = AuditEvent.objects.get(event=AuditEvent.Event.WEBHOOK_SIGNATURE_FAILED)
    assert audit.data == {"provider": "stripe", "reason": "Invalid signature"}


def test_a_rejected_signature_is_counted_in_the_metrics(client, settings, user, sub_event):
    settings.HEALTH_TOKEN = METRICS_TOKEN
    body = json.dumps(sub_event)
    before = sample_value(scrape(client), "photomania_webhook_signature_failures_total", provider="stripe")

    deliver(client, body, signature=sign(body, secret="whsec_attacker"))

    after = sample_value(scrape(client), "photomania_webhook_signature_failures_total", provider="stripe")
    assert after - before == 1


def test_a_flood_of_rejected_signatures_writes_one_audit_row(client, user, sub_event):
    body = json.dumps(sub_event)

    # Rows are grouped per minute: the flood starts at the top of a minute, so it falls in one.
    with time_machine.travel(datetime(2026, 12, 7, 12, 0, 1, tzinfo=UTC), tick=True):
        for _ in range(150):
            assert deliver(client, body, signature=sign(body, secret="whsec_attacker")).status_code == 400

    assert AuditEvent.objects.filter(event=AuditEvent.Event.WEBHOOK_SIGNATURE_FAILED).count() == 1


def test_a_tampered_body_is_rejected_with_400(client, user, sub_event):
    body = json.dumps(sub_event)
    signature = sign(body)
    tampered = body.replace('"PRO"', '"ENTERPRISE"').replace("price_pro_m", "price_ent_m")

    response = deliver(client, tampered, signature=signature)

    assert response.status_code == 400
    assert nothing_changed(user)


def test_a_stale_timestamp_is_rejected_with_400(client, user, sub_event):
    body = json.dumps(sub_event)

    response = deliver(client, body, signature=sign(body, timestamp=int(time.time()) - 301))

    assert response.status_code == 400
    assert nothing_changed(user)


def test_a_missing_signature_header_is_rejected_with_400(client, user, sub_event):
    response = deliver(client, sub_event, signature="")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Missing Stripe-Signature header"
    assert nothing_changed(user)


def test_a_signature_header_with_a_rotated_and_a_current_v1_is_accepted(client, user, sub_event):
    body = json.dumps(sub_event)
    current = sign(body)
    old = sign(body, secret="whsec_rotated_out").split(",")[1]

    response = deliver(client, body, signature=f"{current.split(',')[0]},{old},{current.split(',')[1]}")

    assert response.status_code == 200


def test_a_signed_body_that_is_not_json_is_rejected_with_400(client, user, fake_stripe):
    body = "not json at all"

    response = deliver(client, body, signature=sign(body))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_INPUT"


def test_a_signed_json_body_that_is_not_an_event_is_rejected_with_400(client, user, fake_stripe):
    body = json.dumps({"id": "evt_1", "object": "charge"})

    response = deliver(client, body, signature=sign(body))

    assert response.status_code == 400
    assert not WebhookEventTrigger.objects.exists()


def test_without_a_configured_webhook_secret_every_delivery_is_refused(client, user, sub_event, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = json.dumps(sub_event)

    response = deliver(client, body, signature=sign(body, secret=""))

    assert response.status_code == 503
    assert nothing_changed(user)


def test_the_djstripe_debug_secret_header_does_not_bypass_our_endpoint(client, user, sub_event, settings):
    settings.DEBUG = True
    body = json.dumps(sub_event)

    response = deliver(
        client, body, signature=sign(body, secret="whsec_attacker"), HTTP_X_DJSTRIPE_WEBHOOK_SECRET="whsec_attacker"
    )

    assert response.status_code == 400
    assert nothing_changed(user)


@pytest.fixture
def djstripe_endpoint(db):
    return WebhookEndpoint.objects.create(
        id="we_test_djstripe",
        livemode=False,
        api_version="2024-06-20",
        enabled_events=["*"],
        secret=WEBHOOK_SECRET,
        status="enabled",
        url="https://photomania.example/stripe/webhook/",
    )


def test_djstripe_uuid_endpoint_accepts_a_delivery_signed_with_its_secret(client, user, sub_event, djstripe_endpoint):
    response = deliver(client, sub_event, path=f"/stripe/webhook/{djstripe_endpoint.djstripe_uuid}/")

    user.refresh_from_db()
    assert response.status_code == 200
    assert user.plan == PlanCode.PRO


def test_djstripe_debug_secret_header_does_not_bypass_its_endpoint_when_debug_is_off(
    client, user, sub_event, djstripe_endpoint, settings
):
    settings.DEBUG = False
    body = json.dumps(sub_event)

    response = deliver(
        client,
        body,
        signature=sign(body, secret="whsec_attacker"),
        path=f"/stripe/webhook/{djstripe_endpoint.djstripe_uuid}/",
        HTTP_X_DJSTRIPE_WEBHOOK_SECRET="whsec_attacker",
    )

    user.refresh_from_db()
    assert response.status_code == 400
    assert user.plan == PlanCode.FREE
    assert not Event.objects.exists()


def test_an_unknown_event_type_is_acknowledged_and_ignored(client, user, fake_stripe):
    event = event_payload("radar.early_fraud_warning.created", {"id": "issfr_1", "object": "radar.early_fraud_warning"})

    response = deliver(client, event)

    assert response.status_code == 200
    assert response.json()["data"] == {"received": True}
    assert CreditTransaction.objects.filter(user=user).count() == 1


def test_a_handler_error_returns_500_is_recorded_and_a_retry_after_the_fix_succeeds(
    client, user, sub_event, fake_stripe
):
    # A price linked to no plan, by neither the catalog nor its metadata.
    unlinked = fake_stripe.put("prices", fake_stripe.get("prices", "price_pro_m") | {"metadata": {}})
    sub = fake_stripe.get("subscriptions", sub_event["data"]["object"]["id"])
    sub["items"]["data"][0]["price"] = unlinked
    fake_stripe.put("subscriptions", sub)
    Plan.objects.filter(code="PRO").update(stripe_price_id="")
    PlanPrice.objects.filter(stripe_price_id="price_pro_m").delete()
    failed = deliver(client, sub_event)
    trigger = WebhookEventTrigger.objects.get()
    Plan.objects.filter(code="PRO").update(stripe_price_id="price_pro_m")

    retried = deliver(client, sub_event)

    user.refresh_from_db()
    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "INTERNAL_ERROR"
    assert "price_pro_m" in trigger.exception and "Traceback" in trigger.traceback
    assert not trigger.processed
    assert retried.status_code == 200
    assert user.plan == PlanCode.PRO
    assert Event.objects.filter(id=sub_event["id"]).count() == 1


def test_the_webhook_stores_no_cookie_or_authorization_headers(client, user, sub_event):
    client.cookies["sessionid"] = "secret-session"

    deliver(client, sub_event, HTTP_AUTHORIZATION="Bearer leaked")

    assert set(WebhookEventTrigger.objects.get().headers) <= {
        "Stripe-Signature",
        "User-Agent",
        "Content-Type",
        "Content-Length",
    }
