"""Billing against Stripe's object shapes in the pinned (2024-06-20) and a current API version.

Every case goes through the real webhook endpoint, real signatures and dj-stripe's re-fetch from
the fake Stripe server: the plan comes from the subscription's current price or the invoice's
non-proration line, metadata is read where each version puts it, archived prices keep mapping,
events that can never succeed are acknowledged and recorded, purchased credits survive renewals.
"""

import pytest
from django.db.models import Sum

from accounts.models import AuditEvent, User
from billing.models import CreditTransaction, Plan, PlanCode, UnprocessableStripeEvent
from billing.services import credits_charge, credits_grant
from billing.stripe_services import checkout_session_create
from tests.fakes import stripe_objects as so
from tests.support.concurrency import run_concurrently
from tests.support.fake_servers import CURRENT_API_VERSION, PINNED_API_VERSION, deliver, event_payload

pytestmark = pytest.mark.django_db
Kind = CreditTransaction.Kind
VERSIONS = pytest.mark.parametrize("api_version", [PINNED_API_VERSION, CURRENT_API_VERSION])


@pytest.fixture
def customer(user, fake_stripe, catalog):
    return so.customer_id_for(user)


def fresh(user):
    user.refresh_from_db()
    return user


def assert_buckets_match_ledger(user):
    sums = CreditTransaction.objects.filter(user=user).aggregate(total=Sum("amount"), bought=Sum("purchased_amount"))
    user = fresh(user)
    assert user.credits == (sums["total"] or 0)
    assert user.purchased_credits == (sums["bought"] or 0)


@VERSIONS
def test_a_renewal_after_an_upgrade_refills_the_non_proration_lines_plan(
    client, user, customer, fake_stripe, api_version
):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="ENTERPRISE", api_version=api_version)
    inv = so.invoice(
        fake_stripe,
        customer=customer,
        plan_code="ENTERPRISE",
        subscription_id=sub["id"],
        api_version=api_version,
        prorations=(("PRO", -1450), ("ENTERPRISE", 4950)),
    )

    response = deliver(client, event_payload("invoice.paid", inv, api_version=api_version))

    assert response.status_code == 200
    assert fresh(user).credits == 2500


@VERSIONS
def test_the_subscription_plan_comes_from_the_item_with_a_plan_price_not_the_first_item(
    client, user, customer, fake_stripe, api_version
):
    addon = {
        "id": "si_addon",
        "object": "subscription_item",
        "price": so.price(fake_stripe, "price_addon"),
        "quantity": 1,
    }
    sub = so.subscription(
        fake_stripe, customer=customer, plan_code="PRO", api_version=api_version, extra_items=(addon,)
    )

    response = deliver(client, event_payload("customer.subscription.created", sub, api_version=api_version))

    assert response.status_code == 200
    assert fresh(user).plan == PlanCode.PRO


@VERSIONS
def test_invoice_metadata_finds_a_customer_created_outside_the_app(client, user, fake_stripe, catalog, api_version):
    outside = fake_stripe.put("customers", {"email": user.email, "invoice_settings": {}})
    inv = so.invoice(
        fake_stripe,
        customer=outside["id"],
        plan_code="PRO",
        api_version=api_version,
        metadata={"user_id": str(user.pk)},
    )

    response = deliver(client, event_payload("invoice.paid", inv, api_version=api_version))

    assert response.status_code == 200
    assert fresh(user).credits == 500


@VERSIONS
def test_a_subscriber_on_an_archived_price_keeps_the_plan_after_a_price_change(
    client, user, customer, fake_stripe, api_version
):
    fake_stripe.put("prices", fake_stripe.get("prices", "price_pro_m") | {"active": False})
    so.price(fake_stripe, "price_pro_new", unit_amount=3900, metadata={"plan": "PRO"})
    Plan.objects.filter(code=PlanCode.PRO).update(stripe_price_id="price_pro_new")
    sub = so.subscription(fake_stripe, customer=customer, plan_code="PRO", api_version=api_version)
    inv = so.invoice(
        fake_stripe, customer=customer, plan_code="PRO", subscription_id=sub["id"], api_version=api_version
    )

    updated = deliver(client, event_payload("customer.subscription.updated", sub, api_version=api_version))
    renewed = deliver(client, event_payload("invoice.paid", inv, api_version=api_version))

    assert (updated.status_code, renewed.status_code) == (200, 200)
    assert (fresh(user).plan, user.credits) == (PlanCode.PRO, 500)


@VERSIONS
def test_an_event_for_an_unknown_customer_is_acknowledged_recorded_and_audited(
    client, user, fake_stripe, catalog, api_version
):
    stranger = fake_stripe.put("customers", {"email": "nobody@example.com", "invoice_settings": {}})
    sub = so.subscription(fake_stripe, customer=stranger["id"], plan_code="PRO", api_version=api_version)
    event = event_payload("customer.subscription.created", sub, api_version=api_version)

    first = deliver(client, event)
    second = deliver(client, event)

    record = UnprocessableStripeEvent.objects.get(event_id=event["id"])
    assert (first.status_code, second.status_code) == (200, 200)
    assert "no user" in record.reason
    assert record.deliveries == 2
    assert AuditEvent.objects.filter(event=AuditEvent.Event.WEBHOOK_EVENT_UNPROCESSABLE).count() == 2
    assert fresh(user).plan == PlanCode.FREE


