"""Account pages: sign-up that remembers a referral code, the user's dashboard, data export and
account deletion and developer API keys (the same services as the API), and the staff invitation that comes before a
staff member's first authenticator app."""

import datetime
import time
from http import HTTPStatus

from allauth.account.views import SignupView as AllauthSignupView
from allauth.headless.internal.restkit.response import ErrorResponse
from allauth.headless.mfa.views import ManageTOTPView as AllauthManageTOTPView
from allauth.mfa.totp import views as allauth_totp_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.api_keys import api_key_create, api_key_revoke, api_keys_for_user
from accounts.deletion import (
    CONFIRMATION_WORD,
    account_deletion_confirm,
    account_deletion_request,
    account_recently_authenticated,
)
from accounts.export import data_export_latest, data_export_request
from accounts.referrals import referral_code_remember, referral_code_remembered, referral_url
from accounts.staff_invitations import staff_enrolment_allow, staff_enrolment_refused, staff_invitation_redeem
from billing.selectors import credit_history, credits_next_refill, plan_get
from core.credentials import API_KEY_SCOPES
from core.errors import ApplicationError

# After the first step of the deletion page, the final button works for this long.
DELETE_CONFIRMATION_SECONDS = 300
_DELETE_CONFIRMED_KEY = "account_delete_confirmed_at"

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
            "export": data_export_latest(user=user),
        },
    )


@login_required
@require_POST
def data_export_start(request):
    """Start building the user's data export (once a day); the dashboard shows its status and link."""
    try:
        data_export_request(user=request.user, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your data export is being prepared. Refresh this page in a minute.")
    return redirect("dashboard")


def _delete_errors(exc: ApplicationError) -> list[str]:
    errors = [str(m) for messages_ in (exc.details or {}).values() for m in messages_]
    return errors if exc.code == "VALIDATION_ERROR" and errors else [exc.message]


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Delete my account, in two steps: confirm (the password, or the word DELETE for an account without
    one, which must have signed in within the last few minutes), then a final button."""
    user = request.user
    context = {
        "has_password": user.has_usable_password(),
        "needs_code": user.is_staff and _has_totp(user),
        "recently_authenticated": account_recently_authenticated(request=request, user=user),
        "word": CONFIRMATION_WORD,
        "step": "confirm",
        "errors": [],
    }
    if request.method == "POST" and request.POST.get("step") == "final":
        confirmed_at = request.session.get(_DELETE_CONFIRMED_KEY)
        if not isinstance(confirmed_at, (int, float)) or time.time() - confirmed_at > DELETE_CONFIRMATION_SECONDS:
            context["errors"] = ["Please confirm again."]
        else:
            account_deletion_request(user=user, request=request)
            logout(request)
            return render(request, "accounts/account_deleted.html")
    elif request.method == "POST":
        try:
            if not context["has_password"] and request.POST.get("word", "").strip() != CONFIRMATION_WORD:
                raise ApplicationError("VALIDATION_ERROR", f"Type {CONFIRMATION_WORD} to confirm.")
            account_deletion_confirm(
                request=request,
                user=user,
                password=request.POST.get("password") if context["has_password"] else None,
                code=request.POST.get("code"),
            )
        except ApplicationError as exc:
            context["errors"] = _delete_errors(exc)
        else:
            request.session[_DELETE_CONFIRMED_KEY] = time.time()
            context["step"] = "final"
    status = 400 if context["errors"] else 200
    return render(request, "accounts/account_delete.html", context, status=status)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@require_GET
def privacy(request):
    """What PhotoMania keeps about people and their photos, for how long, and who else sees them."""
    return render(
        request,
        "accounts/privacy.html",
        {
            "source_days": settings.SOURCE_RETENTION_DAYS,
            "result_days": settings.RESULT_RETENTION_DAYS,
            "audit_ip_days": settings.AUDIT_IP_RETENTION_DAYS,
        },
    )


def _expiry_from(value: str):
    """The form's optional expiry date: the end of that day (UTC); None when left empty."""
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise ApplicationError("VALIDATION_ERROR", "Enter the expiry as a date (YYYY-MM-DD).") from None
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=datetime.UTC)


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request):
    """Developer API keys: make one (shown once, in this answer only), list and revoke them."""
    user = request.user
    context = {"scopes": API_KEY_SCOPES, "chosen_scopes": list(API_KEY_SCOPES), "errors": [], "created_key": None}
    if request.method == "POST" and request.POST.get("action") == "revoke":
        try:
            api_key_revoke(user=user, key_id=request.POST.get("key_id"), request=request)
        except (ApplicationError, ValidationError):
            messages.error(request, "That key does not exist or was already revoked.")
        else:
            messages.success(request, "The key was revoked: it stopped working at once.")
        return redirect("api_keys")
    if request.method == "POST":
        chosen = request.POST.getlist("scopes")
        context["chosen_scopes"] = chosen
        context["name"] = request.POST.get("name", "")
        try:
            api_key, key = api_key_create(
                user=user,
                name=request.POST.get("name", ""),
                scopes=chosen or [],
                expires_at=_expiry_from(request.POST.get("expires", "").strip()),
                request=request,
            )
        except ApplicationError as exc:
            context["errors"] = _delete_errors(exc)
        else:
            context.update(created_key=key, created=api_key, name="", chosen_scopes=list(API_KEY_SCOPES))
    context["keys"] = api_keys_for_user(user=user)
    response = render(request, "accounts/api_keys.html", context, status=400 if context["errors"] else 200)
    response["Cache-Control"] = "no-store"  # the page may hold a key shown once
    return response
