"""Stripe-facing services: customers, Checkout, the customer portal and the catalog sync.

Every Stripe call goes through the ``stripe`` library with the key from settings; dj-stripe keeps
its tables (Customer, Product, Price...) in sync. A Stripe outage becomes SERVICE_UNAVAILABLE,
never a traceback.
"""

import logging

import stripe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from djstripe.models import Customer, Price, Product

from billing.models import CreditPack, CreditPackPurchase, Plan, PlanCode, PlanPrice
from billing.prices import SalePrice, price_on_sale
from core.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)


def stripe_api_key() -> str:
    """The secret key, or SERVICE_UNAVAILABLE when payments are not configured on this machine."""
    key = settings.STRIPE_SECRET_KEY
    if not key:
        raise ApplicationError(ErrorCode.SERVICE_UNAVAILABLE, "Payments are not available right now")
    return key


def _unavailable(exc: Exception) -> ApplicationError:
    # Stripe's message can name ids and parameters: it goes to the log, not to the client.
    logger.warning("stripe call failed: %s: %s", exc.__class__.__name__, exc)
    return ApplicationError(ErrorCode.SERVICE_UNAVAILABLE, "Payments are temporarily unavailable, please retry")


def customer_get_or_create(*, user) -> Customer:
    """The user's dj-stripe Customer, created at Stripe on first use and never duplicated."""
    api_key = stripe_api_key()
    User = get_user_model()
    existing = Customer.objects.filter(subscriber=user, livemode=settings.STRIPE_LIVE_MODE).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            # One creator per user: a second concurrent checkout waits here, then finds the row.
            User.objects.select_for_update().only("id").get(pk=user.pk)
            customer, _created = Customer.get_or_create(
                subscriber=user, livemode=settings.STRIPE_LIVE_MODE, api_key=api_key
            )
            return customer
    except stripe.StripeError as exc:
        raise _unavailable(exc)


def _billing_url(outcome: str | None = None) -> str:
    return f"{settings.SITE_URL}/billing/" + (f"?checkout={outcome}" if outcome else "")


def _plan_for_checkout(*, user, plan_code: str) -> tuple[Plan, SalePrice]:
    code = plan_code.strip().upper()
    plan = Plan.objects.filter(code=code, is_active=True).exclude(code=PlanCode.FREE).first()
    if plan is None:
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, "Invalid input", details={"plan": ["Unknown plan"]})
    if user.plan == plan.code:
        raise ApplicationError(ErrorCode.ALREADY_EXISTS, f"You are already on the {plan.name} plan")
    if user.plan != PlanCode.FREE:
        # A second Checkout would start a second subscription billed alongside the first.
        raise ApplicationError(
            ErrorCode.ALREADY_EXISTS, "You already have a subscription; change plans in the billing portal"
        )
    price = price_on_sale(price_id=plan.stripe_price_id, recurring=True)
    if price is None:
        raise ApplicationError(ErrorCode.SERVICE_UNAVAILABLE, f"The {plan.name} plan is not on sale yet")
    return plan, price


def _pack_for_checkout(*, pack_code: str) -> tuple[CreditPack, SalePrice]:
    pack = CreditPack.objects.filter(code=pack_code.strip(), is_active=True).first()
    if pack is None:
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, "Invalid input", details={"pack": ["Unknown credit pack"]})
    price = price_on_sale(price_id=pack.stripe_price_id, recurring=False)
    if price is None:
        raise ApplicationError(ErrorCode.SERVICE_UNAVAILABLE, f"{pack.name} is not on sale yet")
    return pack, price


