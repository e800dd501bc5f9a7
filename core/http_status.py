"""The HTTP status each domain error code is answered with, for the API's error envelope and for pages.

It sits beside ``core.errors`` (which knows no HTTP), below both the API layer and the pages,
so an error answers with one status whichever of them shows it.
"""

from core.errors import ErrorCode

HTTP_STATUS = {
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.INVALID_TOKEN: 401,
    ErrorCode.INVALID_API_KEY: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.INSUFFICIENT_CREDITS: 402,
    ErrorCode.VALIDATION_ERROR: 400,
    ErrorCode.INVALID_INPUT: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.IDEMPOTENCY_CONFLICT: 422,
}


def http_status_for(code: ErrorCode) -> int:
    """The HTTP status an ApplicationError with this code is answered with."""
    return HTTP_STATUS[ErrorCode(code)]
