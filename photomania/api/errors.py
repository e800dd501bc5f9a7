"""The domain's one error type and its codes (the PhotoMania API's error codes)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    UNAUTHORIZED = "UNAUTHORIZED"
    INVALID_TOKEN = "INVALID_TOKEN"
    FORBIDDEN = "FORBIDDEN"
    INSUFFICIENT_CREDITS = "INSUFFICIENT_CREDITS"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    # Request-level and product-specific codes:
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    RATE_LIMITED = "RATE_LIMITED"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"


DEFAULT_STATUS = {
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.INVALID_TOKEN: 401,
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


class ApplicationError(Exception):
    """A domain error with a code from ErrorCode; the API turns it into the error envelope."""

    def __init__(self, code: ErrorCode, message: str, details: dict | None = None, status: int | None = None):
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message
        self.details = details
        self.status = status or DEFAULT_STATUS[self.code]


class InsufficientCredits(ApplicationError):
    """The user's balance is below what an operation costs."""

    def __init__(self, *, needed: int, available: int):
        super().__init__(
            ErrorCode.INSUFFICIENT_CREDITS,
            "Not enough credits",
            details={"needed": [str(needed)], "available": [str(available)]},
        )