def checkout_session_create(*, user, plan_code: str | None = None, pack_code: str | None = None) -> dict:
    """Start Stripe Checkout for a plan (subscription mode) or a credit pack (payment mode).

    Returns ``{"url": ..., "sessionId": ...}``. Unknown plan/pack → VALIDATION_ERROR, the current
    plan (or any paid plan) → ALREADY_EXISTS, Stripe down or not configured → SERVICE_UNAVAILABLE.
    """
    if bool(plan_code) == bool(pack_code):
        raise ApplicationError(
            ErrorCode.VALIDATION_ERROR,
            "Invalid input",
            details={"nonFieldErrors": ["Choose exactly one of plan or pack"]},
        )
    plan = pack = None
    if plan_code:
        plan, price = _plan_for_checkout(user=user, plan_code=plan_code)
    else:
        pack, price = _pack_for_checkout(pack_code=pack_code)
    api_key = stripe_api_key()
    customer = customer_get_or_create(user=user)
    metadata = {"user_id": str(user.pk)}
    params: dict = {
        "customer": customer.id,
        "client_reference_id": str(user.pk),
        "success_url": _billing_url("success"),
        "cancel_url": _billing_url("cancel"),
    }
    if plan is not None:
        metadata["plan"] = plan.code
        params |= {
            "mode": "subscription",
            "line_items": [{"price": price.id, "quantity": 1}],
            "subscription_data": {"metadata": metadata},
        }
    else:
        metadata |= {"pack": pack.code, "credits": str(pack.credits)}
        params |= {
            "mode": "payment",
            "line_items": [{"price": price.id, "quantity": 1}],
            "payment_intent_data": {"metadata": metadata},
        }
    try:
        session = stripe.checkout.Session.create(
            api_key=api_key, stripe_version=settings.STRIPE_API_VERSION, metadata=metadata, **params
        )
    except stripe.StripeError as exc:
        raise _unavailable(exc)
    if pack is not None:
        CreditPackPurchase.objects.create(
            user=user,
            pack=pack,
            credits=pack.credits,
            # What Stripe charges: the synced price the session was created with.
            amount_cents=price.amount,
            currency=price.currency,
            stripe_checkout_session_id=session["id"],
        )
    return {"url": session["url"], "sessionId": session["id"]}


def billing_portal_session_create(*, user) -> str:
    """A Stripe customer-portal URL where a customer manages or cancels the subscription (NOT_FOUND for non-customers)."""
    api_key = stripe_api_key()
    # The portal manages what a customer has; it is not offered to users who never paid.
    customer = Customer.objects.filter(subscriber=user, livemode=settings.STRIPE_LIVE_MODE).first()
    if customer is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "You have no subscription or purchases to manage yet")
    try:
        session = stripe.billing_portal.Session.create(
            api_key=api_key,
            stripe_version=settings.STRIPE_API_VERSION,
            customer=customer.id,
            return_url=_billing_url(),
        )
    except stripe.StripeError as exc:
        raise _unavailable(exc)
    return session["url"]


def stripe_catalog_sync() -> dict[str, list[str]]:
    """Sync Stripe products and prices into dj-stripe, then link Plan/CreditPack price ids.

    A price is linked by its metadata: ``plan=<PLAN CODE>`` (recurring, monthly or yearly by
    its interval) or ``pack=<pack code>`` (one-time). Every plan price, archived ones too, is
    kept in the price map so existing subscribers on an old price keep their plan; only
    active prices become the plan's price for new checkouts. Returns what was synced and linked.
    """
    api_key = stripe_api_key()
    report: dict[str, list[str]] = {"products": [], "prices": [], "linked": []}
    try:
        for data in Product.api_list(api_key=api_key):
            report["products"].append(Product.sync_from_stripe_data(data, api_key=api_key).id)
        prices = list(Price.api_list(api_key=api_key))
    except stripe.StripeError as exc:
        raise _unavailable(exc)
    for data in prices:
        price = Price.sync_from_stripe_data(data, api_key=api_key)
        report["prices"].append(price.id)
        metadata = data.get("metadata") or {}
        recurring = data.get("recurring") or {}
        active = bool(data.get("active", True))
        plan = Plan.objects.filter(code=str(metadata.get("plan") or "").upper()).first() if recurring else None
        if plan is not None:
            PlanPrice.objects.update_or_create(
                stripe_price_id=price.id,
                defaults={"plan": plan, "interval": recurring.get("interval") or "", "active": active},
            )
        if not active:
            continue
        # The display price follows the price Stripe charges (monthly for plans).
        unit_amount = data.get("unit_amount")
        amount = {} if unit_amount is None else {"price_cents": unit_amount, "currency": str(data["currency"]).lower()}
        if metadata.get("plan"):
            field = "stripe_price_id_yearly" if recurring.get("interval") == "year" else "stripe_price_id"
            changes = {field: price.id} | (amount if field == "stripe_price_id" else {})
            if Plan.objects.filter(code=metadata["plan"].upper()).update(**changes):
                report["linked"].append(f"plan {metadata['plan'].upper()} {field}={price.id}")
        elif metadata.get("pack") and not recurring:
            if CreditPack.objects.filter(code=metadata["pack"]).update(stripe_price_id=price.id, **amount):
                report["linked"].append(f"pack {metadata['pack']} stripe_price_id={price.id}")
    return report


