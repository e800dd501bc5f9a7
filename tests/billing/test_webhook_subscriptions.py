"""Subscription and invoice webhooks: plans follow the newest event, invoices refill once."""

import pytest
from djstripe.models import Event, Subscription

from billing.models import CreditTransaction, PlanCode
from tests.billing import stripe_objects as so
from tests.billing.conftest import deliver, event_payload

pytestmark = pytest.mark.django_db
Kind = CreditTransaction.Kind


@pytest.fixture
def customer(user, fake_stripe, catalog):
    return so.customer_id_for(user)


def plan_of(user) -> str:
    user.refresh_from_db()
    return user.plan


def test_subscription_created_sets_the_plan_of_its_price_and_syncs_djstripe(client, user, customer, fake_stripe):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="PRO")

    response = deliver(client, event_payload("customer.subscription.created", sub))

    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"received": True}}
    assert plan_of(user) == PlanCode.PRO
    assert Subscription.objects.get(id=sub["id"]).customer.subscriber == user


def test_subscription_updated_to_another_price_changes_the_plan(client, user, customer, fake_stripe):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="STARTER")
    deliver(client, event_payload("customer.subscription.created", sub, created=1_000))
    sub = so.subscription(fake_stripe, customer=customer, plan_code="ENTERPRISE", sub_id=sub["id"])

    deliver(client, event_payload("customer.subscription.updated", sub, created=2_000))

    assert plan_of(user) == PlanCode.ENTERPRISE


@pytest.mark.parametrize("status", ["unpaid", "canceled", "incomplete_expired"])
def test_subscription_updated_to_an_ended_status_means_free(client, user, customer, fake_stripe, status):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="PRO")
    deliver(client, event_payload("customer.subscription.created", sub, created=1_000))
    sub = so.subscription(fake_stripe, customer=customer, plan_code="PRO", sub_id=sub["id"], status=status)

    deliver(client, event_payload("customer.subscription.updated", sub, created=2_000))

    assert plan_of(user) == PlanCode.FREE


def test_subscription_deleted_means_free(client, user, customer, fake_stripe):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="PRO")
    deliver(client, event_payload("customer.subscription.created", sub, created=1_000))
    sub = so.subscription(fake_stripe, customer=customer, plan_code="PRO", sub_id=sub["id"], status="canceled")

    response = deliver(client, event_payload("customer.subscription.deleted", sub, created=2_000))

    assert response.status_code == 200
    assert plan_of(user) == PlanCode.FREE


def test_an_older_subscription_event_arriving_late_does_not_overwrite_the_newer_state(
    client, user, customer, fake_stripe
):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="PRO")
    canceled = so.subscription(fake_stripe, customer=customer, plan_code="PRO", sub_id=sub["id"], status="canceled")
    deliver(client, event_payload("customer.subscription.deleted", canceled, created=2_000))

    response = deliver(
        client, event_payload("customer.subscription.updated", sub | {"status": "active"}, created=1_000)
    )

    assert response.status_code == 200
    assert plan_of(user) == PlanCode.FREE


def test_an_upgrade_event_arriving_before_the_create_event_keeps_the_upgrade(client, user, customer, fake_stripe):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="STARTER")
    created = event_payload("customer.subscription.created", sub, created=1_000)
    upgraded = so.subscription(fake_stripe, customer=customer, plan_code="PRO", sub_id=sub["id"])
    deliver(client, event_payload("customer.subscription.updated", upgraded, created=2_000))

    deliver(client, created)

    assert plan_of(user) == PlanCode.PRO


def test_an_old_subscription_ending_does_not_cancel_the_current_one(client, user, customer, fake_stripe):
    old = so.subscription(fake_stripe, customer=customer, plan_code="STARTER")
    deliver(client, event_payload("customer.subscription.created", old, created=1_000))
    new = so.subscription(fake_stripe, customer=customer, plan_code="PRO")
    deliver(client, event_payload("customer.subscription.created", new, created=2_000))
    old = so.subscription(fake_stripe, customer=customer, plan_code="STARTER", sub_id=old["id"], status="canceled")

    deliver(client, event_payload("customer.subscription.deleted", old, created=3_000))

    assert plan_of(user) == PlanCode.PRO


