"""POST /api/checkout and POST /api/billing/portal against the fake Stripe server."""

import pytest
from djstripe.models import Customer

from billing.models import CreditPackPurchase, PlanCode
from tests.fakes.stripe_objects import customer_id_for


@pytest.fixture
def api(client, user):
    client.force_login(user)
    return client


def test_checkout_for_a_plan_returns_a_subscription_session_url(api, user, fake_stripe, catalog, settings):
    response = api.post("/api/checkout", {"plan": "PRO"}, content_type="application/json")

    data = response.json()["data"]
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert response.status_code == 200
    assert data["url"].startswith("https://checkout.stripe.com/")
    assert data["sessionId"] == fake_stripe.get("checkout/sessions", data["sessionId"])["id"]
    assert call["form"]["mode"] == "subscription"
    assert call["form"]["line_items"] == [{"price": "price_pro_m", "quantity": "1"}]
    assert call["form"]["success_url"] == f"{settings.SITE_URL}/billing/?checkout=success"
    assert call["form"]["cancel_url"] == f"{settings.SITE_URL}/billing/?checkout=cancel"
    assert call["form"]["subscription_data"]["metadata"] == {"user_id": str(user.pk), "plan": "PRO"}


def test_checkout_passes_the_users_one_stripe_customer(api, user, fake_stripe, catalog):
    api.post("/api/checkout", {"plan": "PRO"}, content_type="application/json")
    api.post("/api/checkout", {"pack": "pack-50"}, content_type="application/json")

    customers = Customer.objects.filter(subscriber=user)
    sessions = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert customers.count() == 1
    assert len(fake_stripe.calls("POST", "/v1/customers")) == 1
    assert [s["form"]["customer"] for s in sessions] == [customers.get().id] * 2
    assert fake_stripe.get("customers", customers.get().id)["metadata"]["djstripe_subscriber"] == str(user.pk)


def test_checkout_for_a_pack_returns_a_payment_session_and_records_the_pending_purchase(
    api, user, fake_stripe, catalog
):
    response = api.post("/api/checkout", {"pack": "pack-200"}, content_type="application/json")

    session_id = response.json()["data"]["sessionId"]
    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    purchase = CreditPackPurchase.objects.get(stripe_checkout_session_id=session_id)
    assert response.status_code == 200
    assert call["form"]["mode"] == "payment"
    assert call["form"]["line_items"] == [{"price": "price_pack_200", "quantity": "1"}]
    assert (purchase.user, purchase.credits, purchase.status) == (user, 200, CreditPackPurchase.Status.PENDING)


def test_checkout_for_an_unknown_plan_returns_400_and_calls_no_stripe(api, fake_stripe, catalog):
    response = api.post("/api/checkout", {"plan": "PLATINUM"}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["details"] == {"plan": ["Unknown plan"]}
    assert fake_stripe.requests == []


def test_checkout_for_the_free_plan_returns_400(api, fake_stripe, catalog):
    response = api.post("/api/checkout", {"plan": "FREE"}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_checkout_with_both_plan_and_pack_returns_400(api, fake_stripe, catalog):
    response = api.post("/api/checkout", {"plan": "PRO", "pack": "pack-50"}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_checkout_for_the_plan_the_user_is_on_returns_409(api, user, fake_stripe, catalog):
    type(user).objects.filter(pk=user.pk).update(plan=PlanCode.PRO)

    response = api.post("/api/checkout", {"plan": "PRO"}, content_type="application/json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ALREADY_EXISTS"
    assert fake_stripe.requests == []


def test_checkout_for_another_plan_while_subscribed_returns_409_pointing_to_the_portal(api, user, fake_stripe, catalog):
    type(user).objects.filter(pk=user.pk).update(plan=PlanCode.STARTER)

    response = api.post("/api/checkout", {"plan": "PRO"}, content_type="application/json")

    assert response.status_code == 409
    assert "portal" in response.json()["error"]["message"]


def test_checkout_for_a_plan_without_a_stripe_price_returns_503(api, fake_stripe, billing_catalog):
    response = api.post("/api/checkout", {"plan": "PRO"}, content_type="application/json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_checkout_without_stripe_configured_returns_503(api, fake_stripe, catalog, settings):
    settings.STRIPE_SECRET_KEY = ""

    response = api.post("/api/checkout", {"plan": "PRO"}, content_type="application/json")

    assert response.status_code == 503
    assert fake_stripe.requests == []


def test_checkout_when_stripe_rejects_the_key_returns_503_without_stripe_details(api, fake_stripe, catalog, settings):
    settings.STRIPE_SECRET_KEY = "rk_test_not_accepted_by_the_fake"

    response = api.post("/api/checkout", {"plan": "PRO"}, content_type="application/json")

    assert response.status_code == 503
    assert response.json()["error"] == {
        "code": "SERVICE_UNAVAILABLE",
        "message": "Payments are temporarily unavailable, please retry",
    }


def test_checkout_requires_sign_in(client, fake_stripe, catalog):
    response = client.post("/api/checkout", {"plan": "PRO"}, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_portal_returns_a_stripe_portal_url_for_the_users_customer(api, user, fake_stripe, settings):
    customer_id_for(user)

    response = api.post("/api/billing/portal", content_type="application/json")

    [call] = fake_stripe.calls("POST", "/v1/billing_portal/sessions")
    assert response.status_code == 200
    assert response.json()["data"]["url"].startswith("https://billing.stripe.com/")
    assert call["form"] == {
        "customer": Customer.objects.get(subscriber=user).id,
        "return_url": f"{settings.SITE_URL}/billing/",
    }


def test_portal_for_a_user_who_is_not_a_stripe_customer_returns_404_and_creates_no_customer(api, user, fake_stripe):
    response = api.post("/api/billing/portal", content_type="application/json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert fake_stripe.requests == []
    assert not Customer.objects.filter(subscriber=user).exists()


def test_portal_requires_sign_in(client, fake_stripe, db):
    response = client.post("/api/billing/portal", content_type="application/json")

    assert response.status_code == 401


def _billing_rate(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "billing": rate},
    }


def test_checkout_is_throttled_per_user_before_stripe_is_called(api, fake_stripe, catalog, settings):
    _billing_rate(settings, "2/min")
    for _ in range(2):
        assert api.post("/api/checkout", {"pack": "pack-50"}, content_type="application/json").status_code == 200

    response = api.post("/api/checkout", {"pack": "pack-50"}, content_type="application/json")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMITED"
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 2


def test_portal_is_throttled_per_user_before_stripe_is_called(api, user, fake_stripe, settings):
    customer_id_for(user)
    _billing_rate(settings, "2/min")
    for _ in range(2):
        assert api.post("/api/billing/portal", content_type="application/json").status_code == 200

    response = api.post("/api/billing/portal", content_type="application/json")

    assert response.status_code == 429
    assert len(fake_stripe.calls("POST", "/v1/billing_portal/sessions")) == 2


def test_billing_throttle_counts_each_user_separately(api, user, other_user, fake_stripe, settings):
    customer_id_for(user)
    customer_id_for(other_user)
    _billing_rate(settings, "1/min")
    assert api.post("/api/billing/portal", content_type="application/json").status_code == 200
    api.force_login(other_user)

    response = api.post("/api/billing/portal", content_type="application/json")

    assert response.status_code == 200