# Subscription statuses that still bill (or may bill) the customer: the ones account deletion cancels.
_ENDED_SUBSCRIPTION_STATUSES = ("canceled", "incomplete_expired")


def _subscription_ids_to_cancel(*, user) -> set[str]:
    from djstripe.models import Subscription

    from billing.models import SubscriptionState

    # dj-stripe 2.11 keeps the object as Stripe sent it in ``stripe_data``.
    ids = set(
        Subscription.objects.filter(customer__subscriber=user)
        .exclude(stripe_data__status__in=_ENDED_SUBSCRIPTION_STATUSES)
        .values_list("id", flat=True)
    )
    state = SubscriptionState.objects.filter(user=user).first()
    if state and state.stripe_subscription_id and state.status not in _ENDED_SUBSCRIPTION_STATUSES:
        ids.add(state.stripe_subscription_id)
    return ids


def _already_done(exc: stripe.InvalidRequestError) -> bool:
    # Stripe answers 400/404 for a subscription already cancelled (or gone) and a session no longer open.
    return getattr(exc, "http_status", None) in (400, 404)


def customer_billing_close(*, user) -> dict[str, list[str]]:
    """Stop everything that could still charge the user, at once and in Stripe (account deletion).

    Every active subscription is cancelled immediately (no proration, no further invoice) and every
    pending credit-pack Checkout Session is expired, so it can no longer be paid. Safe to run again:
    what Stripe says is already cancelled or closed counts as done. A Stripe outage raises
    SERVICE_UNAVAILABLE for the caller to retry. The ledger and the invoices stay.
    """
    subscriptions = sorted(_subscription_ids_to_cancel(user=user))
    sessions = sorted(
        CreditPackPurchase.objects.filter(user=user, status=CreditPackPurchase.Status.PENDING).values_list(
            "stripe_checkout_session_id", flat=True
        )
    )
    report: dict[str, list[str]] = {"subscriptions_cancelled": [], "checkouts_expired": []}
    if not subscriptions and not sessions:
        return report
    api_key = stripe_api_key()
    for subscription_id in subscriptions:
        try:
            stripe.Subscription.cancel(subscription_id, api_key=api_key, stripe_version=settings.STRIPE_API_VERSION)
        except stripe.InvalidRequestError as exc:
            if not _already_done(exc):
                raise _unavailable(exc)
        except stripe.StripeError as exc:
            raise _unavailable(exc)
        report["subscriptions_cancelled"].append(subscription_id)
    for session_id in sessions:
        try:
            stripe.checkout.Session.expire(session_id, api_key=api_key, stripe_version=settings.STRIPE_API_VERSION)
        except stripe.InvalidRequestError as exc:
            if not _already_done(exc):
                raise _unavailable(exc)
        except stripe.StripeError as exc:
            raise _unavailable(exc)
        report["checkouts_expired"].append(session_id)
    return report
