"""DRF throttles counted in Redis (REDIS_URL). Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].

The API views use them, and pages call the same classes, so a page and the API share one budget
(the same counters) per user. The counters are plain Redis keys on a client of their own; without
REDIS_URL (development) they live in Django's cache.

Rates are looked up per request (not frozen at import) so a settings override takes effect.
The client IP honours REST_FRAMEWORK["NUM_PROXIES"] (TRUSTED_PROXY_COUNT), never a bare
X-Forwarded-For a client could forge.
"""

import threading
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

_client: redis.Redis | None = None
_client_lock = threading.Lock()


def throttle_redis() -> redis.Redis | None:
    """The throttles' Redis client, built once per process from REDIS_URL (thread-safe over its
    connection pool); None without REDIS_URL (development without Redis: the file cache counts)."""
    global _client
    if _client is None and settings.REDIS_URL:
        with _client_lock:
            if _client is None:
                _client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    return _client


@receiver(setting_changed)
def _throttle_redis_reset(*, setting, **kwargs):
    """A new REDIS_URL (tests override it) gets a new client on the next count."""
    global _client
    if setting in ("REDIS_URL", "CACHES"):
        with _client_lock:
            if _client is not None:
                _client.close()
            _client = None


def _redis_key(key: str) -> str:
    # The cache's key prefix keeps deployments sharing a Redis (the bench, development) apart.
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:{key}"


def windows_hit(windows: list[tuple[str, int]] | list[tuple[str, int, int]]) -> list[int]:
    """Count one request in each ``(key, ttl)`` window (``(key, ttl, amount)``: ``amount`` of them) and
    return the counts: one round trip to Redis for all of them (INCRBY + EXPIRE per window, pipelined)."""
    if not windows:
        return []
    client = throttle_redis()
    if client is None:
        counts = []
        for key, ttl, *amount in windows:
            cache.add(key, 0, ttl)
            counts.append(cache.incr(key, amount[0] if amount else 1))
        return counts
    pipe = client.pipeline(transaction=False)
    for key, ttl, *amount in windows:
        key = _redis_key(key)
        pipe.incrby(key, amount[0] if amount else 1)
        pipe.expire(key, ttl, nx=True)
    return [int(count) for count in pipe.execute()[::2]]


@dataclass(frozen=True)
class RateLimitState:
    """The tightest throttle of a request (the one with the fewest requests left): what the
    ``X-RateLimit-*`` headers say. ``reset`` is seconds until its window ends."""

    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


_STATE_ATTRIBUTE = "photomania_rate_limit"


def rate_limit_note(request, state: RateLimitState | None) -> None:
    """Remember the request's tightest throttle (on the Django request, so the response can show it)."""
    if state is None:
        return
    holder = getattr(request, "_request", request)
    current = getattr(holder, _STATE_ATTRIBUTE, None)
    if current is None or state.remaining < current.remaining:
        setattr(holder, _STATE_ATTRIBUTE, state)


def rate_limit_state(request) -> RateLimitState | None:
    """The state noted for this request (None when no throttle counted it)."""
    return getattr(getattr(request, "_request", request), _STATE_ATTRIBUTE, None)


