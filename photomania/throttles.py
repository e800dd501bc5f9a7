"""DRF throttles on the shared cache. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].

The API views use them, and pages call the same classes, so a page and the API share one budget
(the same cache keys) per user.

Rates are looked up per request (not frozen at import) so a settings override takes effect.
The client IP honours REST_FRAMEWORK["NUM_PROXIES"] (TRUSTED_PROXY_COUNT), never a bare
X-Forwarded-For a client could forge.
"""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache  # PooledRedisCache is one
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


def _window_hit(key: str, ttl: int) -> int:
    """Count one request in a fixed window; one round trip to Redis (INCR + EXPIRE pipelined)."""
    cache = caches["default"]  # the backend itself (django.core.cache.cache is a proxy)
    if isinstance(cache, RedisCache):
        key = cache.make_and_validate_key(key)
        client = cache._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, ttl, nx=True)
        count, _ = pipe.execute()
        return int(count)
    cache.add(key, 0, ttl)
    return cache.incr(key)


class _LiveRateMixin:
    """Rates read per request, counted in fixed windows.

    DRF's default keeps a list of timestamps per client (a read and a write of a growing value
    on every request); a counter per window costs one pipelined round trip. The price is that
    a client may burst up to twice the rate across a window boundary.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = int(self.timer())
        window_start = now - now % self.duration
        self._retry_after = window_start + self.duration - now
        count = _window_hit(f"{self.key}:{window_start}", self.duration + 1)
        return count <= self.num_requests

    def wait(self):
        return max(getattr(self, "_retry_after", 1), 1)


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


class BillingThrottle(_PerUserScopeThrottle):
    """Checkout and customer-portal sessions per user (scope ``billing``): each one calls Stripe."""

    scope = "billing"


DEFAULT_THROTTLES = [UserThrottle, AnonThrottle]
