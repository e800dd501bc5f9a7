"""Billing reads shaped for pages and the API: plans and packs on sale, the ledger, renewal dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet, Sum

from billing.models import CreditPack, CreditTransaction, Plan, PlanCode
from billing.prices import SalePrice, prices_on_sale

LIVE_SUBSCRIPTION_STATUSES = ("active", "trialing", "past_due")


def plan_get(*, code: str) -> Plan | None:
    """The plan row for a PlanCode (None when it has not been created yet)."""
    return Plan.objects.filter(code=code).first()


def plan_list_active() -> list[Plan]:
    """Plans on sale, in display order."""
    return list(Plan.objects.filter(is_active=True).order_by("position", "monthly_credits"))


def credit_pack_list_active() -> list[CreditPack]:
    """Credit packs on sale, in display order."""
    return list(CreditPack.objects.filter(is_active=True).order_by("position", "credits"))


class OfferState:
    """What a user can do with a plan or pack on the billing page."""

    BUYABLE = "buyable"  # a Checkout button
    CURRENT = "current"  # the user's plan
    PORTAL = "portal"  # plan changes and cancellations happen in Stripe's customer portal
    UNAVAILABLE = "unavailable"  # shown, with the reason it cannot be bought


NOT_ON_SALE = "Not on sale yet"
PAYMENTS_OFF = "Payments are not available right now"


@dataclass(frozen=True)
class Offer:
    """A plan or credit pack as one user sees it: its Stripe price (None when not on sale) and what they can do."""

    code: str
    name: str
    credits: int
    price: SalePrice | None
    state: str
    reason: str = ""

    @property
    def buyable(self) -> bool:
        return self.state == OfferState.BUYABLE


@dataclass(frozen=True)
class BillingOverview:
    plans: list[Offer]
    packs: list[Offer]
    is_customer: bool


def stripe_customer_exists(*, user) -> bool:
    """Whether the user has a Stripe customer in the configured mode (they subscribed or bought before)."""
    from djstripe.models import Customer

    return Customer.objects.filter(subscriber=user, livemode=settings.STRIPE_LIVE_MODE).exists()


def _plan_offer(*, plan: Plan, user, price: SalePrice | None, is_customer: bool) -> Offer:
    def offer(state: str, reason: str = "") -> Offer:
        return Offer(plan.code, plan.name, plan.monthly_credits, price, state, reason)

    if plan.code == user.plan:
        return offer(OfferState.CURRENT)
    if plan.code == PlanCode.FREE:
        # Returning to Free means cancelling the subscription, which Stripe's portal does.
        return offer(OfferState.PORTAL if is_customer else OfferState.UNAVAILABLE, "Cancel in the billing portal")
    if user.plan != PlanCode.FREE:
        # A second Checkout would bill a second subscription beside the first.
        return offer(OfferState.PORTAL if is_customer else OfferState.UNAVAILABLE, "Change plans in the billing portal")
    if price is None:
        return offer(OfferState.UNAVAILABLE, NOT_ON_SALE)
    if not settings.STRIPE_SECRET_KEY:
        return offer(OfferState.UNAVAILABLE, PAYMENTS_OFF)
    return offer(OfferState.BUYABLE)


def _pack_offer(*, pack: CreditPack, price: SalePrice | None) -> Offer:
    if price is None:
        state, reason = OfferState.UNAVAILABLE, NOT_ON_SALE
    elif not settings.STRIPE_SECRET_KEY:
        state, reason = OfferState.UNAVAILABLE, PAYMENTS_OFF
    else:
        state, reason = OfferState.BUYABLE, ""
    return Offer(pack.code, pack.name, pack.credits, price, state, reason)


def billing_overview(*, user) -> BillingOverview:
    """Plans and packs on sale with their Stripe prices, as ``user`` can act on them, and whether they can open the portal."""
    plans = plan_list_active()
    packs = credit_pack_list_active()
    sale = prices_on_sale(price_ids=[p.stripe_price_id for p in (*plans, *packs)])
    is_customer = stripe_customer_exists(user=user)

    def plan_price(plan: Plan) -> SalePrice | None:
        price = sale.get(plan.stripe_price_id)
        return price if price is not None and price.interval else None

    def pack_price(pack: CreditPack) -> SalePrice | None:
        price = sale.get(pack.stripe_price_id)
        return price if price is not None and not price.interval else None

    return BillingOverview(
        plans=[_plan_offer(plan=p, user=user, price=plan_price(p), is_customer=is_customer) for p in plans],
        packs=[_pack_offer(pack=p, price=pack_price(p)) for p in packs],
        is_customer=is_customer,
    )


def credit_history(*, user) -> QuerySet[CreditTransaction]:
    """The user's ledger rows, newest first, with the job and effect each row is about."""
    return CreditTransaction.objects.filter(user=user).select_related("job__effect").order_by("-created_at", "-id")


def credits_refunded_for_job(*, job) -> int | None:
    """Credits the ledger gave back for this job (None when it was not refunded)."""
    row = CreditTransaction.objects.filter(job=job, kind=CreditTransaction.Kind.REFUND).only("amount").first()
    return row.amount if row else None


def credits_spent_since(*, since: datetime) -> dict:
    """Credits charged for effects and refunded since ``since`` (admin dashboard)."""
    ledger = CreditTransaction.objects.filter(created_at__gte=since)
    charged = -(ledger.filter(kind=CreditTransaction.Kind.EFFECT_CHARGE).aggregate(s=Sum("amount"))["s"] or 0)
    refunded = ledger.filter(kind=CreditTransaction.Kind.REFUND).aggregate(s=Sum("amount"))["s"] or 0
    return {"credits_charged": charged, "credits_refunded": refunded, "credits_spent": charged - refunded}


def credits_next_refill(*, user) -> datetime | None:
    """When the balance is next refilled: FREE users every FREE_REFILL_DAYS, paid plans at renewal."""
    if user.plan == PlanCode.FREE:
        return user.credits_refilled_at + timedelta(days=settings.FREE_REFILL_DAYS)
    from djstripe.models import Subscription

    # current_period_end lives in the stored Stripe object, not in a column.
    ends = [
        sub.current_period_end
        for sub in Subscription.objects.filter(customer__subscriber=user, status__in=LIVE_SUBSCRIPTION_STATUSES)
    ]
    ends = [end for end in ends if end]
    return max(ends) if ends else None