class _LiveRateMixin:
    """Rates read per request, counted in fixed windows.

    DRF's default keeps a list of timestamps per client (a read and a write of a growing value
    on every request); a counter per window costs one pipelined round trip, and
    ``throttles_check`` counts every throttle of a view in that same round trip. The price is
    that a client may burst up to twice the rate across a window boundary.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    # A weighted throttle counts a request as ``view.throttle_cost(request)`` (when the view has it):
    # a batch of N applies spends N of the apply budget, not one.
    weighted = False

    def window(self, request, view) -> tuple[str, int, int] | None:
        """The counter this request is counted in, as ``(key, ttl, amount)``; None when it is not throttled."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return None
        now = int(self.timer())
        window_start = now - now % self.duration
        self._retry_after = window_start + self.duration - now
        cost = getattr(view, "throttle_cost", None) if self.weighted else None
        return f"{self.key}:{window_start}", self.duration + 1, cost(request) if cost else 1

    def allow_count(self, count: int) -> bool:
        return count <= self.num_requests

    def allow_request(self, request, view):
        window = self.window(request, view)
        if window is None:
            return True
        [count] = windows_hit([window])
        return self.allow_count(count)

    def wait(self):
        return max(getattr(self, "_retry_after", 1), 1)

    def state(self, count: int) -> RateLimitState:
        """This window's limit, what is left after ``count`` requests, and seconds until it resets."""
        return RateLimitState(
            limit=self.num_requests, remaining=max(self.num_requests - count, 0), reset=max(self._retry_after, 1)
        )


def throttles_check(throttles, request, view) -> list:
    """Count the request in every throttle (as DRF does: each one counts, even after a refusal),
    in one Redis round trip for all our throttles; the waits of those that refuse it (empty when
    it may go on). The counts also give the tightest throttle's state, noted for the
    ``X-RateLimit-*`` headers at no extra cost."""
    counted, waits = [], []
    for throttle in throttles:
        if isinstance(throttle, _LiveRateMixin):
            window = throttle.window(request, view)
            if window is not None:
                counted.append((throttle, window))
        elif not throttle.allow_request(request, view):
            waits.append(throttle.wait())
    counts = windows_hit([window for _throttle, window in counted])
    for (throttle, _window), count in zip(counted, counts, strict=True):
        rate_limit_note(request, throttle.state(count))
        if not throttle.allow_count(count):
            waits.append(throttle.wait())
    return waits


def _api_key_ident(request) -> str | None:
    # A request made with an API key is counted per key (each key its own budget), not per user.
    key_id = getattr(getattr(request, "auth", None), "api_key_id", None)
    return f"key-{key_id}" if key_id is not None else None


class UserThrottle(_LiveRateMixin, UserRateThrottle):
    """Every authenticated API call (scope ``user``): per user, or per key for API-key requests."""

    def get_cache_key(self, request, view):
        ident = _api_key_ident(request)
        if ident is not None:
            return self.cache_format % {"scope": self.scope, "ident": ident}
        return super().get_cache_key(request, view)


class AnonThrottle(_LiveRateMixin, AnonRateThrottle):
    """Every anonymous API call, per client IP (scope ``anon``)."""


class _PerUserScopeThrottle(_LiveRateMixin, SimpleRateThrottle):
    def get_cache_key(self, request, view):
        user = request.user
        ident = _api_key_ident(request)
        if ident is None:
            ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApplyThrottle(_PerUserScopeThrottle):
    """Effect applications per user (scope ``apply``); a batch counts each of its items."""

    scope = "apply"
    weighted = True


class UploadThrottle(_PerUserScopeThrottle):
    """Image uploads (multipart applies) per user (scope ``upload``); a batch counts each of its files."""

    scope = "upload"
    weighted = True

    def window(self, request, view):
        if not request.content_type.startswith("multipart/"):
            return None
        return super().window(request, view)


class BillingThrottle(_PerUserScopeThrottle):
    """Checkout and customer-portal sessions per user (scope ``billing``): each one calls Stripe."""

    scope = "billing"


class ApiKeyFailureThrottle(_LiveRateMixin, SimpleRateThrottle):
    """Failed API-key authentications per client IP (scope ``api_key_failed``), like failed sign-ins:
    only refusals are counted, and a burst of wrong keys from one address is answered 429."""

    scope = "api_key_failed"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def count_failure(self, request) -> bool:
        """Count one failed key from this request's address; False once its address is over the limit."""
        window = self.window(request, None)
        if window is None:
            return True
        [count] = windows_hit([window])
        rate_limit_note(request, self.state(count))
        return self.allow_count(count)


DEFAULT_THROTTLES = [UserThrottle, AnonThrottle]
