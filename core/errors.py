"""The domain's one error type and its codes. No HTTP here: the API's exception handler maps codes to statuses."""

from enum import StrEnum


class ErrorCode(StrEnum):
    UNAUTHORIZED = "UNAUTHORIZED"
    INVALID_TOKEN = "INVALID_TOKEN"
    INVALID_API_KEY = "INVALID_API_KEY"
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


class ApplicationError(Exception):
    """A domain error with a code from ErrorCode; the API turns it into the error envelope."""

    def __init__(self, code: ErrorCode, message: str, details: dict | None = None):
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message
        self.details = details


class AlreadyRefunded(ApplicationError):
    """A job's charge was already given back (a job is refunded at most once, whatever the reason)."""

    def __init__(self, *, reference: str):
        super().__init__(ErrorCode.ALREADY_EXISTS, "This job's credits were already refunded")
        self.reference = reference


class InsufficientCredits(ApplicationError):
    """The user's balance is below what an operation costs."""

    def __init__(self, *, needed: int, available: int):
        super().__init__(
            ErrorCode.INSUFFICIENT_CREDITS,
            "Not enough credits",
            details={"needed": needed, "available": available},
        )
