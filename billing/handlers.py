"""What a Stripe event means for PhotoMania: one plain function per event type.

They run inside the webhook's transaction, after dj-stripe has synced the object from Stripe's
API (billing/receivers.py wires them to dj-stripe's signals). Each is safe to run twice: credits
move through the ledger with a unique reference, plan changes are guarded by the event time.
An exception rolls everything back; EventUnprocessable (it can never succeed) is acknowledged
and recorded for staff, anything else answers 5xx so Stripe retries.

Refund policy: a refunded credit pack takes back the refunded share of its credits (rounded up):
purchased credits first, then plan credits; what the user already spent becomes a credit debt,
and every credit they get afterwards (job refunds, refills, bonuses, new packs) pays it off
before it can be spent (see billing.services).
Subscription refunds take nothing back (the period's credits were a reset, not a purchase).
"""

import logging
import math
from datetime import datetime

import stripe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from djstripe.models import Charge as StripeCharge
from djstripe.models import Customer
from djstripe.models import Invoice as StripeInvoice
from djstripe.models import Price as StripePrice
from djstripe.models import Session as StripeSession
from djstripe.models import Subscription as StripeSubscription

from billing.models import (
    CreditPack,
    CreditPackPurchase,
    CreditTransaction,
    Plan,
    PlanCode,
    PlanPrice,
    SubscriptionState,
)
from billing.services import credits_grant, credits_revoke, credits_set, plan_monthly_credits
from billing.stripe_shapes import is_proration, price_of
from billing.stripe_shapes import object_id as _id

logger = logging.getLogger(__name__)
Kind = CreditTransaction.Kind

# Subscription statuses that end the paid plan, and those that keep it.
ENDED_STATUSES = frozenset({"canceled", "unpaid", "incomplete_expired", "paused"})
LIVE_STATUSES = frozenset({"active", "trialing", "past_due"})
REFILL_REASONS = frozenset({"subscription_create", "subscription_cycle"})


class UnknownPrice(Exception):
    """A paid Stripe price that no Plan is linked to: fail so Stripe retries after the catalog sync."""


class EventUnprocessable(Exception):
    """An event that can never succeed (no such customer or object, an amount that does not match).

    The webhook acknowledges it, records it for staff and alerts; retrying would change nothing.
    """


def user_for_customer(*, customer_id: str | None, metadata: dict | None = None):
    """The user behind a Stripe customer: dj-stripe's Customer.subscriber, else our ``user_id`` metadata."""
    User = get_user_model()
    if customer_id:
        subscriber_id = (
            Customer.objects.filter(id=customer_id, subscriber__isnull=False)
            .values_list("subscriber_id", flat=True)
            .first()
        )
        if subscriber_id:
            return User.objects.filter(pk=subscriber_id).first()
    user_id = str((metadata or {}).get("user_id") or "")
    if user_id.isdigit():
        return User.objects.filter(pk=int(user_id)).first()
    return None


def _current(model, object_id: str | None, kind: str) -> dict:
    """The object as dj-stripe just re-fetched it from Stripe; an event body alone is never trusted.

    dj-stripe skips the sync when Stripe answers 404, so a missing row means Stripe does not know it.
    """
    row = model.objects.filter(id=object_id).first() if object_id else None
    if row is None or not row.stripe_data:
        raise EventUnprocessable(f"Stripe does not know {kind} {object_id}")
    return row.stripe_data


def plan_for_price(*, price_id: str | None, price: dict | None = None) -> Plan | None:
    """The Plan billed by ``price_id``: the price map, the plan's own price fields, else the price's ``plan`` metadata.

    A price found through a plan's fields or its metadata is added to the map, so it keeps
    mapping after the plan moves to a new price or the price is archived.
    """
    if not price_id:
        return None
    mapped = PlanPrice.objects.filter(stripe_price_id=price_id).select_related("plan").first()
    if mapped is not None:
        return mapped.plan
    plan = Plan.objects.filter(Q(stripe_price_id=price_id) | Q(stripe_price_id_yearly=price_id)).first()
    if plan is None:
        if price is None:
            stored = StripePrice.objects.filter(id=price_id).first()
            price = stored.stripe_data if stored is not None else {}
        code = str(((price or {}).get("metadata") or {}).get("plan") or "").upper()
        plan = Plan.objects.filter(code=code).first() if code else None
    if plan is not None:
        interval = ((price or {}).get("recurring") or {}).get("interval") or ""
        PlanPrice.objects.get_or_create(stripe_price_id=price_id, defaults={"plan": plan, "interval": interval})
    return plan


