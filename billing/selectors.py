"""Billing reads shaped for pages and the API: plans and packs on sale, the ledger, renewal dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from billing.models import (
    JOB_REFUND_KINDS,
    CreditPack,
    CreditPackPurchase,
    CreditTransaction,
    Plan,
    PlanCode,
    PlanPrice,
)
from billing.prices import SalePrice, money_format, prices_on_sale
from billing.stripe_shapes import is_proration, price_of
from core.timeseries import bucket_counts, time_buckets, truncate

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
PAYMENTS_OFF = "Payments are off in this installation"
SET_BY_STAFF = "Your plan was set by the PhotoMania team: ask them to change it"


@dataclass(frozen=True)
class Offer:
    """A plan or credit pack as one user sees it: its Stripe price (None when not on sale) and what they can do."""

    code: str
    name: str
    credits: int
    price: SalePrice | None
    state: str
    reason: str = ""
    # In development without Stripe: the catalog row's own display price, shown as what would be sold.
    demo_price: str = ""

    @property
    def buyable(self) -> bool:
        return self.state == OfferState.BUYABLE


@dataclass(frozen=True)
class BillingOverview:
    plans: list[Offer]
    packs: list[Offer]
    is_customer: bool
    # A paid plan without a Stripe customer was given by staff: no subscription, nothing in the portal.
    plan_set_by_staff: bool
    # Stripe is configured (STRIPE_SECRET_KEY): without it nothing can be bought in this installation.
    payments_enabled: bool = True
    # Stripe is configured but no plan or pack has a synced price yet (the catalog sync has not run).
    nothing_on_sale: bool = False

    @property
    def demo_prices(self) -> bool:
        return any(offer.demo_price for offer in (*self.plans, *self.packs))


def stripe_customer_exists(*, user) -> bool:
    """Whether the user has a Stripe customer in the configured mode (they subscribed or bought before)."""
    from djstripe.models import Customer

    return Customer.objects.filter(subscriber=user, livemode=settings.STRIPE_LIVE_MODE).exists()


def _demo_price(*, cents: int, currency: str) -> str:
    """The catalog row's display price ("$29.00", a plan's per month) in development without Stripe, else ""."""
    if settings.STRIPE_SECRET_KEY or not settings.DEBUG or cents <= 0:
        return ""
    return money_format(amount=cents, currency=currency)


def _plan_offer(*, plan: Plan, user, price: SalePrice | None, is_customer: bool) -> Offer:
    demo = _demo_price(cents=plan.price_cents, currency=plan.currency)

    def offer(state: str, reason: str = "") -> Offer:
        return Offer(plan.code, plan.name, plan.monthly_credits, price, state, reason, demo)

    if plan.code == user.plan:
        return offer(OfferState.CURRENT)
    if user.plan != PlanCode.FREE and not is_customer:
        # Staff gave this plan: there is no subscription to change in the portal or to pay twice for.
        return offer(OfferState.UNAVAILABLE, SET_BY_STAFF)
    if plan.code == PlanCode.FREE:
        # Returning to Free means cancelling the subscription, which Stripe's portal does.
        return offer(OfferState.PORTAL, "Cancel in the billing portal")
    if user.plan != PlanCode.FREE:
        # A second Checkout would bill a second subscription beside the first.
        return offer(OfferState.PORTAL, "Change plans in the billing portal")
    # Without Stripe nothing is for sale, whether or not prices were ever synced: say the real reason.
    if not settings.STRIPE_SECRET_KEY:
        return offer(OfferState.UNAVAILABLE, PAYMENTS_OFF)
    if price is None:
        return offer(OfferState.UNAVAILABLE, NOT_ON_SALE)
    return offer(OfferState.BUYABLE)


def _pack_offer(*, pack: CreditPack, price: SalePrice | None) -> Offer:
    if not settings.STRIPE_SECRET_KEY:
        state, reason = OfferState.UNAVAILABLE, PAYMENTS_OFF
    elif price is None:
        state, reason = OfferState.UNAVAILABLE, NOT_ON_SALE
    else:
        state, reason = OfferState.BUYABLE, ""
    demo = _demo_price(cents=pack.price_cents, currency=pack.currency)
    return Offer(pack.code, pack.name, pack.credits, price, state, reason, demo)


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

    plan_offers = [_plan_offer(plan=p, user=user, price=plan_price(p), is_customer=is_customer) for p in plans]
    pack_offers = [_pack_offer(pack=p, price=pack_price(p)) for p in packs]
    payments_enabled = bool(settings.STRIPE_SECRET_KEY)
    paid = [o for o in (*plan_offers, *pack_offers) if o.code != PlanCode.FREE]
    return BillingOverview(
        plans=plan_offers,
        packs=pack_offers,
        is_customer=is_customer,
        plan_set_by_staff=user.plan != PlanCode.FREE and not is_customer,
        payments_enabled=payments_enabled,
        nothing_on_sale=payments_enabled and bool(paid) and all(o.price is None for o in paid),
    )


def credit_history(*, user) -> QuerySet[CreditTransaction]:
    """The user's ledger rows, newest first, with the job and effect each row is about."""
    return CreditTransaction.objects.filter(user=user).select_related("job__effect").order_by("-created_at", "-id")


