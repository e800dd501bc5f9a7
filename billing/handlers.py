"""What a Stripe event means for PhotoMania: one plain function per event type.

They run inside the webhook's transaction, after dj-stripe has synced the object from Stripe's
API (billing/receivers.py wires them to dj-stripe's signals). Each is safe to run twice: credits
move through the ledger with a unique reference, plan changes are guarded by the event time.
An exception rolls everything back and the webhook answers 5xx, so Stripe retries.

Refund policy: a refunded credit pack takes back the refunded share of its credits (rounded up),
but never more than the user still holds; credits already spent are not turned into a debt.
Subscription refunds take nothing back (the period's credits were a reset, not a purchase).
"""

import logging
import math
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from djstripe.models import Customer
from djstripe.models import Invoice as StripeInvoice

from accounts.models import Plan as PlanCode
from billing.models import CreditPack, CreditPackPurchase, CreditTransaction, Plan, SubscriptionState
from billing.services import credits_grant, credits_revoke, credits_set

logger = logging.getLogger(__name__)
Kind = CreditTransaction.Kind

# Subscription statuses that end the paid plan, and those that keep it.
ENDED_STATUSES = frozenset({"canceled", "unpaid", "incomplete_expired", "paused"})
LIVE_STATUSES = frozenset({"active", "trialing", "past_due"})
REFILL_REASONS = frozenset({"subscription_create", "subscription_cycle"})


class UnknownPrice(Exception):
    """A paid Stripe price that no Plan is linked to: fail so Stripe retries after the catalog sync."""


def _id(value) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value or None


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


def plan_for_price(*, price_id: str | None) -> Plan | None:
    """The Plan whose monthly or yearly Stripe price is ``price_id``."""
    if not price_id:
        return None
    return Plan.objects.filter(Q(stripe_price_id=price_id) | Q(stripe_price_id_yearly=price_id)).first()


def _subscription_price_id(subscription: dict) -> str | None:
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        return None
    return _id(items[0].get("price")) or _id(items[0].get("plan"))


def _invoice_price_id(invoice: dict) -> str | None:
    for line in (invoice.get("lines") or {}).get("data") or []:
        price = _id(line.get("price")) or _id(line.get("plan"))
        if not price:
            details = (line.get("pricing") or {}).get("price_details") or {}
            price = _id(details.get("price"))
        if price:
            return price
    return None


def _is_stale(*, state: SubscriptionState | None, created: datetime, subscription_id: str, status: str) -> bool:
    if state is None:
        return False
    if created < state.event_created:
        return True
    if created == state.event_created and state.stripe_subscription_id == subscription_id:
        # Same second (Stripe's resolution): an ending is final, a lower-ranked state never undoes it.
        return state.status in ENDED_STATUSES and status not in ENDED_STATUSES
    return False


def subscription_event_apply(*, event_id: str, event_created: datetime, subscription: dict, deleted: bool = False):
    """customer.subscription.created/updated/deleted → the user's plan, newest event wins."""
    status = "canceled" if deleted else str(subscription.get("status") or "")
    subscription_id = subscription["id"]
    metadata = subscription.get("metadata") or {}
    user = user_for_customer(customer_id=_id(subscription.get("customer")), metadata=metadata)
    if user is None:
        logger.warning("subscription %s: no user for customer %s", subscription_id, subscription.get("customer"))
        return None
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
        if status in ENDED_STATUSES:
            new_plan = PlanCode.FREE
        elif status in LIVE_STATUSES:
            plan = plan_for_price(price_id=_subscription_price_id(subscription))
            if plan is None:
                raise UnknownPrice(f"subscription {subscription_id}: price {_subscription_price_id(subscription)}")
            new_plan = plan.code
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
    user.refresh_from_db()
    return user


def invoice_paid_apply(*, invoice: dict) -> CreditTransaction | None:
    """invoice.paid / invoice.payment_succeeded → reset credits to the plan's quota, once per invoice."""
    if invoice.get("billing_reason") not in REFILL_REASONS:
        return None
    invoice_id = invoice["id"]
    metadata = (invoice.get("subscription_details") or {}).get("metadata") or {}
    user = user_for_customer(customer_id=_id(invoice.get("customer")), metadata=metadata)
    if user is None:
        logger.warning("invoice %s: no user for customer %s", invoice_id, invoice.get("customer"))
        return None
    price_id = _invoice_price_id(invoice)
    plan = plan_for_price(price_id=price_id)
    if plan is None:
        raise UnknownPrice(f"invoice {invoice_id}: price {price_id}")
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


def checkout_session_paid_apply(*, session: dict) -> CreditTransaction | None:
    """A paid pack Checkout Session → grant the pack's credits (``pack:<session>``); never subscriptions."""
    if session.get("mode") != "payment":
        return None
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return None  # an async payment (bank debit) is still pending: async_payment_succeeded follows
    session_id = session["id"]
    metadata = session.get("metadata") or {}
    with transaction.atomic():
        purchase = CreditPackPurchase.objects.select_for_update().filter(stripe_checkout_session_id=session_id).first()
        if purchase is None:
            purchase = _purchase_from_session(session=session, metadata=metadata)
            if purchase is None:
                logger.warning("checkout session %s: not a PhotoMania credit pack", session_id)
                return None
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


def _purchase_from_session(*, session: dict, metadata: dict) -> CreditPackPurchase | None:
    # A session we did not record at creation (e.g. created by staff in the dashboard) still
    # counts when it carries our metadata.
    pack = CreditPack.objects.filter(code=metadata.get("pack") or "").first()
    user = user_for_customer(customer_id=_id(session.get("customer")), metadata=metadata)
    if pack is None or user is None:
        return None
    credits = str(metadata.get("credits") or "")
    purchase, _ = CreditPackPurchase.objects.get_or_create(
        stripe_checkout_session_id=session["id"],
        defaults={"user": user, "pack": pack, "credits": int(credits) if credits.isdigit() else pack.credits},
    )
    return CreditPackPurchase.objects.select_for_update().get(pk=purchase.pk)


def charge_refunded_apply(*, charge: dict) -> CreditTransaction | None:
    """charge.refunded for a pack → take back the refunded share of its credits, never below zero."""
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