def _plan_of_items(items: list[dict]) -> tuple[Plan | None, str | None]:
    """The plan among these items/lines (the largest quota if several bill plans); never by position."""
    plans, unknown = [], None
    for item in items:
        price_id, price = price_of(item)
        plan = plan_for_price(price_id=price_id, price=price)
        if plan is not None:
            plans.append(plan)
        elif price_id:
            unknown = price_id
    if not plans:
        return None, unknown
    return max(plans, key=lambda plan: (plan.monthly_credits, plan.position)), None


def subscription_plan(subscription: dict) -> Plan:
    """The plan of a subscription's current price; UnknownPrice when no item bills a plan."""
    plan, unknown = _plan_of_items((subscription.get("items") or {}).get("data") or [])
    if plan is None:
        raise UnknownPrice(f"subscription {subscription.get('id')}: price {unknown}")
    return plan


def _invoice_subscription_id(invoice: dict) -> str | None:
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return _id(invoice.get("subscription")) or _id(details.get("subscription"))


def _invoice_metadata(invoice: dict) -> dict:
    """Subscription metadata on an invoice: ``parent.subscription_details`` (current) or ``subscription_details``."""
    for details in (
        ((invoice.get("parent") or {}).get("subscription_details")),
        invoice.get("subscription_details"),
    ):
        if details and details.get("metadata"):
            return details["metadata"]
    return {}


def invoice_plan(invoice: dict) -> Plan:
    """The plan an invoice pays for: its non-proration lines, else its subscription's current price."""
    lines = [line for line in (invoice.get("lines") or {}).get("data") or [] if not is_proration(line)]
    plan, unknown = _plan_of_items(lines)
    if plan is not None:
        return plan
    subscription_id = _invoice_subscription_id(invoice)
    subscription = StripeSubscription.objects.filter(id=subscription_id).first() if subscription_id else None
    if subscription is not None and subscription.stripe_data:
        return subscription_plan(subscription.stripe_data)
    raise UnknownPrice(f"invoice {invoice.get('id')}: price {unknown}")


def _period_start(subscription: dict) -> int | str:
    # 2024-06-20 keeps the period on the subscription; current versions on each item.
    if subscription.get("current_period_start"):
        return subscription["current_period_start"]
    starts = [i.get("current_period_start") for i in (subscription.get("items") or {}).get("data") or []]
    starts = [start for start in starts if start]
    return max(starts) if starts else ""


def _is_stale(*, state: SubscriptionState | None, created: datetime, subscription_id: str, status: str) -> bool:
    if state is None:
        return False
    if created < state.event_created:
        return True
    if created == state.event_created and state.stripe_subscription_id == subscription_id:
        # Same second (Stripe's resolution): an ending is final, a lower-ranked state never undoes it.
        return state.status in ENDED_STATUSES and status not in ENDED_STATUSES
    return False


