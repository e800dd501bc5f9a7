"""DRF authentication by developer API key (``X-Api-Key: <key>`` or ``Authorization: Api-Key <key>``).

Placed first in DEFAULT_AUTHENTICATION_CLASSES: a request that carries a key is judged by the key
alone. A key that does not authenticate is 401 INVALID_API_KEY and counts as a failure for the
client's address (ApiKeyFailureThrottle): a burst of wrong keys from one address answers 429.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from accounts.api_keys import api_key_authenticate
from accounts.models import ApiKey
from core.credentials import ApiKeyRefused
from core.errors import ApplicationError, ErrorCode
from core.throttles import ApiKeyFailureThrottle

AUTHORIZATION_KEYWORD = "api-key"


def api_key_of(request) -> str | None:
    """The key a request carries (None when it carries none; "" when a key header is empty)."""
    header = request.META.get("HTTP_X_API_KEY")
    if header is not None:
        return header.strip()
    parts = get_authorization_header(request).split()
    if parts and parts[0].decode("latin-1").lower() == AUTHORIZATION_KEYWORD:
        return parts[1].decode("latin-1") if len(parts) == 2 else ""
    return None


class ApiKeyAuthentication(BaseAuthentication):
    """Returns ``(user, api_key)``; ``request.auth`` is then the ApiKey row (scopes, per-key throttles)."""

    def authenticate(self, request):
        key = api_key_of(request)
        if key is None:
            return None
        api_key = api_key_authenticate(key=key)
        if api_key is None:
            throttle = ApiKeyFailureThrottle()
            if not throttle.count_failure(request):
                raise exceptions.Throttled(wait=throttle.wait())
            raise ApiKeyRefused()
        return api_key.user, api_key

    def authenticate_header(self, request):
        return ApiKeyRefused.www_authenticate


class NotWithApiKey(BasePermission):
    """Operations only a signed-in person may do (managing API keys): never with an API key."""

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            raise ApplicationError(ErrorCode.FORBIDDEN, "API keys cannot manage API keys; sign in to do this")
        return True