def credit_refund_for_job(*, job) -> CreditTransaction | None:
    """The ledger row that gave this job's charge back (a job has at most one), or None."""
    return CreditTransaction.objects.filter(job=job, kind__in=JOB_REFUND_KINDS).only("amount", "kind").first()


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


# --- Staff dashboard --------------------------------------------------------------------------

_GRANT_KINDS = (
    CreditTransaction.Kind.SIGNUP_GRANT,
    CreditTransaction.Kind.PLAN_REFILL,
    CreditTransaction.Kind.PLAN_UPGRADE,
    CreditTransaction.Kind.REFERRAL_BONUS,
    CreditTransaction.Kind.PURCHASE,
    CreditTransaction.Kind.ADMIN_ADJUSTMENT,
)


def credits_flow_over_time(*, since: datetime, until: datetime, bucket: str) -> dict:
    """Credits granted (sign-up, refills, upgrades, referrals, packs, staff), spent on effects and refunded, per bucket.

    Spent is what effects charged; refunds (failures and goodwill) are their own series, so
    spent minus refunded is what users actually used. ``charges`` counts the charge rows (one per
    charged job): the ledger keeps them when a job is deleted, so it agrees with ``spent``.
    """
    rows = list(
        CreditTransaction.objects.filter(created_at__gte=since, created_at__lte=until)
        .annotate(period=truncate("created_at", bucket))
        .values("period")
        .annotate(
            granted=Sum("amount", filter=Q(kind__in=_GRANT_KINDS, amount__gt=0)),
            spent=Sum("amount", filter=Q(kind=CreditTransaction.Kind.EFFECT_CHARGE)),
            refunded=Sum("amount", filter=Q(kind__in=JOB_REFUND_KINDS)),
            charges=Count("pk", filter=Q(kind=CreditTransaction.Kind.EFFECT_CHARGE)),
        )
        .order_by()
    )
    buckets = time_buckets(since=since, until=until, bucket=bucket)
    spent = bucket_counts(rows, buckets=buckets, value="spent")
    return {
        "buckets": buckets,
        "granted": bucket_counts(rows, buckets=buckets, value="granted"),
        "spent": [-n for n in spent],
        "refunded": bucket_counts(rows, buckets=buckets, value="refunded"),
        "charges": bucket_counts(rows, buckets=buckets, value="charges"),
    }


