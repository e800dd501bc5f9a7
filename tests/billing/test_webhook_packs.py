"""Credit-pack webhooks: paid sessions grant once (also async and concurrent), refunds claw back."""

import pytest
from django.db.models import Sum
from django.test import Client

from accounts.models import User
from billing.models import CreditPackPurchase, CreditTransaction
from billing.services import credits_charge
from billing.stripe_services import checkout_session_create
from tests.billing import stripe_objects as so
from tests.billing.conftest import deliver, event_payload
from tests.concurrency import run_concurrently

Kind = CreditTransaction.Kind


def paid_pack_session(fake, user, pack_code="pack-50", *, payment_status="paid"):
    """A pack Checkout Session created by our service, then completed at Stripe."""
    session_id = checkout_session_create(user=user, pack_code=pack_code)["sessionId"]
    session = fake.get("checkout/sessions", session_id)
    pi = so.payment_intent(fake, customer=session["customer"], amount=500)
    session |= {"status": "complete", "payment_status": payment_status, "payment_intent": pi["id"]}
    return fake.put("checkout/sessions", session)


def balance(user) -> int:
    user.refresh_from_db()
    return user.credits


@pytest.mark.django_db
def test_completed_paid_pack_session_grants_the_pack_credits(client, user, fake_stripe, catalog):
    session = paid_pack_session(fake_stripe, user)

    response = deliver(client, event_payload("checkout.session.completed", session))

    purchase = CreditPackPurchase.objects.get(stripe_checkout_session_id=session["id"])
    row = CreditTransaction.objects.get(reference=f"pack:{session['id']}")
    assert response.status_code == 200
    assert balance(user) == 60
    assert (row.kind, row.amount) == (Kind.PURCHASE, 50)
    assert (purchase.status, purchase.stripe_payment_intent_id) == (
        CreditPackPurchase.Status.PAID,
        session["payment_intent"],
    )


@pytest.mark.django_db
def test_the_same_event_delivered_twice_grants_once(client, user, fake_stripe, catalog):
    event = event_payload("checkout.session.completed", paid_pack_session(fake_stripe, user))
    deliver(client, event)

    response = deliver(client, event)

    assert response.status_code == 200
    assert balance(user) == 60
    assert CreditTransaction.objects.filter(kind=Kind.PURCHASE).count() == 1


@pytest.mark.django_db
def test_async_payment_grants_only_when_it_succeeds(client, user, fake_stripe, catalog):
    pending = paid_pack_session(fake_stripe, user, payment_status="unpaid")
    deliver(client, event_payload("checkout.session.completed", pending))
    assert balance(user) == 10
    succeeded = fake_stripe.put("checkout/sessions", pending | {"payment_status": "paid"})

    response = deliver(client, event_payload("checkout.session.async_payment_succeeded", succeeded))

    assert response.status_code == 200
    assert balance(user) == 60


@pytest.mark.django_db
def test_completed_and_async_succeeded_for_one_session_grant_once(client, user, fake_stripe, catalog):
    session = paid_pack_session(fake_stripe, user)
    deliver(client, event_payload("checkout.session.completed", session))

    deliver(client, event_payload("checkout.session.async_payment_succeeded", session))

    assert balance(user) == 60


@pytest.mark.django_db
def test_a_completed_subscription_session_grants_no_pack_credits(client, user, fake_stripe, catalog):
    session_id = checkout_session_create(user=user, plan_code="PRO")["sessionId"]
    session = fake_stripe.put(
        "checkout/sessions",
        fake_stripe.get("checkout/sessions", session_id) | {"status": "complete", "payment_status": "paid"},
    )

    response = deliver(client, event_payload("checkout.session.completed", session))

    assert response.status_code == 200
    assert balance(user) == 10
    assert not CreditTransaction.objects.filter(kind=Kind.PURCHASE).exists()


