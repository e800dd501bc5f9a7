"""Request guards: a body-size cap on every path (before anything reads the body), and JSON for
every error under /api/.

Django answers some requests before (or outside) DRF: an oversized body, a 404 from a non-DRF
view, a CSRF failure, a 500 from ``handler500``. Under /api/ a client must always get the
envelope, never an HTML page, so this middleware rewrites such responses.
"""

import io
import json
import logging
from urllib.parse import unquote_plus

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.shortcuts import render

from core.api.exceptions import error_body
from core.credentials import query_carries_api_key
from core.errors import ErrorCode
from core.middleware import request_id_var

logger = logging.getLogger("photomania.api")

API_PREFIX = "/api/"

_STATUS_CODES = {
    400: (ErrorCode.INVALID_INPUT, "Bad request"),
    401: (ErrorCode.UNAUTHORIZED, "Please sign in"),
    403: (ErrorCode.FORBIDDEN, "You do not have permission to do this"),
    404: (ErrorCode.NOT_FOUND, "Not found"),
    405: (ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed"),
    413: (ErrorCode.PAYLOAD_TOO_LARGE, "Request body too large"),
    415: (ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    429: (ErrorCode.RATE_LIMITED, "Too many requests"),
    503: (ErrorCode.SERVICE_UNAVAILABLE, "Service temporarily unavailable"),
}


def _envelope(code: ErrorCode, message: str, status: int, details: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def _is_envelope(response) -> bool:
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    if getattr(response, "streaming", False):
        return False
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return False
    return isinstance(body, dict) and "success" in body


# Paths that take image uploads (multipart): the API, the effect pages' apply form, the admin.
UPLOAD_PREFIXES = ("/api/", "/effects/", "/admin/")


def request_body_limit(*, path: str, content_type: str) -> int:
    """The largest body, in bytes, a request to ``path`` may send.

    Only multipart bodies on upload paths may be as large as an image upload; every other body
    is read into memory by Django (or allauth, or DRF's JSON parser), so it gets the in-memory
    limit, and paths without uploads (sign-in, sign-up, allauth's API) get the small form limit.
    """
    if path.startswith(UPLOAD_PREFIXES):
        if content_type.startswith("multipart/"):
            return settings.REQUEST_MAX_BODY_BYTES
        return min(settings.REQUEST_MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return settings.REQUEST_MAX_FORM_BYTES


def _refuse(request, status: int, code: ErrorCode, message: str):
    if request.path.startswith(API_PREFIX):
        return _envelope(code, message, status)
    return render(request, f"{status}.html", {"message": message}, status=status)


class RequestBodyLimitMiddleware:
    """Every path: 413 for a body over its route's limit, before anything reads it.

    A declared ``Content-Length`` is checked without reading a byte. A chunked body (no length;
    a WSGI server such as gunicorn passes it through) is read up to one byte past the limit: over
    it, 413; within it, the bytes read become the request's body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = request_body_limit(path=request.path, content_type=request.META.get("CONTENT_TYPE", ""))
        refused = self._check(request, limit)
        if refused is not None:
            return refused
        return self.get_response(request)

    @staticmethod
    def _too_large(request, limit: int):
        shown = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{max(limit // 1024, 1)} KB"
        return _refuse(request, 413, ErrorCode.PAYLOAD_TOO_LARGE, f"Request body too large (limit {shown})")

    def _check(self, request, limit: int):
        raw = request.META.get("CONTENT_LENGTH")
        if raw:
            try:
                length = int(raw)
            except ValueError:
                length = -1
            if length < 0 or len(raw) > 20:
                return _refuse(request, 400, ErrorCode.INVALID_INPUT, "Invalid Content-Length header")
            return self._too_large(request, limit) if length > limit else None
        if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return None
        stream = getattr(request, "environ", {}).get("wsgi.input")
        if stream is None:
            return None
        body = stream.read(limit + 1)
        if len(body) > limit:
            return self._too_large(request, limit)
        request._stream = io.BytesIO(body)
        request.META["CONTENT_LENGTH"] = str(len(body))
        return None


class ApiEnvelopeMiddleware:
    """Under /api/: every error is the JSON envelope, whoever answered it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_envelope(response):
            response = self._rewrite(response)
        return response

    @staticmethod
    def _rewrite(response):
        status = response.status_code
        if status >= 500 and status != 503:
            # handler500 already logged the exception with this request id.
            rewritten = _envelope(
                ErrorCode.INTERNAL_ERROR, "Something went wrong", 500, {"requestId": request_id_var.get()}
            )
        else:
            code, message = _STATUS_CODES.get(status, (ErrorCode.INVALID_INPUT, "Request failed"))
            rewritten = _envelope(code, message, status)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                rewritten[header] = response[header]
        return rewritten


class ApiKeyInQueryMiddleware:
    """Every path: a request with an API key in its URL (``?api_key=``, ``?key=``, ``?apiKey=``, or any
    value that looks like a PhotoMania key) is refused, 400, before anything else reads it.

    A URL is kept in browser history, proxy and server logs: a key sent there is as good as leaked,
    and accepting it once would teach clients to do it. The query string is cleared from the request
    before answering, so Django's own "Bad Request" log line (which shows the request) never has it;
    the access log writes paths without query strings (gunicorn.conf.py), and error reports drop
    them (core.sentry).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("QUERY_STRING", "")
        if raw and query_carries_api_key(dict(request.GET.lists()), unquote_plus(raw)):
            request.META["QUERY_STRING"] = ""
            request.GET = QueryDict()
            logger.warning("refused an API key sent in a URL query string")
            return _refuse(
                request,
                400,
                ErrorCode.INVALID_INPUT,
                "Send API keys in the X-Api-Key header, never in a URL; revoke this key, it may have leaked",
            )
        return self.get_response(request)
