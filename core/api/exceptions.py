"""One exception handler: every error (ours, DRF's, Django's, the database's) → the envelope."""

import logging
import re

import kombu.exceptions
import redis.exceptions
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response

from core.errors import ApplicationError, ErrorCode
from core.http_status import http_status_for
from core.middleware import request_id_var

logger = logging.getLogger("photomania.api")

_BACKING_SERVICE_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested ValidationError detail → {"field.sub": ["message", ...]} with camelCase names."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" else _camel(str(key))
            name = "nonFieldErrors" if name == "non_field_errors" else name
            for k, v in _flatten(value, f"{prefix}{name}.").items():
                out[k] = v
    elif isinstance(detail, list) and detail and all(not isinstance(d, (dict, list)) for d in detail):
        out[prefix.rstrip(".") or "nonFieldErrors"] = [str(d) for d in detail]
    elif isinstance(detail, list):
        for i, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}{i}."))
    else:
        out[prefix.rstrip(".") or "nonFieldErrors"] = [str(detail)]
    return out


def error_body(code: ErrorCode, message: str, details: dict | None = None) -> dict:
    error = {"code": str(code), "message": message}
    if details:
        error["details"] = details
    return {"success": False, "error": error}


def error_response(code: ErrorCode, message: str, status: int, details: dict | None = None, headers=None) -> Response:
    return Response(error_body(code, message, details), status=status, headers=headers)


_AUTH_HEADER_RE = re.compile(r"(session|token)", re.I)


def _auth_error_code(request) -> ErrorCode:
    # A client that sent a token that did not authenticate gets INVALID_TOKEN; no token → UNAUTHORIZED.
    if request is not None and (request.headers.get("X-Session-Token") or request.headers.get("Authorization")):
        return ErrorCode.INVALID_TOKEN
    return ErrorCode.UNAUTHORIZED


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, ApplicationError):
        return error_response(exc.code, exc.message, http_status_for(exc.code), exc.details)
    if isinstance(exc, Http404):
        return error_response(ErrorCode.NOT_FOUND, "Not found", 404)
    if isinstance(exc, RequestDataTooBig):
        return error_response(ErrorCode.PAYLOAD_TOO_LARGE, "Request body too large", 413)
    if isinstance(exc, PermissionDenied):
        return error_response(ErrorCode.FORBIDDEN, "You do not have permission to do this", 403)
    if isinstance(exc, drf.ValidationError):
        return error_response(ErrorCode.VALIDATION_ERROR, "Invalid input", 400, _flatten(exc.detail))
    if isinstance(exc, drf.ParseError):
        return error_response(ErrorCode.INVALID_INPUT, "Malformed request body", 400)
    if isinstance(exc, drf.UnsupportedMediaType):
        return error_response(ErrorCode.UNSUPPORTED_MEDIA_TYPE, str(exc.detail), 415)
    if isinstance(exc, drf.AuthenticationFailed) and getattr(exc, "error_code", None):
        headers = {"WWW-Authenticate": exc.www_authenticate} if getattr(exc, "www_authenticate", "") else None
        return error_response(exc.error_code, str(exc.detail), 401, headers=headers)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        code = _auth_error_code(request)
        message = "Please sign in" if code == ErrorCode.UNAUTHORIZED else "Session token is invalid or expired"
        return error_response(code, message, 401, headers={"WWW-Authenticate": 'Session realm="api"'})
    if isinstance(exc, drf.PermissionDenied):
        return error_response(ErrorCode.FORBIDDEN, "You do not have permission to do this", 403)
    if isinstance(exc, drf.NotFound):
        return error_response(ErrorCode.NOT_FOUND, "Not found", 404)
    if isinstance(exc, drf.MethodNotAllowed):
        return error_response(ErrorCode.METHOD_NOT_ALLOWED, str(exc.detail), 405)
    if isinstance(exc, drf.NotAcceptable):
        return error_response(ErrorCode.INVALID_INPUT, "Not acceptable", 406)
    if isinstance(exc, drf.Throttled):
        wait = int(exc.wait or 1)
        return error_response(
            ErrorCode.RATE_LIMITED,
            f"Too many requests; retry in {wait} s",
            429,
            headers={"Retry-After": str(max(wait, 1))},
        )
    if isinstance(exc, drf.APIException):
        return error_response(ErrorCode.INVALID_INPUT, str(exc.detail), exc.status_code)
    if isinstance(exc, (OperationalError, InterfaceError, *_BACKING_SERVICE_ERRORS)):
        # The database, the cache (throttles) or the broker is down: say so, and let the
        # client retry; nothing was written (the request's transaction rolled back).
        logger.warning("backing service unavailable: %s", exc.__class__.__name__)
        return error_response(
            ErrorCode.SERVICE_UNAVAILABLE, "Service temporarily unavailable", 503, headers={"Retry-After": "5"}
        )
    if isinstance(exc, DatabaseError):
        logger.exception("database error")
    else:
        logger.exception("unhandled API error")
    return error_response(ErrorCode.INTERNAL_ERROR, "Something went wrong", 500, {"requestId": request_id_var.get()})
