"""Account pages: sign-up that remembers a referral code, and the user's dashboard."""

import re
from datetime import timedelta

from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from billing.models import CreditTransaction, Plan

REFERRAL_SESSION_KEY = "referral_code"
_REFERRAL_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
LEDGER_PAGE_SIZE = 15


class SignupView(AllauthSignupView):
    """allauth's sign-up page; ``?ref=CODE`` (or the form's referral field) is kept in the
    session, where the account adapter reads it when it saves the new user."""

    def dispatch(self, request, *args, **kwargs):
        code = request.POST.get("referral_code") if request.method == "POST" else request.GET.get("ref")
        if code is not None:
            code = code.strip()
            if _REFERRAL_CODE.match(code):
                request.session[REFERRAL_SESSION_KEY] = code
            elif not code:
                request.session.pop(REFERRAL_SESSION_KEY, None)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["referral_code"] = self.request.session.get(REFERRAL_SESSION_KEY, "")
        return context


signup = SignupView.as_view()


def _next_refill(user):
    """When the balance is next refilled: FREE users every FREE_REFILL_DAYS, paid plans at renewal."""
    if user.plan == "FREE":
        return user.credits_refilled_at + timedelta(days=settings.FREE_REFILL_DAYS)
    from djstripe.models import Subscription

    # current_period_end lives in the stored Stripe object, not in a column.
    ends = [
        sub.current_period_end
        for sub in Subscription.objects.filter(customer__subscriber=user, status__in=["active", "trialing", "past_due"])
    ]
    ends = [end for end in ends if end]
    return max(ends) if ends else None


@login_required
@require_GET
def dashboard(request):
    """Plan, balance, next refill, the credit ledger and the referral link."""
    user = request.user
    plan = Plan.objects.filter(code=user.plan).first()
    ledger = CreditTransaction.objects.filter(user=user).select_related("job__effect").order_by("-created_at", "-id")
    page = Paginator(ledger, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    referral_url = f"{settings.SITE_URL}{reverse('account_signup')}?ref={user.referral_code}"
    return render(
        request,
        "accounts/dashboard.html",
        {
            "plan": plan,
            "next_refill": _next_refill(user),
            "page": page,
            "referral_url": referral_url,
            "referral_count": user.referrals.count(),
            "referral_bonus": settings.REFERRAL_BONUS_CREDITS,
        },
    )
