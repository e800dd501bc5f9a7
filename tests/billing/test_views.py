"""Billing page: plans and packs, Checkout and portal buttons (fake Stripe), past-due banner."""

import pytest
from django.test import Client
from django.urls import reverse

from billing.models import CreditPackPurchase, PlanCode
from billing.stripe_services import stripe_catalog_sync
from tests.fakes import stripe_objects as so
from tests.fakes.stripe_objects import customer_id_for

pytestmark = pytest.mark.django_db


def test_billing_page_sends_visitors_to_log_in(client):
    response = client.get(reverse("billing"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_billing_page_shows_synced_stripe_prices_with_their_interval(client, user, catalog):
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert "$29.00 <small>/ month</small>" in html
    assert "$15.00" in html
    assert 'name="plan" value="PRO"' in html and 'name="pack" value="pack-200"' in html


def test_billing_page_shows_a_price_in_its_own_currency(client, user, fake_stripe, billing_catalog):
    so.price(fake_stripe, "price_pro_eur", unit_amount=900, currency="eur", metadata={"plan": "PRO"})
    stripe_catalog_sync()
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert "€9.00 <small>/ month</small>" in html


def test_billing_page_without_synced_prices_offers_no_checkout_and_says_not_on_sale_yet(
    client, user, billing_catalog, fake_stripe
):
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert 'action="/billing/checkout/"' not in html
    assert html.count("Not on sale yet") == 5  # three paid plans and two packs
    assert "Choose Pro</button>" in html and "disabled" in html
    assert "python manage.py stripe_sync_catalog" in html


def test_billing_page_without_stripe_says_payments_are_off_and_how_an_operator_turns_them_on(
    client, user, billing_catalog, settings
):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEBUG = False
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert '<h2 id="payments-off-title">Payments are off in this installation</h2>' in html
    for step in ("STRIPE_SECRET_KEY", "python manage.py stripe_sync_catalog", "docs/billing.md"):
        assert step in html
    assert html.count("Payments are off in this installation") == 6  # the notice, three paid plans, two packs
    assert "Not on sale yet" not in html and 'action="/billing/checkout/"' not in html
    assert 'data-testid="demo-price"' not in html  # production shows no price it cannot sell


def test_billing_page_in_development_without_stripe_shows_demo_prices_marked_not_for_sale(
    client, user, billing_catalog, settings
):
    settings.STRIPE_SECRET_KEY = ""
    settings.DEBUG = True
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert html.count('data-testid="demo-price"') == 5
    assert html.count("demo price, not sold here") == 5
    assert "They are not for sale here." in html
    assert 'action="/billing/checkout/"' not in html


def test_billing_page_offers_no_portal_to_a_user_who_is_not_a_stripe_customer(client, user, catalog):
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert "Open billing portal" not in html


def test_billing_page_offers_the_portal_to_a_stripe_customer(client, user, catalog):
    customer_id_for(user)
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert "Open billing portal" in html


def test_billing_page_sends_a_subscriber_to_the_portal_to_change_plans(client, user, catalog):
    customer_id_for(user)
    user.plan = PlanCode.PRO
    user.save(update_fields=["plan"])
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert 'name="plan"' not in html
    assert html.count("Change plans in the billing portal") == 2
    assert 'name="pack" value="pack-50"' in html


def test_billing_page_of_a_plan_set_by_staff_says_so_and_sends_nobody_to_the_portal(client, user, catalog):
    user.plan = PlanCode.PRO
    user.save(update_fields=["plan"])
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert "Your Pro plan was set by the PhotoMania team" in html
    assert "billing portal" not in html
    assert 'name="plan"' not in html
    assert html.count("Your plan was set by the PhotoMania team: ask them to change it") == 2  # Starter, Enterprise
    assert 'name="pack" value="pack-50"' in html


def test_billing_page_of_a_free_user_does_not_mention_a_plan_set_by_staff(client, user, catalog):
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert "set by the PhotoMania team" not in html


def test_billing_page_shows_plan_and_purchased_credits(client, user):
    from billing.models import CreditTransaction
    from billing.services import credits_grant

    credits_grant(user=user, amount=50, kind=CreditTransaction.Kind.PURCHASE, reference="pack:page")
    client.force_login(user)

    html = client.get(reverse("billing")).content.decode()

    assert "60 credits: 10 plan credits" in html and "50 purchased credits (never expire)" in html


def test_billing_page_marks_the_current_plan_without_a_checkout_button(client, user):
    client.force_login(user)

    response = client.get(reverse("billing"))

    assert 'name="plan" value="FREE"' not in response.content.decode()
    assert "Current plan" in response.content.decode()


def test_past_due_users_see_a_banner(client, user):
    user.is_past_due = True
    user.save(update_fields=["is_past_due"])
    client.force_login(user)

    response = client.get(reverse("billing"))

    assert "Payment past due" in response.content.decode()
    assert "Your last payment failed" in response.content.decode()


def test_checkout_button_redirects_to_stripe_checkout(client, user, fake_stripe, catalog):
    client.force_login(user)

    response = client.post(reverse("billing_checkout"), {"plan": "PRO"})

    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/")
    assert fake_stripe.calls("POST", "/v1/checkout/sessions")


def test_buying_a_pack_records_the_pending_purchase(client, user, fake_stripe, catalog):
    client.force_login(user)

    client.post(reverse("billing_checkout"), {"pack": "pack-50"})

    assert CreditPackPurchase.objects.filter(user=user, pack__code="pack-50").exists()


def test_checkout_of_an_unknown_plan_shows_an_error_and_calls_no_stripe(client, user, fake_stripe, catalog):
    client.force_login(user)

    response = client.post(reverse("billing_checkout"), {"plan": "PLATINUM"}, follow=True)

    assert "Unknown plan." in response.content.decode()
    assert not fake_stripe.calls("POST", "/v1/checkout/sessions")


def test_checkout_without_a_choice_shows_an_error(client, user):
    client.force_login(user)

    response = client.post(reverse("billing_checkout"), {}, follow=True)

    assert "Choose a plan or a credit pack." in response.content.decode()


def test_checkout_when_payments_are_not_configured_says_so(client, user, settings, catalog):
    settings.STRIPE_SECRET_KEY = ""
    client.force_login(user)

    response = client.post(reverse("billing_checkout"), {"plan": "PRO"}, follow=True)

    assert "Payments are not available right now" in response.content.decode()


def test_checkout_without_a_csrf_token_is_forbidden(user, fake_stripe, catalog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("billing_checkout"), {"plan": "PRO"})

    assert response.status_code == 403
    assert not fake_stripe.calls("POST", "/v1/checkout/sessions")


def test_checkout_with_get_is_not_allowed(client, user):
    client.force_login(user)

    response = client.get(reverse("billing_checkout"))

    assert response.status_code == 405


def test_portal_button_redirects_a_customer_to_the_stripe_portal(client, user, fake_stripe):
    customer_id_for(user)
    client.force_login(user)

    response = client.post(reverse("billing_portal"))

    assert response.status_code == 302
    assert fake_stripe.calls("POST", "/v1/billing_portal/sessions")


def test_portal_button_of_a_user_who_is_not_a_customer_explains_and_calls_no_stripe(client, user, fake_stripe):
    client.force_login(user)

    response = client.post(reverse("billing_portal"), follow=True)

    assert "You have no subscription or purchases to manage yet" in response.content.decode()
    assert fake_stripe.requests == []


@pytest.mark.parametrize(("outcome", "url_name"), [("success", "billing_success"), ("cancel", "billing_cancel")])
def test_stripe_return_urls_lead_to_the_outcome_pages(client, user, outcome, url_name):
    client.force_login(user)

    response = client.get(reverse("billing"), {"checkout": outcome}, follow=True)

    assert response.redirect_chain[-1][0] == reverse(url_name)
    assert response.status_code == 200


def test_success_page_shows_the_balance(client, user):
    client.force_login(user)

    response = client.get(reverse("billing_success"))

    assert "10 credits" in response.content.decode()
