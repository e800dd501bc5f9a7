"""What each Stripe event does, delivered through the webhook.

Credit packs: paid sessions grant once (also async and concurrent), refunds claw back.
Subscriptions: the plan follows the newest event, invoices refill once, failed payments flag past due.
"""

import pytest
from django.db.models import Sum
from django.test import Client
from djstripe.models import Event, Subscription
from rest_framework.test import APIClient

from accounts.models import User
from billing.models import CreditPackPurchase, CreditTransaction, PlanCode
from billing.services import credits_charge
from billing.stripe_services import checkout_session_create
from effects.models import JobStatus
from tests.fakes import stripe_objects as so
from tests.fakes.stripe_objects import paid_pack_session
from tests.support.api import PUBLIC_IMAGE_URL, session_token_for
from tests.support.concurrency import run_concurrently
from tests.support.factories import EffectFactory, JobFactory
from tests.support.fake_servers import deliver, event_payload

pytestmark = pytest.mark.django_db

Kind = CreditTransaction.Kind


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
        sums = CreditTransaction.objects.filter(user=account).aggregate(
            total=Sum("amount"), purchased=Sum("purchased_amount")
        )
        assert account.credits == (sums["total"] or 0)
        assert account.purchased_credits == (sums["purchased"] or 0)
    # The refill reset the plan credits to STARTER's 100; the refund took back the pack's 200.
    assert balance(user) == 100


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


# --- A refunded pack whose credits were spent: the rest is owed ------------------------------------


def debt_of(user) -> int:
    user.refresh_from_db()
    return user.credit_debt


def bought_and_spent(client, user, fake_stripe, *, spend: int = 60) -> dict:
    """A paid 50-credit pack (10 sign-up credits + 50 = 60), ``spend`` of them charged; returns the session."""
    session = paid_pack_session(fake_stripe, user)
    deliver(client, event_payload("checkout.session.completed", session))
    credits_charge(user=user, amount=spend, reference="charge:spent")
    return session


def refund_event(fake_stripe, session: dict, cents: int, *, charge: dict | None = None, event_id: str | None = None):
    """charge.refunded for the pack's charge, ``cents`` of its 500 refunded so far (the same charge when given)."""
    if charge is None:
        charge = so.charge(
            fake_stripe,
            customer=session["customer"],
            payment_intent_id=session["payment_intent"],
            amount_refunded=cents,
        )
    else:
        charge = fake_stripe.put("charges", charge | {"amount_refunded": cents, "refunded": cents >= 500})
    return charge, event_payload("charge.refunded", charge, event_id=event_id)


def test_a_full_refund_of_a_spent_pack_records_what_was_spent_as_debt(client, user, fake_stripe, catalog):
    session = bought_and_spent(client, user, fake_stripe)
    _charge, event = refund_event(fake_stripe, session, 500)

    response = deliver(client, event)

    row = CreditTransaction.objects.get(kind=Kind.PURCHASE_REVERSAL)
    purchase = CreditPackPurchase.objects.get(stripe_checkout_session_id=session["id"])
    assert response.status_code == 200
    assert (row.amount, row.debt_amount) == (0, 50)
    assert (balance(user), debt_of(user)) == (0, 50)
    assert (purchase.status, purchase.credits_revoked) == (CreditPackPurchase.Status.REFUNDED, 50)


def test_a_second_partial_refund_of_a_spent_pack_owes_only_the_new_share(client, user, fake_stripe, catalog):
    session = bought_and_spent(client, user, fake_stripe, spend=40)  # 20 purchased credits left
    charge, first = refund_event(fake_stripe, session, 250, event_id="evt_refund_1")
    deliver(client, first)
    assert (balance(user), debt_of(user)) == (0, 5)  # 25 owed: 20 taken back, 5 spent
    _charge, second = refund_event(fake_stripe, session, 500, charge=charge, event_id="evt_refund_2")

    deliver(client, second)

    rows = CreditTransaction.objects.filter(kind=Kind.PURCHASE_REVERSAL).order_by("id")
    assert [(r.amount, r.debt_amount) for r in rows] == [(-20, 5), (0, 25)]
    assert (balance(user), debt_of(user)) == (0, 30)
    assert CreditPackPurchase.objects.get(stripe_checkout_session_id=session["id"]).credits_revoked == 50


