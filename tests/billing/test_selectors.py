"""Staff dashboard reads of billing: credits granted, spent and refunded over time; revenue by plan and pack."""

from datetime import timedelta

import pytest
from django.utils import timezone
from djstripe.models import Customer, Invoice

from billing.models import CreditPack, CreditPackPurchase, CreditTransaction, Plan, PlanCode, PlanPrice
from billing.selectors import credits_flow_over_time, revenue_by_product
from billing.services import credits_charge, credits_refund
from tests.support.factories import JobFactory, UserFactory

pytestmark = pytest.mark.django_db


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
