"""How staff get into the admin (the site itself: ``admin_site.py``).

The admin has no password form of its own: ``/admin/login/`` sends the browser to allauth's
login (rate limits, lockout and the second factor apply there) and back to the admin page it
came from. With ``ADMIN_REQUIRE_MFA`` on, a staff member without an authenticator app is sent
to set one up before any admin page opens.
"""

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


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
    return redirect(f"{reverse('account_login')}?{urlencode({'next': _admin_next(request)})}")


class AdminMfaMiddleware:
    """Staff without an authenticator app are redirected to set one up before the admin opens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API is never the admin: skip reversing its URL on the hottest paths.
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        if settings.ADMIN_REQUIRE_MFA and request.path.startswith(reverse("admin:index")):
            user = request.user
            if (
                user.is_authenticated
                and user.is_staff
                and request.path != reverse("admin:logout")
                and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
            ):
                return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.path})}")
        return self.get_response(request)
