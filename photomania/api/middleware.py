"""Guards for everything under /api/: body-size cap before parsing, and JSON for every error.

Django answers some requests before (or outside) DRF: an oversized body, a 404 from a non-DRF
view, a CSRF failure, a 500 from ``handler500``. Under /api/ a client must always get the
envelope, never an HTML page, so this middleware rewrites such responses.
"""

import json
import logging

from django.conf import settings
from django.http import JsonResponse

from photomania.api.exceptions import error_body
from photomania.errors import ErrorCode
from photomania.middleware import request_id_var

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


class ApiEnvelopeMiddleware:
    """Under /api/: refuse oversized bodies with 413 before anything reads them; envelope every error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        too_large = self._body_too_large(request)
        if too_large is not None:
            return too_large
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_envelope(response):
            response = self._rewrite(response)
        return response

    @staticmethod
    def _body_too_large(request):
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return _envelope(ErrorCode.INVALID_INPUT, "Invalid Content-Length header", 400)
        if length < 0:
            return _envelope(ErrorCode.INVALID_INPUT, "Invalid Content-Length header", 400)
        limit = settings.REQUEST_MAX_BODY_BYTES
        if length > limit:
            return _envelope(
                ErrorCode.PAYLOAD_TOO_LARGE,
                f"Request body too large (limit {limit // (1024 * 1024)} MB)",
                413,
            )
        return None

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