def _plan_names_by_price() -> dict[str, str]:
    """Every Stripe price id that bills a plan, to the plan's name (the price map and the plans' own price fields)."""
    names = {price: name for price, name in PlanPrice.objects.values_list("stripe_price_id", "plan__name")}
    for plan in Plan.objects.only("name", "stripe_price_id", "stripe_price_id_yearly"):
        for price in (plan.stripe_price_id, plan.stripe_price_id_yearly):
            if price:
                names.setdefault(price, plan.name)
    return names


def _pack_refunded_shares(*, payment_intent_ids: set[str]) -> dict[str, float]:
    """The share (0 to 1) of each payment intent's charged amount that was refunded, from dj-stripe's Charge mirror.

    The mirror is what the ``charge.refunded`` handler reads too; a share rather than cents, because
    Stripe may have charged another amount (or currency) than the pack's price at checkout.
    """
    from djstripe.models import Charge

    charged: dict[str, list[int]] = {}
    for charge in Charge.objects.filter(payment_intent_id__in=payment_intent_ids).only("payment_intent", "stripe_data"):
        data = charge.stripe_data or {}
        if data.get("status") != "succeeded":
            continue
        totals = charged.setdefault(charge.payment_intent_id, [0, 0])
        totals[0] += int(data.get("amount") or 0)
        totals[1] += int(data.get("amount_refunded") or 0)
    return {pi: min(1.0, refunded / amount) for pi, (amount, refunded) in charged.items() if amount > 0}


def revenue_by_product(*, since: datetime, until: datetime) -> list[dict]:
    """Money received per plan (paid subscription invoices) and per credit pack (paid pack purchases), largest first.

    Rows: ``{"product", "kind": "plan"|"pack", "currency", "amount_cents", "payments"}``. Invoices
    come from dj-stripe's mirror; an invoice whose price bills no known plan counts as
    "Other subscription". A pack purchase counts net of what was refunded on its charge (a fully
    refunded one not at all), in the period it was paid.
    """
    from djstripe.models import Invoice

    totals: dict[tuple[str, str, str], list[int]] = {}

    def add(product: str, kind: str, currency: str | None, cents: int, payments: int = 1) -> None:
        entry = totals.setdefault((product, kind, (currency or "usd").lower()), [0, 0])
        entry[0] += cents
        entry[1] += payments

    packs = list(
        CreditPackPurchase.objects.filter(
            paid_at__gte=since,
            paid_at__lte=until,
            status__in=[CreditPackPurchase.Status.PAID, CreditPackPurchase.Status.REFUNDED],
            amount_cents__gt=0,
        )
        .values("pack__name", "currency", "amount_cents", "status", "stripe_payment_intent_id")
        .order_by()
    )
    refunded_share = _pack_refunded_shares(
        payment_intent_ids={row["stripe_payment_intent_id"] for row in packs if row["stripe_payment_intent_id"]}
    )
    for row in packs:
        if row["status"] == CreditPackPurchase.Status.REFUNDED:
            share = 1.0
        else:
            share = refunded_share.get(row["stripe_payment_intent_id"], 0.0)
        cents = row["amount_cents"] - round(row["amount_cents"] * share)
        if cents > 0:
            add(row["pack__name"] or "Retired pack", "pack", row["currency"], cents)

    plan_names = _plan_names_by_price()
    invoices = Invoice.objects.filter(created__gte=since, created__lte=until).only("id", "stripe_data")
    for invoice in invoices.iterator(chunk_size=500):
        data = invoice.stripe_data or {}
        cents = data.get("amount_paid") or 0
        if data.get("status") != "paid" or cents <= 0:
            continue
        lines = [line for line in (data.get("lines") or {}).get("data") or [] if not is_proration(line)]
        names = [plan_names.get(price_of(line)[0]) for line in lines]
        add(next((name for name in names if name), "Other subscription"), "plan", data.get("currency"), cents)

    rows = [
        {"product": product, "kind": kind, "currency": currency, "amount_cents": cents, "payments": payments}
        for (product, kind, currency), (cents, payments) in totals.items()
    ]
    return sorted(rows, key=lambda row: (-row["amount_cents"], row["product"]))
