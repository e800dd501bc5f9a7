"""Admin for billing's Stripe bookkeeping (imported at the end of billing/admin.py). Read-only: webhooks write these."""

from django.contrib import admin

from billing.models import CreditPackPurchase, PlanPrice, SubscriptionState, UnprocessableStripeEvent
from core.admin import ReadOnlyModelAdmin as _ReadOnly


@admin.register(CreditPackPurchase)
class CreditPackPurchaseAdmin(_ReadOnly):
    list_display = ("created_at", "user", "pack", "credits", "status", "credits_revoked", "stripe_checkout_session_id")
    list_filter = ("status", "pack")
    search_fields = ("user__email", "stripe_checkout_session_id", "stripe_payment_intent_id")
    list_select_related = ("user", "pack")


@admin.register(SubscriptionState)
class SubscriptionStateAdmin(_ReadOnly):
    list_display = ("user", "stripe_subscription_id", "status", "event_created", "event_id")
    search_fields = ("user__email", "stripe_subscription_id", "event_id")
    list_select_related = ("user",)


@admin.register(UnprocessableStripeEvent)
class UnprocessableStripeEventAdmin(_ReadOnly):
    """Signed events acknowledged to Stripe that could never be applied, with the reason."""

    list_display = ("updated_at", "event_type", "event_id", "object_id", "reason", "deliveries", "resolved")
    list_filter = ("event_type", "resolved")
    search_fields = ("event_id", "object_id", "reason")


@admin.register(PlanPrice)
class PlanPriceAdmin(_ReadOnly):
    """Every Stripe price that bills a plan (archived ones keep mapping)."""

    list_display = ("stripe_price_id", "plan", "interval", "active", "created_at")
    list_filter = ("plan", "active")
    search_fields = ("stripe_price_id",)
    list_select_related = ("plan",)