@VERSIONS
def test_a_subscription_stripe_does_not_know_changes_no_plan(client, user, customer, fake_stripe, api_version):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="ENTERPRISE", api_version=api_version)
    fake_stripe.objects["subscriptions"].pop(sub["id"])

    response = deliver(client, event_payload("customer.subscription.updated", sub, api_version=api_version))

    assert response.status_code == 200
    assert fresh(user).plan == PlanCode.FREE
    assert UnprocessableStripeEvent.objects.filter(object_id=sub["id"]).exists()


def test_the_fake_stripe_answers_404_for_unknown_objects(fake_stripe):
    import stripe

    with pytest.raises(stripe.InvalidRequestError) as info:
        stripe.Subscription.retrieve("sub_unknown", api_key="sk_test_x")

    assert info.value.http_status == 404


@VERSIONS
def test_purchased_credits_survive_a_renewal(client, user, customer, fake_stripe, api_version):
    credits_grant(user=user, amount=50, kind=Kind.PURCHASE, reference="pack:bought")
    inv = so.invoice(fake_stripe, customer=customer, plan_code="ENTERPRISE", api_version=api_version)

    deliver(client, event_payload("invoice.paid", inv, api_version=api_version))

    user = fresh(user)
    assert (user.credits, user.plan_credits, user.purchased_credits) == (2550, 2500, 50)
    assert_buckets_match_ledger(user)


def test_charges_spend_plan_credits_before_purchased_ones(user, billing_catalog):
    credits_grant(user=user, amount=50, kind=Kind.PURCHASE, reference="pack:bought")

    row = credits_charge(user=user, amount=15, reference="charge:big")

    user = fresh(user)
    assert (row.plan_amount, row.purchased_amount, row.bucket) == (-10, -5, CreditTransaction.Bucket.BOTH)
    assert (user.plan_credits, user.purchased_credits) == (0, 45)


@VERSIONS
def test_an_upgrade_grants_the_quota_difference_once_and_a_downgrade_waits_for_renewal(
    client, user, customer, fake_stripe, api_version
):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="STARTER", api_version=api_version)
    deliver(client, event_payload("customer.subscription.created", sub, created=1_000, api_version=api_version))
    deliver(client, event_payload("invoice.paid", so.invoice(fake_stripe, customer=customer, plan_code="STARTER")))
    sub = so.subscription(
        fake_stripe, customer=customer, plan_code="PRO", sub_id=sub["id"], api_version=api_version
    ) | {"current_period_start": sub.get("current_period_start")}
    upgraded = event_payload("customer.subscription.updated", sub, created=2_000, api_version=api_version)

    deliver(client, upgraded)
    deliver(client, upgraded | {"id": "evt_replayed_upgrade"})
    assert fresh(user).credits == 500  # 100 + (500 - 100), once

    so.subscription(fake_stripe, customer=customer, plan_code="STARTER", sub_id=sub["id"], api_version=api_version)
    downgraded = event_payload(
        "customer.subscription.updated", sub, created=3_000, event_id="evt_downgrade", api_version=api_version
    )
    deliver(client, downgraded)
    assert (fresh(user).plan, user.credits) == (PlanCode.STARTER, 500)


def test_a_session_we_never_created_with_credits_metadata_grants_nothing(client, user, customer, fake_stripe):
    session = fake_stripe.put(
        "checkout/sessions",
        {
            "customer": customer,
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "amount_total": 100,
            "currency": "usd",
            "payment_intent": None,
            "metadata": {"user_id": str(user.pk), "pack": "pack-50", "credits": "100000"},
            "line_items": {"object": "list", "data": [{"id": "li_1", "price": so.pack_price(fake_stripe, "pack-50")}]},
        },
    )

    response = deliver(client, event_payload("checkout.session.completed", session))

    assert response.status_code == 200
    assert fresh(user).credits == 10
    assert "paid 100 usd" in UnprocessableStripeEvent.objects.get().reason


def test_a_session_we_created_grants_only_when_the_pack_price_was_paid(client, user, customer, fake_stripe):
    session_id = checkout_session_create(user=user, pack_code="pack-50")["sessionId"]
    session = fake_stripe.get("checkout/sessions", session_id)
    fake_stripe.put("checkout/sessions", session | {"status": "complete", "payment_status": "paid", "amount_total": 1})

    response = deliver(client, event_payload("checkout.session.completed", session))

    assert response.status_code == 200
    assert fresh(user).credits == 10


@pytest.mark.django_db(transaction=True)
def test_each_bucket_equals_its_ledger_rows_under_concurrent_writes(user, billing_catalog):
    credits_grant(user=user, amount=40, kind=Kind.PURCHASE, reference="pack:start")

    def work(i):
        if i % 3 == 0:
            return credits_grant(user=user, amount=5, kind=Kind.PURCHASE, reference=f"pack:{i}")
        return credits_charge(user=user, amount=3, reference=f"charge:{i}")

    run_concurrently(12, work)

    assert_buckets_match_ledger(user)
    assert User.objects.get(pk=user.pk).credits == 10 + 40 + 4 * 5 - 8 * 3


def test_catalog_sync_and_webhooks_call_stripe_with_the_pinned_api_version(fake_stripe, catalog, settings):
    from billing.stripe_services import stripe_catalog_sync

    stripe_catalog_sync()

    versions = {r["stripe_version"] for r in fake_stripe.requests}
    assert versions == {settings.STRIPE_API_VERSION}
