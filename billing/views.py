"""Billing pages: plans and credit packs, Stripe Checkout and the customer portal."""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from billing.models import CreditPack, Plan
from photomania.api.errors import ApplicationError

logger = logging.getLogger(__name__)


class CheckoutForm(forms.Form):
    plan = forms.CharField(required=False, max_length=16)
    pack = forms.CharField(required=False, max_length=40)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("plan")) == bool(cleaned.get("pack")):
            raise forms.ValidationError("Choose a plan or a credit pack.")
        return cleaned


CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}


def money_display(cents: int, currency: str) -> str:
    """$9 or $9.50 (whole amounts without cents); unknown currencies get their code."""
    amount = f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency.lower())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


@login_required
@require_GET
def billing(request):
    """Plans and packs with prices, checkout buttons, the portal, and the past-due state."""
    plans = list(Plan.objects.filter(is_active=True).order_by("position", "monthly_credits"))
    packs = list(CreditPack.objects.filter(is_active=True).order_by("position", "credits"))
    for item in (*plans, *packs):
        item.price_display = money_display(item.price_cents, item.currency)
    return render(request, "billing/billing.html", {"plans": plans, "packs": packs})


def _session_url(session) -> str:
    """Services return a Stripe session object (or its URL); pages only need the URL."""
    if isinstance(session, str):
        return session
    if isinstance(session, dict):
        return session["url"]
    return session.url


@login_required
@require_POST
def checkout(request):
    """Start Stripe Checkout for a plan or a credit pack (POST + CSRF)."""
    from billing.services import checkout_session_create

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
        messages.error(request, exc.message)
        return redirect("billing")
    return redirect(_session_url(session))


@login_required
@require_POST
def portal(request):
    """Open the Stripe customer portal (manage or cancel the subscription, update the card)."""
    from billing.services import billing_portal_session_create

    try:
        session = billing_portal_session_create(user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing")
    return redirect(_session_url(session))


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
