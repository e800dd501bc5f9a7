"""Prices as sold: money formatting and which synced Stripe prices are on sale."""

import pytest
from djstripe.models import Price

from billing.prices import SalePrice, money_format, price_on_sale, prices_on_sale
from billing.stripe_services import stripe_catalog_sync
from tests.fakes import stripe_objects as so


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (900, "eur", "€9.00"),
        (1250, "USD", "$12.50"),
        (199900, "gbp", "£1,999.00"),
        (500, "jpy", "¥500"),
        (1200, "chf", "12.00 CHF"),
    ],
)
def test_money_is_shown_with_the_currency_symbol_and_its_minor_units(amount, currency, shown):
    assert money_format(amount=amount, currency=currency) == shown


def test_a_recurring_price_is_shown_with_its_interval():
    price = SalePrice(id="price_x", amount=900, currency="eur", interval="month")

    assert price.display == "€9.00 / month"


def test_a_price_billed_every_three_months_names_the_count():
    price = SalePrice(id="price_x", amount=2500, currency="usd", interval="month", interval_count=3)

    assert price.display == "$25.00 / 3 months"


def test_a_one_time_price_has_no_interval():
    price = SalePrice(id="price_x", amount=500, currency="usd")

    assert price.display == "$5.00"


@pytest.mark.django_db
def test_synced_active_prices_are_on_sale_with_their_stripe_amount(fake_stripe):
    so.price(fake_stripe, "price_eur", unit_amount=900, currency="eur", metadata={})
    stripe_catalog_sync()

    on_sale = prices_on_sale(price_ids=["price_eur", "price_unknown", ""])

    assert on_sale == {"price_eur": SalePrice(id="price_eur", amount=900, currency="eur", interval="month")}


@pytest.mark.django_db
def test_an_archived_price_is_not_on_sale(fake_stripe):
    so.price(fake_stripe, "price_old", metadata={})
    stripe_catalog_sync()
    Price.objects.filter(id="price_old").update(active=False)

    assert prices_on_sale(price_ids=["price_old"]) == {}


@pytest.mark.django_db
def test_a_price_of_the_other_stripe_mode_is_not_on_sale(fake_stripe, settings):
    so.price(fake_stripe, "price_test_mode", metadata={})
    stripe_catalog_sync()
    settings.STRIPE_LIVE_MODE = True

    assert prices_on_sale(price_ids=["price_test_mode"]) == {}


@pytest.mark.django_db
def test_a_one_time_price_is_not_on_sale_as_a_subscription(fake_stripe):
    so.price(fake_stripe, "price_once", unit_amount=500, recurring=None, metadata={})
    stripe_catalog_sync()

    assert price_on_sale(price_id="price_once", recurring=True) is None
    assert price_on_sale(price_id="price_once", recurring=False).amount == 500