def subscription_event_apply(*, event_id: str, event_created: datetime, subscription_id: str, deleted: bool = False):
    """customer.subscription.* → the user's plan from Stripe's current subscription, newest event wins.

    An upgrade within a live subscription grants the quota difference at once (once per
    subscription, period and plan: ``upgrade:<subscription>:<period start>:<plan>``); a
    downgrade keeps the credits until the renewal invoice resets them to the lower quota.
    """
    subscription = _current(StripeSubscription, subscription_id, "subscription")
    status = "canceled" if deleted else str(subscription.get("status") or "")
    metadata = subscription.get("metadata") or {}
    user = user_for_customer(customer_id=_id(subscription.get("customer")), metadata=metadata)
    if user is None:
        raise EventUnprocessable(f"subscription {subscription_id}: no user for customer {subscription.get('customer')}")
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        state = SubscriptionState.objects.filter(user=user).first()
        if _is_stale(state=state, created=event_created, subscription_id=subscription_id, status=status):
            logger.info("subscription event %s is older than the applied state; ignored", event_id)
            return user
        if (
            status in ENDED_STATUSES
            and state is not None
            and state.stripe_subscription_id != subscription_id
            and state.status in LIVE_STATUSES
        ):
            # An old subscription ending does not cancel the one the user has now.
            return user
        upgrade = None
        if status in ENDED_STATUSES:
            new_plan = PlanCode.FREE
        elif status in LIVE_STATUSES:
            plan = subscription_plan(subscription)
            new_plan = plan.code
            if (
                state is not None
                and state.stripe_subscription_id == subscription_id
                and state.status in LIVE_STATUSES
                and user.plan not in (PlanCode.FREE, plan.code)
            ):
                old_quota = plan_monthly_credits(code=user.plan)
                if plan.monthly_credits > old_quota:
                    upgrade = (plan, plan.monthly_credits - old_quota)
        else:
            new_plan = user.plan  # incomplete: the first payment has not gone through yet
        fields = {"plan": new_plan}
        if new_plan == PlanCode.FREE:
            fields["is_past_due"] = False
        User.objects.filter(pk=user.pk).update(**fields)
        SubscriptionState.objects.update_or_create(
            user=user,
            defaults={
                "stripe_subscription_id": subscription_id,
                "status": status,
                "event_created": event_created,
                "event_id": event_id,
            },
        )
        if upgrade is not None:
            plan, difference = upgrade
            credits_grant(
                user=user,
                amount=difference,
                kind=Kind.PLAN_UPGRADE,
                reference=f"upgrade:{subscription_id}:{_period_start(subscription)}:{plan.code}",
                note=f"upgrade to {plan.code}",
            )
    user.refresh_from_db()
    return user


def invoice_paid_apply(*, invoice_id: str) -> CreditTransaction | None:
    """invoice.paid / invoice.payment_succeeded → reset plan credits to the plan's quota, once per invoice."""
    invoice = _current(StripeInvoice, invoice_id, "invoice")
    if invoice.get("billing_reason") not in REFILL_REASONS:
        return None
    user = user_for_customer(customer_id=_id(invoice.get("customer")), metadata=_invoice_metadata(invoice))
    if user is None:
        raise EventUnprocessable(f"invoice {invoice_id}: no user for customer {invoice.get('customer')}")
    plan = invoice_plan(invoice)
    User = get_user_model()
    with transaction.atomic():
        row = credits_set(
            user=user, quota=plan.monthly_credits, reference=f"refill:{invoice_id}", note=f"{plan.code} refill"
        )
        User.objects.filter(pk=user.pk).update(credits_refilled_at=row.created_at, is_past_due=False)
    return row


def invoice_payment_failed_apply(*, invoice: dict):
    """invoice.payment_failed → flag the user past-due (unless Stripe already shows the invoice paid)."""
    user = user_for_customer(customer_id=_id(invoice.get("customer")))
    if user is None:
        return None
    # dj-stripe re-fetched the invoice just before this runs: a retry that already succeeded wins.
    synced = StripeInvoice.objects.filter(id=invoice["id"]).first()
    if synced is not None and (synced.stripe_data or {}).get("status") == "paid":
        return user
    get_user_model().objects.filter(pk=user.pk).update(is_past_due=True)
    return user


