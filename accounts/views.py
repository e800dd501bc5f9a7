"""Account pages: sign-up that remembers a referral code, the user's dashboard, and the staff
invitation that comes before a staff member's first authenticator app."""

from http import HTTPStatus

from allauth.account.views import SignupView as AllauthSignupView
from allauth.headless.internal.restkit.response import ErrorResponse
from allauth.headless.mfa.views import ManageTOTPView as AllauthManageTOTPView
from allauth.mfa.totp import views as allauth_totp_views
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.referrals import referral_code_remember, referral_code_remembered, referral_url
from accounts.staff_invitations import staff_enrolment_allow, staff_enrolment_refused, staff_invitation_redeem
from billing.selectors import credit_history, credits_next_refill, plan_get
from core.errors import ApplicationError

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

STAFF_INVITATION_REQUIRED = (
    "Staff set up their authenticator app with an invitation link from another staff member "
    "(or from `manage.py staff_invite`)."
)


@login_required
@require_http_methods(["GET", "POST"])
def staff_invitation(request, token):
    """GET: what the invitation link does; POST: use it up, then set up the authenticator app.

    Opening the link (a GET, which mail scanners also do) changes nothing.
    """
    error = None
    if request.method == "POST":
        try:
            invitation = staff_invitation_redeem(token=token, user=request.user, request=request)
        except ApplicationError as exc:
            error = exc.message
        else:
            staff_enrolment_allow(request, invitation)
            return redirect("mfa_activate_totp")
    return render(request, "account/staff_invitation.html", {"error": error}, status=400 if error else 200)


def mfa_activate_totp(request):
    """allauth's page that sets up an authenticator app; staff without one need a redeemed invitation."""
    if staff_enrolment_refused(request):
        return render(request, "account/staff_invitation_required.html", status=403)
    return allauth_totp_views.activate_totp(request)


class ManageTOTPView(AllauthManageTOTPView):
    """allauth's headless TOTP endpoint; staff without an app need a redeemed invitation (browser session)."""

    def handle(self, request, *args, **kwargs):
        if request.method in ("GET", "POST") and staff_enrolment_refused(request):
            error = ValidationError(STAFF_INVITATION_REQUIRED, code="staff_invitation_required")
            return ErrorResponse(request, exception=error, status=HTTPStatus.FORBIDDEN)
        return super().handle(request, *args, **kwargs)


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
