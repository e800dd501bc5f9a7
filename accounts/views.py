"""Account pages: sign-up that remembers a referral code, and the user's dashboard."""

from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.referrals import referral_code_remember, referral_code_remembered, referral_url
from billing.selectors import credit_history, credits_next_refill, plan_get

LEDGER_PAGE_SIZE = 15


class SignupView(AllauthSignupView):
    """allauth's sign-up page; ``?ref=CODE`` (or the form's referral field) is kept in the
    session, where the account adapter reads it when it saves the new user."""

    def dispatch(self, request, *args, **kwargs):
        code = request.POST.get("referral_code") if request.method == "POST" else request.GET.get("ref")
        referral_code_remember(session=request.session, code=code)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["referral_code"] = referral_code_remembered(session=self.request.session)
        return context


signup = SignupView.as_view()


@login_required
@require_GET
def dashboard(request):
    """Plan, balance, next refill, the credit ledger and the referral link."""
    user = request.user
    page = Paginator(credit_history(user=user), LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/dashboard.html",
        {
            "plan": plan_get(code=user.plan),
            "next_refill": credits_next_refill(user=user),
            "page": page,
            "referral_url": referral_url(user=user),
            "referral_count": user.referrals.count(),
            "referral_bonus": settings.REFERRAL_BONUS_CREDITS,
        },
    )
