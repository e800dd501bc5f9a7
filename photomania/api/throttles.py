"""DRF throttles on the shared cache. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].

Rates are looked up per request (not frozen at import) so a settings override takes effect.
The client IP honours REST_FRAMEWORK["NUM_PROXIES"] (TRUSTED_PROXY_COUNT), never a bare
X-Forwarded-For a client could forge.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _LiveRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_LiveRateMixin, UserRateThrottle):
    """Every authenticated API call (scope ``user``)."""


class AnonThrottle(_LiveRateMixin, AnonRateThrottle):
    """Every anonymous API call, per client IP (scope ``anon``)."""


class _PerUserScopeThrottle(_LiveRateMixin, SimpleRateThrottle):
    def get_cache_key(self, request, view):
        user = request.user
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApplyThrottle(_PerUserScopeThrottle):
    """Effect applications per user (scope ``apply``)."""

    scope = "apply"


class UploadThrottle(_PerUserScopeThrottle):
    """Image uploads (multipart applies) per user (scope ``upload``)."""

    scope = "upload"

    def allow_request(self, request, view):
        if not request.content_type.startswith("multipart/"):
            return True
        return super().allow_request(request, view)


DEFAULT_THROTTLES = [UserThrottle, AnonThrottle]
