"""Billing pages: plans and credit packs, Stripe Checkout and the customer portal."""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from billing.selectors import billing_overview
from billing.stripe_services import billing_portal_session_create, checkout_session_create
from core.errors import ApplicationError

logger = logging.getLogger(__name__)


class CheckoutForm(forms.Form):
    plan = forms.CharField(required=False, max_length=16)
    pack = forms.CharField(required=False, max_length=40)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("plan")) == bool(cleaned.get("pack")):
            raise forms.ValidationError("Choose a plan or a credit pack.")
        return cleaned


@login_required
@require_GET
def billing(request):
    """Plans and packs with prices, checkout buttons, the portal, and the past-due state."""
    # Stripe returns here with ?checkout=success|cancel (see billing.stripe_services).
    outcome = request.GET.get("checkout")
    if outcome == "success":
        return redirect("billing_success")
    if outcome == "cancel":
        return redirect("billing_cancel")
    overview = billing_overview(user=request.user)
    return render(
        request,
        "billing/billing.html",
        {
            "plans": overview.plans,
            "packs": overview.packs,
            "is_customer": overview.is_customer,
            "plan_set_by_staff": overview.plan_set_by_staff,
            "payments_enabled": overview.payments_enabled,
            "nothing_on_sale": overview.nothing_on_sale,
            "demo_prices": overview.demo_prices,
        },
    )


def _error_text(exc: ApplicationError) -> str:
    """The service's message, or its first field message when the message is generic."""
    if exc.details:
        for messages_ in exc.details.values():
            if messages_:
                return str(messages_[0]) + "."
    return exc.message


@login_required
@require_POST
def checkout(request):
    """Start Stripe Checkout for a plan or a credit pack (POST + CSRF)."""

    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a plan or a credit pack.")
        return redirect("billing")
    try:
        session = checkout_session_create(
            user=request.user,
            plan_code=form.cleaned_data["plan"] or None,
            pack_code=form.cleaned_data["pack"] or None,
        )
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("billing")
    return redirect(session["url"])


@login_required
@require_POST
def portal(request):
    """Open the Stripe customer portal (manage or cancel the subscription, update the card)."""

    try:
        session = billing_portal_session_create(user=request.user)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("billing")
    return redirect(session)


@login_required
@require_GET
def checkout_success(request):
    """Return page after a paid checkout: credits arrive with Stripe's webhook, usually within seconds."""
    return render(request, "billing/success.html")


@login_required
@require_GET
def checkout_cancel(request):
    """Return page after an abandoned checkout: nothing was charged."""
    return render(request, "billing/cancel.html")
