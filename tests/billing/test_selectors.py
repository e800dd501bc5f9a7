"""Billing reads: the billing overview (each plan and pack with its Stripe price and what the user can do
with it), and the staff dashboard's credits over time and revenue by plan and pack."""

from datetime import timedelta

import pytest
from django.utils import timezone
from djstripe.models import Customer, Invoice

from billing.models import CreditPack, CreditPackPurchase, CreditTransaction, Plan, PlanCode, PlanPrice
from billing.selectors import SET_BY_STAFF, OfferState, billing_overview, credits_flow_over_time, revenue_by_product
from billing.services import credits_charge, credits_refund
from tests.fakes import stripe_objects as so
from tests.fakes.stripe_objects import customer_id_for, paid_pack_session
from tests.support.factories import JobFactory, UserFactory
from tests.support.fake_servers import deliver, event_payload

pytestmark = pytest.mark.django_db


def _by_code(offers):
    return {offer.code: offer for offer in offers}


def _subscribe(user, plan: str) -> None:
    customer_id_for(user)
    user.plan = plan
    user.save(update_fields=["plan"])


def test_without_synced_prices_nothing_is_buyable_and_each_says_not_on_sale_yet(user, billing_catalog, fake_stripe):
    overview = billing_overview(user=user)

    offers = [o for o in (*overview.plans, *overview.packs) if o.code != PlanCode.FREE]
    assert offers and all(o.state == OfferState.UNAVAILABLE and o.price is None for o in offers)
    assert {o.reason for o in offers} == {"Not on sale yet"}
    assert overview.payments_enabled and overview.nothing_on_sale


