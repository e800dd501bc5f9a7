"""DRF throttles on the shared cache. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].

The API views use them, and pages call the same classes, so a page and the API share one budget
(the same cache keys) per user.

Rates are looked up per request (not frozen at import) so a settings override takes effect.
The client IP honours REST_FRAMEWORK["NUM_PROXIES"] (TRUSTED_PROXY_COUNT), never a bare
X-Forwarded-For a client could forge.
"""

from collections.abc import Sequence

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache  # PooledRedisCache is one
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


def _window_hit(key: str, ttl: int) -> int:
    """Count one request in a fixed window; one round trip to Redis (INCR + EXPIRE pipelined)."""
    [count], _values = windows_hit_and_read([(key, ttl)])
    return count


def windows_hit_and_read(windows: list[tuple[str, int]], reads: Sequence[str] = ()) -> tuple[list[int], dict]:
    """Count one request in each ``(key, ttl)`` window and read the cache ``reads`` keys, in one
    round trip to Redis (INCR + EXPIRE per window and a GET per read, pipelined).

    Returns the windows' counts and ``{read key: cached value or None}``.
    """
    cache = caches["default"]  # the backend itself (django.core.cache.cache is a proxy)
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        pipe = client.pipeline(transaction=False)
        for key, ttl in windows:
            key = cache.make_and_validate_key(key)
            pipe.incr(key)
            pipe.expire(key, ttl, nx=True)
        for key in reads:
            pipe.get(cache.make_and_validate_key(key))
        results = pipe.execute()
        counts = [int(count) for count in results[: 2 * len(windows) : 2]]
        loads = cache._cache._serializer.loads
        values = results[2 * len(windows) :]
        return counts, {key: None if value is None else loads(value) for key, value in zip(reads, values, strict=True)}
    counts = []
    for key, ttl in windows:
        cache.add(key, 0, ttl)
        counts.append(cache.incr(key))
    return counts, {key: cache.get(key) for key in reads}


class _LiveRateMixin:
    """Rates read per request, counted in fixed windows.

    DRF's default keeps a list of timestamps per client (a read and a write of a growing value
    on every request); a counter per window costs one pipelined round trip, and
    ``throttles_check`` counts every throttle of a view in that same round trip. The price is
    that a client may burst up to twice the rate across a window boundary.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def window(self, request, view) -> tuple[str, int] | None:
        """The counter this request is counted in, as ``(key, ttl)``; None when it is not throttled."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return None
        now = int(self.timer())
        window_start = now - now % self.duration
        self._retry_after = window_start + self.duration - now
        return f"{self.key}:{window_start}", self.duration + 1

    def allow_count(self, count: int) -> bool:
        return count <= self.num_requests

    def allow_request(self, request, view):
        window = self.window(request, view)
        if window is None:
            return True
        return self.allow_count(_window_hit(*window))

    def wait(self):
        return max(getattr(self, "_retry_after", 1), 1)


def throttles_check(throttles, request, view, *, reads: Sequence[str] = ()) -> tuple[list, dict]:
    """Count the request in every throttle (as DRF does: each one counts, even after a refusal)
    and read the cache ``reads`` keys, in one Redis round trip for all our throttles.

    Returns the waits of the throttles that refuse the request (empty when it may go on) and
    ``{read key: cached value or None}``.
    """
    counted, waits = [], []
    for throttle in throttles:
        if isinstance(throttle, _LiveRateMixin):
            window = throttle.window(request, view)
            if window is not None:
                counted.append((throttle, window))
        elif not throttle.allow_request(request, view):
            waits.append(throttle.wait())
    counts, values = windows_hit_and_read([window for _throttle, window in counted], reads)
    for (throttle, _window), count in zip(counted, counts, strict=True):
        if not throttle.allow_count(count):
            waits.append(throttle.wait())
    return waits, values


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

    def window(self, request, view):
        if not request.content_type.startswith("multipart/"):
            return None
        return super().window(request, view)


class BillingThrottle(_PerUserScopeThrottle):
    """Checkout and customer-portal sessions per user (scope ``billing``): each one calls Stripe."""

    scope = "billing"


DEFAULT_THROTTLES = [UserThrottle, AnonThrottle]
