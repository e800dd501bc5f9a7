"""The billing overview: each plan and pack with its Stripe price and what the user can do with it."""

import pytest

from billing.models import Plan, PlanCode
from billing.selectors import OfferState, billing_overview
from tests.fakes.stripe_objects import customer_id_for

pytestmark = pytest.mark.django_db


def _by_code(offers):
    return {offer.code: offer for offer in offers}


def _subscribe(user, plan: str) -> None:
    customer_id_for(user)
    user.plan = plan
    user.save(update_fields=["plan"])


def test_without_synced_prices_nothing_is_buyable_and_each_says_not_on_sale_yet(user, billing_catalog):
    overview = billing_overview(user=user)

    offers = [o for o in (*overview.plans, *overview.packs) if o.code != PlanCode.FREE]
    assert offers and all(o.state == OfferState.UNAVAILABLE and o.price is None for o in offers)
    assert {o.reason for o in offers} == {"Not on sale yet"}


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
    assert packs["pack-50"].reason == "Payments are not available right now"