def test_a_refunded_pack_whose_credits_sit_in_queued_jobs_cannot_be_won_back_by_deleting_them(
    client, user, user_client, fake_stripe, catalog
):
    # Buy a 50-credit pack, spend all 60 credits on 20 queued 3-credit jobs, refund the pack at Stripe.
    effect = EffectFactory(slug="triple", credits=3)
    session = paid_pack_session(fake_stripe, user)
    deliver(client, event_payload("checkout.session.completed", session))
    job_ids = []
    for _ in range(20):
        applied = user_client.post("/api/effects/apply", {"effectId": effect.slug, "imageUrl": PUBLIC_IMAGE_URL})
        assert applied.status_code == 200, applied.json()
        job_ids.append(applied.json()["data"]["jobId"])
    assert balance(user) == 0
    _charge, refunded = refund_event(fake_stripe, session, 500)
    assert deliver(client, refunded).status_code == 200
    assert (balance(user), debt_of(user)) == (0, 50)

    for job_id in job_ids:
        assert user_client.delete(f"/api/jobs/{job_id}").status_code == 200

    # 60 credits refunded for the cancelled jobs: 50 pay for the refunded pack, 10 (the sign-up credits) stay.
    assert (balance(user), debt_of(user)) == (10, 0)
    assert CreditTransaction.objects.filter(user=user, kind=Kind.DEBT_REPAYMENT).aggregate(s=Sum("amount"))["s"] == -50
    sums = CreditTransaction.objects.filter(user=user).aggregate(
        total=Sum("amount"), purchased=Sum("purchased_amount"), debt=Sum("debt_amount")
    )
    user.refresh_from_db()
    assert (user.credits, user.purchased_credits, user.credit_debt) == (sums["total"], sums["purchased"], sums["debt"])


@pytest.mark.django_db(transaction=True)
def test_the_same_refund_delivered_twice_at_once_is_owed_once(user, fake_stripe, catalog):
    session = bought_and_spent(Client(), user, fake_stripe)
    charge, first = refund_event(fake_stripe, session, 500, event_id="evt_refund_a")
    second = event_payload("charge.refunded", charge, event_id="evt_refund_b")
    events = [first, second]

    outcomes = run_concurrently(2, lambda i: deliver(Client(), events[i]))

    assert [getattr(o, "status_code", o) for o in outcomes] == [200, 200]
    assert (balance(user), debt_of(user)) == (0, 50)
    assert CreditTransaction.objects.filter(kind=Kind.PURCHASE_REVERSAL).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refund_racing_the_deletion_of_queued_jobs_leaves_no_credits_from_the_pack(user, fake_stripe, catalog):
    effect = EffectFactory(slug="triple", credits=3)
    session = paid_pack_session(fake_stripe, user)
    deliver(Client(), event_payload("checkout.session.completed", session))
    jobs = [JobFactory(user=user, effect=effect, status=JobStatus.PENDING, credits_charged=3) for _ in range(20)]
    for job in jobs:
        credits_charge(user=user, amount=3, reference=f"charge:{job.pk}", job=job)
    _charge, refunded = refund_event(fake_stripe, session, 500)
    token = session_token_for(user)
    calls = [lambda: deliver(Client(), refunded)]
    calls += [lambda j=job: APIClient(HTTP_X_SESSION_TOKEN=token).delete(f"/api/jobs/{j.pk}") for job in jobs]

    outcomes = run_concurrently(len(calls), lambda i: calls[i]())

    assert [getattr(o, "status_code", o) for o in outcomes] == [200] * len(calls)
    assert (balance(user), debt_of(user)) == (10, 0)
