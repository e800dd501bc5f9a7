"""Request metrics, request id (taken from a sane X-Request-ID or made up, echoed back, put on log
lines), page security headers, and the guard for allauth's JSON API."""

import contextvars
import functools
import json
import logging
import re
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render

from core.metrics import HTTP_REQUEST_SECONDS

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


# Anything else a client sends as a method is counted as "other": label values stay bounded.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_route(request) -> str:
    """The URL pattern that answered the request ("/api/jobs/<uuid:pk>"), never its raw path.

    Requests answered before URL resolution are "<static>" (WhiteNoise's files) or "<unmatched>"
    (no pattern matched, or a middleware answered first, e.g. a 413).
    """
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route is not None:
        return "/" + match.route
    if request.path_info.startswith(settings.STATIC_URL):
        return "<static>"
    return "<unmatched>"


class RequestMetricsMiddleware:
    """Observe every request's duration by route, method and status class (the outermost middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        method = request.method if request.method in _METHODS else "other"
        HTTP_REQUEST_SECONDS.labels(request_route(request), method, f"{response.status_code // 100}xx").observe(elapsed)
        return response


class RequestIdMiddleware:
    """Give every request an id (log lines, error envelopes and the X-Request-ID header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


# Pages use only our own static JS/CSS (no inline code); images may come from signed storage
# URLs (R2/S3 over https). Redirects after a form post may go to Stripe Checkout (https).
PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob: https:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self' https:",
    ]
)
# Swagger UI and ReDoc come from our static files and boot from script files (no inline script);
# both set inline styles, and ReDoc runs its search in a blob: worker.
DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'none'",
    ]
)


# Development only (DEBUG): Django's technical 500 page (the traceback) styles and scripts itself inline.
DEBUG_TRACEBACK_CSP = PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


@functools.lru_cache(maxsize=8)
def _page_csp(oidc_server_url: str | None) -> str:
    """PAGE_CSP, letting sign-in forms reach an OpenID Connect server on plain http (development only:
    production refuses such a server URL); https providers are already allowed."""
    if not oidc_server_url or not oidc_server_url.startswith("http://"):
        return PAGE_CSP
    parts = urlsplit(oidc_server_url)
    return PAGE_CSP.replace("form-action 'self' https:", f"form-action 'self' https: http://{parts.netloc}")


def _oidc_server_url() -> str | None:
    app = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APP") or {}
    return (app.get("settings") or {}).get("server_url")


class SecurityHeadersMiddleware:
    """Content-Security-Policy on HTML pages and a restrictive Permissions-Policy everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if response.get("Content-Type", "").startswith("text/html") and "Content-Security-Policy" not in response:
            docs = request.path.startswith(("/api/docs", "/api/redoc"))
            if docs:
                policy = DOCS_CSP
            elif settings.DEBUG and response.status_code == 500:
                policy = DEBUG_TRACEBACK_CSP
            else:
                policy = _page_csp(_oidc_server_url())
            response["Content-Security-Policy"] = policy
        return response


class DebugNotFoundMiddleware:
    """In development (DEBUG), page 404s use our own 404 template instead of Django's technical page.

    Django answers every 404 under DEBUG with a page styled inline, which the pages' CSP blocks, so
    it showed unstyled. Our template (with the reason, for the developer) keeps the site's look and
    CSP. The API answers its own 404s in JSON and is left alone. Without DEBUG, Django already uses
    ``templates/404.html``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None  # no URL pattern matched
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith("/api/")
        ):
            return self._page(request, f"No URL pattern matches {request.path}.")
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404) and not request.path.startswith("/api/"):
            return self._page(request, str(exception) or "The view raised Http404.")
        return None

    @staticmethod
    def _page(request, reason: str):
        return render(request, "404.html", {"debug_reason": reason}, status=404)


HEADLESS_PREFIX = "/_allauth/"


class HeadlessJsonGuardMiddleware:
    """Under /_allauth/: a JSON body Python cannot parse safely is a 400 in allauth's error shape.

    allauth's API parses bodies itself and turns only syntax errors into 400s; nesting deep
    enough to exhaust the parser's recursion, or an integer longer than Python converts
    (``sys.get_int_max_str_digits``), would escape as a 500. The body is already capped by
    ``RequestBodyLimitMiddleware``, so parsing it once more here is cheap.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(HEADLESS_PREFIX) and request.method not in ("GET", "HEAD", "OPTIONS"):
            problem = self._problem(request.body)
            if problem:
                return JsonResponse({"status": 400, "errors": [{"code": "invalid", "message": problem}]}, status=400)
        return self.get_response(request)

    @staticmethod
    def _problem(body: bytes) -> str | None:
        if not body:
            return None
        try:
            json.loads(body)
        except RecursionError:
            return "Malformed JSON body: nested too deeply."
        except ValueError as exc:
            if "digits" in str(exc):
                return "Malformed JSON body: a number is too long."
            return None  # ordinary syntax errors: allauth answers them itself
        return None
