"""Stripe-facing services against the fake Stripe server.

Checkout sessions for pages and one Stripe customer per user; the catalog sync
(`manage.py stripe_sync_catalog`): Stripe products/prices into dj-stripe, price ids linked by metadata.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from djstripe.models import Customer, Price, Product

from billing.models import CreditPack, CreditPackPurchase, Plan
from billing.stripe_services import checkout_session_create
from core.errors import ApplicationError, ErrorCode
from tests.fakes import stripe_objects as so
from tests.support.concurrency import run_concurrently
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_catalog(fake_stripe, billing_catalog):
    fake_stripe.objects["prices"].clear()  # an account holding exactly these prices
    so.product(fake_stripe, id="prod_photomania", name="PhotoMania")
    so.price(fake_stripe, "price_live_pro_m", unit_amount=2900, metadata={"plan": "PRO"})
    so.price(fake_stripe, "price_live_pro_y", unit_amount=29000, recurring="year", metadata={"plan": "PRO"})
    so.price(fake_stripe, "price_live_pack_50", unit_amount=500, recurring=None, metadata={"pack": "pack-50"})
    so.price(fake_stripe, "price_old_starter", active=False, metadata={"plan": "STARTER"})
    so.price(fake_stripe, "price_unrelated", metadata={})
    return fake_stripe


def test_sync_stores_products_and_prices_in_djstripe(stripe_catalog):
    call_command("stripe_sync_catalog", stdout=StringIO())

    assert Product.objects.filter(id="prod_photomania").exists()
    assert Price.objects.count() == 5


def test_sync_links_monthly_and_yearly_plan_prices_by_metadata(stripe_catalog):
    call_command("stripe_sync_catalog", stdout=StringIO())

    pro = Plan.objects.get(code="PRO")
    assert (pro.stripe_price_id, pro.stripe_price_id_yearly) == ("price_live_pro_m", "price_live_pro_y")


def test_sync_links_one_time_pack_prices_by_metadata(stripe_catalog):
    out = StringIO()

    call_command("stripe_sync_catalog", stdout=out)

    assert CreditPack.objects.get(code="pack-50").stripe_price_id == "price_live_pack_50"
    assert "linked pack pack-50 stripe_price_id=price_live_pack_50" in out.getvalue()


def test_sync_does_not_link_inactive_prices(stripe_catalog):
    call_command("stripe_sync_catalog", stdout=StringIO())

    assert Plan.objects.get(code="STARTER").stripe_price_id == ""


def test_sync_keeps_archived_plan_prices_in_the_price_map(stripe_catalog):
    from billing.models import PlanPrice

    call_command("stripe_sync_catalog", stdout=StringIO())

    archived = PlanPrice.objects.get(stripe_price_id="price_old_starter")
    assert (archived.plan.code, archived.active) == ("STARTER", False)
    assert set(PlanPrice.objects.filter(plan__code="PRO").values_list("stripe_price_id", flat=True)) == {
        "price_live_pro_m",
        "price_live_pro_y",
    }


def test_sync_without_stripe_configured_fails_with_a_clear_error(fake_stripe, settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(CommandError, match="not available"):
        call_command("stripe_sync_catalog", stdout=StringIO())


def test_checkout_service_returns_url_and_session_id_for_pages(user, fake_stripe, catalog):
    session = checkout_session_create(user=user, pack_code="pack-50")

    assert set(session) == {"url", "sessionId"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_checkouts_create_one_stripe_customer(fake_stripe, catalog):
    user = UserFactory()
    outcomes = run_concurrently(3, lambda _i: checkout_session_create(user=user, pack_code="pack-50"))
    errors = [o for o in outcomes if isinstance(o, Exception)]

    assert errors == []
    assert Customer.objects.filter(subscriber=user).count() == 1
    assert len(fake_stripe.calls("POST", "/v1/customers")) == 1
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 3


def test_sync_sets_the_display_price_and_currency_from_the_stripe_price(fake_stripe, billing_catalog):
    fake_stripe.objects["prices"].clear()
    so.price(fake_stripe, "price_eur_pro_m", unit_amount=2500, currency="eur", metadata={"plan": "PRO"})
    so.price(
        fake_stripe, "price_eur_pack_50", unit_amount=450, currency="eur", recurring=None, metadata={"pack": "pack-50"}
    )

    call_command("stripe_sync_catalog", stdout=StringIO())

    assert Plan.objects.values_list("price_cents", "currency").get(code="PRO") == (2500, "eur")
    assert CreditPack.objects.values_list("price_cents", "currency").get(code="pack-50") == (450, "eur")


def test_checkout_of_a_plan_whose_stripe_price_was_archived_is_refused_before_calling_stripe(
    user, fake_stripe, catalog
):
    Price.objects.filter(id="price_pro_m").update(active=False)

    with pytest.raises(ApplicationError) as refused:
        checkout_session_create(user=user, plan_code="PRO")

    assert refused.value.code == ErrorCode.SERVICE_UNAVAILABLE
    assert refused.value.message == "The Pro plan is not on sale yet"
    assert not fake_stripe.calls("POST", "/v1/checkout/sessions")


def test_checkout_of_a_pack_linked_to_a_price_never_synced_is_refused(user, fake_stripe, billing_catalog):
    CreditPack.objects.filter(code="pack-50").update(stripe_price_id="price_pack_50")

    with pytest.raises(ApplicationError) as refused:
        checkout_session_create(user=user, pack_code="pack-50")

    assert refused.value.message == "50 credits is not on sale yet"
    assert not fake_stripe.calls("POST", "/v1/checkout/sessions")


def test_a_pack_purchase_records_the_amount_of_the_stripe_price_it_is_sold_at(user, fake_stripe, catalog):
    CreditPack.objects.filter(code="pack-50").update(price_cents=1, currency="gbp")  # a stale display price

    checkout_session_create(user=user, pack_code="pack-50")

    purchase = CreditPackPurchase.objects.get(user=user)
    assert (purchase.amount_cents, purchase.currency) == (so.PACK_AMOUNTS["pack-50"], "usd")