def test_without_stripe_nothing_is_buyable_and_each_says_payments_are_off(user, billing_catalog, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEBUG = False

    overview = billing_overview(user=user)

    offers = [o for o in (*overview.plans, *overview.packs) if o.code != PlanCode.FREE]
    assert not overview.payments_enabled
    assert {(o.state, o.reason) for o in offers} == {(OfferState.UNAVAILABLE, "Payments are off in this installation")}
    assert not overview.demo_prices and all(o.demo_price == "" for o in offers)


def test_in_development_without_stripe_each_offer_carries_its_catalog_price_as_a_demo(user, billing_catalog, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEBUG = True
    Plan.objects.filter(code="PRO").update(price_cents=2900, currency="eur")

    overview = billing_overview(user=user)

    plans, packs = _by_code(overview.plans), _by_code(overview.packs)
    assert overview.demo_prices
    assert plans["PRO"].demo_price == "€29.00" and plans["PRO"].state == OfferState.UNAVAILABLE
    assert packs["pack-50"].demo_price == "$5.00"
    assert plans["FREE"].demo_price == ""  # free costs nothing: it shows "Free", not a price


def test_with_stripe_configured_no_demo_price_is_shown_even_in_development(
    user, billing_catalog, fake_stripe, settings
):
    settings.DEBUG = True

    overview = billing_overview(user=user)

    assert not overview.demo_prices


def test_with_synced_prices_plans_and_packs_are_buyable_at_the_stripe_price(user, catalog):
    overview = billing_overview(user=user)

    plans, packs = _by_code(overview.plans), _by_code(overview.packs)
    assert plans["PRO"].state == OfferState.BUYABLE and plans["PRO"].price.display == "$29.00 / month"
    assert packs["pack-50"].state == OfferState.BUYABLE and packs["pack-50"].price.display == "$5.00"


def test_the_users_plan_is_current_not_buyable(user, catalog):
    plans = _by_code(billing_overview(user=user).plans)

    assert plans["FREE"].state == OfferState.CURRENT


def test_a_subscriber_changes_plans_in_the_portal_not_through_checkout(user, catalog):
    _subscribe(user, PlanCode.PRO)

    overview = billing_overview(user=user)

    plans = _by_code(overview.plans)
    assert overview.is_customer
    assert plans["PRO"].state == OfferState.CURRENT
    assert plans["STARTER"].state == plans["ENTERPRISE"].state == plans["FREE"].state == OfferState.PORTAL


def test_a_paid_plan_without_a_stripe_customer_was_set_by_staff_and_no_plan_can_be_changed(user, catalog):
    user.plan = PlanCode.PRO
    user.save(update_fields=["plan"])

    overview = billing_overview(user=user)

    plans = _by_code(overview.plans)
    assert overview.plan_set_by_staff and not overview.is_customer
    assert plans["PRO"].state == OfferState.CURRENT
    others = [plans["FREE"], plans["STARTER"], plans["ENTERPRISE"]]
    assert {(o.state, o.reason) for o in others} == {(OfferState.UNAVAILABLE, SET_BY_STAFF)}


def test_a_subscriber_did_not_get_their_plan_from_staff(user, catalog):
    _subscribe(user, PlanCode.PRO)

    assert billing_overview(user=user).plan_set_by_staff is False


def test_a_subscriber_can_still_buy_credit_packs(user, catalog):
    _subscribe(user, PlanCode.PRO)

    packs = _by_code(billing_overview(user=user).packs)

    assert packs["pack-200"].state == OfferState.BUYABLE


def test_a_user_who_never_paid_is_not_a_stripe_customer(user, catalog):
    assert billing_overview(user=user).is_customer is False


def test_a_plan_linked_to_a_one_time_price_is_not_on_sale(user, catalog):
    Plan.objects.filter(code="STARTER").update(stripe_price_id="price_pack_50")

    plans = _by_code(billing_overview(user=user).plans)

    assert plans["STARTER"].state == OfferState.UNAVAILABLE and plans["STARTER"].price is None


def test_without_stripe_keys_synced_prices_are_shown_but_cannot_be_bought(user, catalog, settings):
    settings.STRIPE_SECRET_KEY = ""

    packs = _by_code(billing_overview(user=user).packs)

    assert packs["pack-50"].price is not None
    assert packs["pack-50"].state == OfferState.UNAVAILABLE
    assert packs["pack-50"].reason == "Payments are off in this installation"


def test_credits_flow_separates_grants_charges_and_refunds_per_day(billing_catalog):
    user = UserFactory()  # the sign-up grant: 10 credits
    job = JobFactory(user=user, credits_charged=3)
    credits_charge(user=user, amount=3, reference=f"charge:{job.pk}", job=job)
    credits_refund(user=user, amount=3, reference=f"refund:{job.pk}", job=job)
    credits_charge(user=user, amount=2, reference="charge:other")
    now = timezone.now()

    flow = credits_flow_over_time(since=now - timedelta(days=2), until=now, bucket="day")

    assert len(flow["buckets"]) == 3
    assert (sum(flow["granted"]), sum(flow["spent"]), sum(flow["refunded"])) == (10, 5, 3)
    assert flow["granted"][-1] == 10
    assert sum(flow["charges"]) == 2  # charge rows, one per charged job


def test_credits_flow_leaves_out_movements_before_the_period(billing_catalog):
    UserFactory()
    CreditTransaction.objects.update(created_at=timezone.now() - timedelta(days=40))
    now = timezone.now()

    flow = credits_flow_over_time(since=now - timedelta(days=30), until=now, bucket="day")

    assert sum(flow["granted"]) == 0


def _invoice(id_: str, *, price: str, cents: int, status: str = "paid", days_ago: float = 1):
    customer, _ = Customer.objects.get_or_create(id="cus_dash", defaults={"livemode": False, "stripe_data": {}})
    return Invoice.objects.create(
        id=id_,
        customer=customer,
        livemode=False,
        created=timezone.now() - timedelta(days=days_ago),
        stripe_data={
            "status": status,
            "amount_paid": cents if status == "paid" else 0,
            "currency": "usd",
            "lines": {"data": [{"price": {"id": price}, "proration": False}]},
        },
    )


def test_revenue_adds_paid_subscription_invoices_per_plan_and_paid_packs_per_pack(billing_catalog):
    pro = Plan.objects.get(code=PlanCode.PRO)
    PlanPrice.objects.create(stripe_price_id="price_pro_old", plan=pro, interval="month")
    Plan.objects.filter(pk=pro.pk).update(stripe_price_id="price_pro")
    _invoice("in_1", price="price_pro", cents=2900)
    _invoice("in_2", price="price_pro_old", cents=2500)
    _invoice("in_3", price="price_pro", cents=2900, status="open")  # not paid: no revenue
    _invoice("in_4", price="price_pro", cents=2900, days_ago=40)  # before the period
    pack = CreditPack.objects.get(code="pack-50")
    user = UserFactory()
    for i, status in enumerate([CreditPackPurchase.Status.PAID, CreditPackPurchase.Status.PENDING]):
        CreditPackPurchase.objects.create(
            user=user,
            pack=pack,
            credits=50,
            amount_cents=500,
            currency="usd",
            stripe_checkout_session_id=f"cs_{i}",
            status=status,
            paid_at=timezone.now() if status == CreditPackPurchase.Status.PAID else None,
        )
    now = timezone.now()

    rows = revenue_by_product(since=now - timedelta(days=30), until=now)

    assert rows == [
        {"product": "Pro", "kind": "plan", "currency": "usd", "amount_cents": 5400, "payments": 2},
        {"product": "50 credits", "kind": "pack", "currency": "usd", "amount_cents": 500, "payments": 1},
    ]


def test_revenue_of_an_invoice_for_an_unknown_price_counts_as_other_subscription(billing_catalog):
    _invoice("in_x", price="price_unknown", cents=1000)
    now = timezone.now()

    rows = revenue_by_product(since=now - timedelta(days=7), until=now)

    assert rows == [
        {"product": "Other subscription", "kind": "plan", "currency": "usd", "amount_cents": 1000, "payments": 1}
    ]


def _refund(client, fake_stripe, session, *, cents: int) -> None:
    """Stripe refunds ``cents`` of the pack's charge and tells us with charge.refunded."""
    charge = so.charge(
        fake_stripe, customer=session["customer"], payment_intent_id=session["payment_intent"], amount_refunded=cents
    )
    assert deliver(client, event_payload("charge.refunded", charge)).status_code == 200


def test_revenue_of_packs_subtracts_what_was_refunded(client, fake_stripe, catalog):
    kept, halved, refunded = UserFactory(), UserFactory(), UserFactory()
    for user in (kept, halved, refunded):
        session = paid_pack_session(fake_stripe, user)
        assert deliver(client, event_payload("checkout.session.completed", session)).status_code == 200
        if user is halved:
            _refund(client, fake_stripe, session, cents=250)
        if user is refunded:
            _refund(client, fake_stripe, session, cents=500)
    now = timezone.now()

    rows = revenue_by_product(since=now - timedelta(days=1), until=now)

    assert rows == [{"product": "50 credits", "kind": "pack", "currency": "usd", "amount_cents": 750, "payments": 2}]
