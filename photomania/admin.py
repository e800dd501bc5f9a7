"""How staff get into the admin (the site itself: ``admin_site.py``).

The admin has no password form of its own: ``/admin/login/`` sends the browser to allauth's
login (rate limits, lockout and the second factor apply there) and back to the admin page it
came from. With ``ADMIN_REQUIRE_MFA`` on, a staff session opens the admin (and the dashboard,
/metrics and the deep health check) only when *this session* signed in with a second factor:
that the account has an authenticator app is not enough, since a session signed in with the
password before the app was set up never passed it. A staff member without an authenticator app
is sent to set one up (which needs an invitation, see ``accounts/staff_invitations.py``); one with
an app whose session has not used it is asked for a code.
"""

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.mfa import session_passed_mfa


def staff_session_allowed(request) -> bool:
    """A signed-in staff member whose session passed a second factor (when ADMIN_REQUIRE_MFA is on)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    return not settings.ADMIN_REQUIRE_MFA or session_passed_mfa(request)


def second_factor_redirect(request, next_url: str):
    """Where a signed-in staff member whose session has no second factor goes first (None: nowhere)."""
    user = request.user
    if not (settings.ADMIN_REQUIRE_MFA and user.is_authenticated and user.is_staff) or session_passed_mfa(request):
        return None
    if is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        # The account has an authenticator app this session never used: a code, then back.
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")
    return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}")


def _admin_next(request) -> str:
    next_url = request.GET.get("next", "")
    admin_index = reverse("admin:index")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if safe and next_url.startswith(admin_index) else admin_index


def admin_login(request):
    """``/admin/login/`` (any method): off to allauth's login, then back to the admin page asked for."""
    if request.user.is_authenticated and not request.user.is_staff:
        # Signed in but not staff: allauth would send them straight back here.
        raise PermissionDenied("This account cannot open the admin.")
    if request.user.is_authenticated:
        # Signed in as staff without a second factor in this session: allauth's login would send
        # them straight back here too.
        response = second_factor_redirect(request, _admin_next(request))
        if response is not None:
            return response
    return redirect(f"{reverse('account_login')}?{urlencode({'next': _admin_next(request)})}")


class AdminMfaMiddleware:
    """Staff sessions without a second factor are sent to use (or set up) one before the admin opens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API is never the admin: skip reversing its URL on the hottest paths.
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        if (
            settings.ADMIN_REQUIRE_MFA
            and request.path.startswith(reverse("admin:index"))
            and request.path not in (reverse("admin:logout"), reverse("admin_login"))
        ):
            response = second_factor_redirect(request, request.path)
            if response is not None:
                return response
        return self.get_response(request)