def checkout_session_paid_apply(*, session_id: str) -> CreditTransaction | None:
    """A paid pack Checkout Session → grant the pack's credits (``pack:<session>``); never subscriptions.

    The credits come from our own purchase row, or for a session we did not record from the
    CreditPack sold at the session's price; never from metadata. The amount paid must be the
    pack's price, otherwise nothing is granted and the event is recorded for staff.
    """
    session = _current(StripeSession, session_id, "checkout session")
    if session.get("mode") != "payment":
        return None
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return None  # an async payment (bank debit) is still pending: async_payment_succeeded follows
    with transaction.atomic():
        purchase = (
            CreditPackPurchase.objects.select_for_update(of=("self",))
            .select_related("pack")
            .filter(stripe_checkout_session_id=session_id)
            .first()
        )
        if purchase is None:
            purchase = _purchase_from_session(session=session)
        expected = purchase.amount_cents if purchase.amount_cents is not None else purchase.pack.price_cents
        currency = (purchase.currency or purchase.pack.currency).lower()
        paid, paid_currency = session.get("amount_total"), str(session.get("currency") or "").lower()
        if paid != expected or paid_currency != currency:
            raise EventUnprocessable(
                f"checkout session {session_id}: paid {paid} {paid_currency}, the pack costs {expected} {currency}"
            )
        row = credits_grant(
            user=purchase.user,
            amount=purchase.credits,
            kind=Kind.PURCHASE,
            reference=f"pack:{session_id}",
            note=f"{purchase.credits} credits pack",
        )
        if purchase.status == CreditPackPurchase.Status.PENDING:
            purchase.status = CreditPackPurchase.Status.PAID
            purchase.paid_at = timezone.now()
        purchase.stripe_payment_intent_id = _id(session.get("payment_intent")) or purchase.stripe_payment_intent_id
        purchase.save(update_fields=["status", "paid_at", "stripe_payment_intent_id"])
    return row


def _purchase_from_session(*, session: dict) -> CreditPackPurchase:
    """A session we did not create (e.g. a payment link): the pack sold at its price, for its customer."""
    session_id = session["id"]
    try:
        lines = stripe.checkout.Session.list_line_items(
            session_id,
            api_key=settings.STRIPE_SECRET_KEY,
            stripe_version=settings.STRIPE_API_VERSION,
            limit=10,
        )
    except stripe.InvalidRequestError:
        raise EventUnprocessable(f"checkout session {session_id}: Stripe does not know its line items")
    price_ids = [price_of(line)[0] for line in lines.to_dict().get("data") or []]
    packs = list(CreditPack.objects.filter(stripe_price_id__in=[p for p in price_ids if p]))
    if len(price_ids) != 1 or len(packs) != 1:
        raise EventUnprocessable(f"checkout session {session_id}: not a PhotoMania credit pack ({price_ids})")
    pack = packs[0]
    user = user_for_customer(customer_id=_id(session.get("customer")))
    if user is None:
        raise EventUnprocessable(f"checkout session {session_id}: no user for customer {session.get('customer')}")
    purchase, _ = CreditPackPurchase.objects.get_or_create(
        stripe_checkout_session_id=session_id,
        defaults={
            "user": user,
            "pack": pack,
            "credits": pack.credits,
            "amount_cents": pack.price_cents,
            "currency": pack.currency,
        },
    )
    return CreditPackPurchase.objects.select_for_update(of=("self",)).select_related("pack").get(pk=purchase.pk)


def charge_refunded_apply(*, charge_id: str) -> CreditTransaction | None:
    """charge.refunded for a pack → take back the refunded share of its credits; what was spent becomes a debt.

    Each refund event accounts only for the share not accounted for before (``credits_revoked``
    counts credits taken back and credits recorded as owed alike), so a second partial refund
    takes back the new share only.
    """
    charge = _current(StripeCharge, charge_id, "charge")
    payment_intent = _id(charge.get("payment_intent"))
    if not payment_intent:
        return None
    amount = int(charge.get("amount") or 0)
    refunded = int(charge.get("amount_refunded") or 0)
    if amount <= 0 or refunded <= 0:
        return None
    with transaction.atomic():
        purchase = (
            CreditPackPurchase.objects.select_for_update()
            .filter(stripe_payment_intent_id=payment_intent)
            .exclude(status=CreditPackPurchase.Status.PENDING)
            .select_related("user")
            .first()
        )
        if purchase is None:
            return None  # a subscription charge, or a pack never paid: nothing to take back
        owed = min(purchase.credits, math.ceil(purchase.credits * refunded / amount))
        to_revoke = owed - purchase.credits_revoked
        if to_revoke <= 0:
            return None
        row = credits_revoke(
            user=purchase.user,
            amount=to_revoke,
            reference=f"pack-refund:{purchase.stripe_checkout_session_id}:{refunded}",
            note=f"refund of {refunded}/{amount} {charge.get('currency', '')}",
        )
        purchase.credits_revoked = owed
        if refunded >= amount:
            purchase.status = CreditPackPurchase.Status.REFUNDED
        purchase.save(update_fields=["credits_revoked", "status"])
    return row