def test_a_subscription_on_an_unlinked_price_fails_with_5xx_and_changes_nothing(client, user, customer, fake_stripe):
    sub = so.subscription(fake_stripe, customer=customer, plan_code="PRO")
    sub["items"]["data"][0]["price"] = so.price(fake_stripe, "price_not_linked")
    fake_stripe.put("subscriptions", sub)

    response = deliver(client, event_payload("customer.subscription.created", sub))

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "INTERNAL_ERROR"
    assert plan_of(user) == PlanCode.FREE
    assert not Event.objects.exists()


def test_invoice_paid_for_a_cycle_resets_credits_to_the_plan_quota(client, user, customer, fake_stripe):
    inv = so.invoice(fake_stripe, customer=customer, plan_code="PRO", billing_reason="subscription_cycle")
    before = user.credits_refilled_at

    response = deliver(client, event_payload("invoice.paid", inv))

    user.refresh_from_db()
    row = CreditTransaction.objects.get(reference=f"refill:{inv['id']}")
    assert response.status_code == 200
    assert (user.credits, row.kind, row.amount) == (500, Kind.PLAN_REFILL, 490)
    assert user.credits_refilled_at > before


def test_invoice_payment_succeeded_for_a_new_subscription_refills(client, user, customer, fake_stripe):
    inv = so.invoice(fake_stripe, customer=customer, plan_code="STARTER", billing_reason="subscription_create")

    deliver(client, event_payload("invoice.payment_succeeded", inv))

    user.refresh_from_db()
    assert user.credits == 100


def test_invoice_paid_and_payment_succeeded_for_one_invoice_refill_once(client, user, customer, fake_stripe):
    inv = so.invoice(fake_stripe, customer=customer, plan_code="STARTER")
    deliver(client, event_payload("invoice.paid", inv))
    user.refresh_from_db()
    from billing.services import credits_charge

    credits_charge(user=user, amount=30, reference="charge:spent-between")

    deliver(client, event_payload("invoice.payment_succeeded", inv))

    user.refresh_from_db()
    assert user.credits == 70
    assert CreditTransaction.objects.filter(user=user, kind=Kind.PLAN_REFILL).count() == 1


def test_invoice_paid_for_a_proration_does_not_refill(client, user, customer, fake_stripe):
    inv = so.invoice(fake_stripe, customer=customer, plan_code="PRO", billing_reason="subscription_update")

    deliver(client, event_payload("invoice.paid", inv))

    user.refresh_from_db()
    assert user.credits == 10
    assert not CreditTransaction.objects.filter(kind=Kind.PLAN_REFILL).exists()


def test_invoice_payment_failed_flags_the_user_past_due(client, user, customer, fake_stripe):
    inv = so.invoice(fake_stripe, customer=customer, plan_code="PRO", status="open")

    response = deliver(client, event_payload("invoice.payment_failed", inv))

    user.refresh_from_db()
    assert response.status_code == 200
    assert user.is_past_due is True


def test_a_late_payment_failed_event_for_an_invoice_stripe_shows_paid_does_not_flag(
    client, user, customer, fake_stripe
):
    inv = so.invoice(fake_stripe, customer=customer, plan_code="PRO", status="paid")

    deliver(client, event_payload("invoice.payment_failed", inv | {"status": "open", "paid": False}))

    user.refresh_from_db()
    assert user.is_past_due is False


def test_a_paid_invoice_clears_past_due(client, user, customer, fake_stripe):
    failed = so.invoice(fake_stripe, customer=customer, plan_code="PRO", status="open")
    deliver(client, event_payload("invoice.payment_failed", failed))
    paid = so.invoice(fake_stripe, customer=customer, plan_code="PRO")

    deliver(client, event_payload("invoice.paid", paid))

    user.refresh_from_db()
    assert user.is_past_due is False
