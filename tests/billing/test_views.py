"""Billing page: plans and packs, Checkout and portal buttons (fake Stripe), past-due banner."""

import pytest
from django.test import Client
from django.urls import reverse

from billing.models import CreditPack, CreditPackPurchase

pytestmark = pytest.mark.django_db


def test_billing_page_sends_visitors_to_log_in(client):
    response = client.get(reverse("billing"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_billing_page_lists_plans_and_packs_with_prices(client, user):
    CreditPack.objects.update_or_create(
        code="pack-test", defaults={"name": "Test Pack", "credits": 75, "price_cents": 1250, "is_active": True}
    )
    client.force_login(user)

    response = client.get(reverse("billing"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Starter" in html and "$9 <small>/ month</small>" in html
    assert "Test Pack" in html and "$12.50" in html and 'name="pack" value="pack-test"' in html
    assert 'name="plan" value="PRO"' in html


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


def test_portal_button_redirects_to_the_stripe_portal(client, user, fake_stripe):
    client.force_login(user)

    response = client.post(reverse("billing_portal"))

    assert response.status_code == 302
    assert fake_stripe.calls("POST", "/v1/billing_portal/sessions")


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