@pytest.mark.django_db
def test_a_full_refund_after_credits_were_spent_takes_back_only_what_is_left(client, user, fake_stripe, catalog):
    session = paid_pack_session(fake_stripe, user)
    deliver(client, event_payload("checkout.session.completed", session))
    credits_charge(user=user, amount=45, reference="charge:spent")
    refunded = so.charge(
        fake_stripe, customer=session["customer"], payment_intent_id=session["payment_intent"], amount_refunded=500
    )

    response = deliver(client, event_payload("charge.refunded", refunded))

    purchase = CreditPackPurchase.objects.get(stripe_checkout_session_id=session["id"])
    row = CreditTransaction.objects.get(kind=Kind.PURCHASE_REVERSAL)
    assert response.status_code == 200
    assert balance(user) == 0
    assert row.amount == -15
    assert purchase.status == CreditPackPurchase.Status.REFUNDED


@pytest.mark.django_db
def test_a_partial_refund_takes_back_the_refunded_share(client, user, fake_stripe, catalog):
    session = paid_pack_session(fake_stripe, user)
    deliver(client, event_payload("checkout.session.completed", session))
    half = so.charge(
        fake_stripe, customer=session["customer"], payment_intent_id=session["payment_intent"], amount_refunded=250
    )

    deliver(client, event_payload("charge.refunded", half))

    assert balance(user) == 35


@pytest.mark.django_db
def test_a_second_partial_refund_takes_back_only_the_new_share(client, user, fake_stripe, catalog):
    session = paid_pack_session(fake_stripe, user)
    deliver(client, event_payload("checkout.session.completed", session))
    ch = so.charge(
        fake_stripe, customer=session["customer"], payment_intent_id=session["payment_intent"], amount_refunded=250
    )
    deliver(client, event_payload("charge.refunded", ch, event_id="evt_refund_1"))
    ch = fake_stripe.put("charges", ch | {"amount_refunded": 500, "refunded": True})

    deliver(client, event_payload("charge.refunded", ch, event_id="evt_refund_2"))

    assert balance(user) == 10
    assert CreditTransaction.objects.filter(kind=Kind.PURCHASE_REVERSAL).count() == 2


@pytest.mark.django_db
def test_a_refunded_subscription_charge_takes_nothing_back(client, user, fake_stripe, catalog):
    customer = so.customer_id_for(user)
    pi = so.payment_intent(fake_stripe, customer=customer, amount=2900)
    ch = so.charge(fake_stripe, customer=customer, payment_intent_id=pi["id"], amount=2900, amount_refunded=2900)

    response = deliver(client, event_payload("charge.refunded", ch))

    assert response.status_code == 200
    assert balance(user) == 10


@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_concurrently_grants_once(user, fake_stripe, catalog):
    event = event_payload("checkout.session.completed", paid_pack_session(fake_stripe, user))
    outcomes = run_concurrently(4, lambda _i: deliver(Client(), event))
    statuses = [getattr(o, "status_code", o) for o in outcomes]

    assert statuses == [200] * 4
    assert balance(user) == 60
    assert CreditTransaction.objects.filter(kind=Kind.PURCHASE).count() == 1


@pytest.mark.django_db
def test_balances_equal_ledger_sums_after_purchase_refill_and_refund(client, user, fake_stripe, catalog):
    session = paid_pack_session(fake_stripe, user, "pack-200")
    deliver(client, event_payload("checkout.session.completed", session))
    invoice = so.invoice(fake_stripe, customer=session["customer"], plan_code="STARTER")
    deliver(client, event_payload("invoice.paid", invoice))
    refund = so.charge(
        fake_stripe, customer=session["customer"], payment_intent_id=session["payment_intent"], amount_refunded=500
    )

    deliver(client, event_payload("charge.refunded", refund))

    for account in User.objects.all():
        assert account.credits == (
            CreditTransaction.objects.filter(user=account).aggregate(total=Sum("amount"))["total"] or 0
        )
    assert balance(user) == 0
