"""The billing page in headless Chromium, in each state: nothing on sale, prices synced, subscriber."""

import re

import pytest
from playwright.sync_api import expect

from billing.models import PlanCode
from tests.fakes.stripe_objects import customer_id_for
from tests.support.axe import axe_audit
from tests.support.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"  # UserFactory's


def _open_billing(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-credits]:visible")).to_have_count(1)  # the balance, in the header or its menu
    page.goto(f"{live_server.url}/billing/")


def _card(page, name):
    return page.locator(".plan-card").filter(has=page.get_by_role("heading", name=name, exact=True))


def test_without_synced_prices_every_offer_is_disabled_and_says_not_on_sale_yet(
    page, live_server, billing_catalog, fake_stripe, shoot
):
    _open_billing(page, live_server, UserFactory())

    expect(_card(page, "Pro").get_by_role("button", name="Choose Pro")).to_be_disabled()
    expect(_card(page, "Pro")).to_contain_text("Not on sale yet")
    expect(_card(page, "50 credits").get_by_role("button", name="Buy 50 credits")).to_be_disabled()
    expect(_card(page, "Free")).to_contain_text("Current plan")
    expect(page.get_by_role("button", name="Open billing portal")).to_have_count(0)
    shoot(page, "billing-01-not-on-sale")
    assert page.csp_errors == [] and page.js_errors == []


def test_with_synced_prices_a_user_sees_prices_and_buying_a_pack_opens_stripe_checkout(
    page, live_server, catalog, shoot
):
    page.route(
        re.compile(r"https://checkout\.stripe\.com/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>Stripe Checkout</h1>"),
    )
    _open_billing(page, live_server, UserFactory())

    expect(_card(page, "Pro").locator(".price")).to_have_text("$29.00 / month")
    expect(_card(page, "200 credits").locator(".price")).to_have_text("$15.00")
    expect(page.get_by_text("Not on sale yet")).to_have_count(0)
    expect(page.get_by_role("button", name="Open billing portal")).to_have_count(0)
    shoot(page, "billing-02-prices")
    _card(page, "50 credits").get_by_role("button", name="Buy 50 credits").click()

    expect(page.get_by_role("heading", name="Stripe Checkout")).to_be_visible()
    assert page.url.startswith("https://checkout.stripe.com/")


def test_a_subscriber_sees_the_current_plan_and_the_billing_portal(page, live_server, catalog, shoot):
    user = UserFactory()
    customer_id_for(user)
    user.plan = PlanCode.PRO
    user.save(update_fields=["plan"])

    _open_billing(page, live_server, user)

    expect(_card(page, "Pro")).to_contain_text("Current plan")
    expect(_card(page, "Enterprise")).to_contain_text("Change plans in the billing portal")
    expect(page.get_by_role("button", name=re.compile("^Choose"))).to_have_count(0)
    expect(_card(page, "50 credits").get_by_role("button", name="Buy 50 credits")).to_be_enabled()
    expect(page.get_by_role("button", name="Open billing portal")).to_be_visible()
    shoot(page, "billing-03-subscriber")


@pytest.mark.parametrize("width", [1280, 390])
def test_in_development_without_stripe_the_page_says_payments_are_off_and_shows_demo_prices(
    page, live_server, billing_catalog, settings, shoot, width
):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEBUG = True
    page.set_viewport_size({"width": width, "height": 900})
    _open_billing(page, live_server, UserFactory())

    notice = page.get_by_role("region", name="Payments are off in this installation")
    expect(notice).to_contain_text("python manage.py stripe_sync_catalog")
    expect(notice).to_contain_text("docs/billing.md")
    expect(_card(page, "Pro").locator(".price")).to_contain_text("$29.00")
    expect(_card(page, "Pro")).to_contain_text("demo price, not sold here")
    expect(_card(page, "Pro").get_by_role("button", name="Choose Pro")).to_be_disabled()
    expect(_card(page, "50 credits").get_by_role("button", name="Buy 50 credits")).to_be_disabled()
    expect(page.get_by_text("Not on sale yet")).to_have_count(0)
    report = axe_audit(page)
    shoot(page, f"billing-04-payments-off-{width}")
    assert not report, report
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.csp_errors == [] and page.js_errors == []
