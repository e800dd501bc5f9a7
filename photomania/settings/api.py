"""The PhotoMania API: DRF (envelope, throttles, pagination), its OpenAPI schema, idempotency."""

from datetime import timedelta

from photomania.settings.auth import TRUSTED_PROXY_COUNT
from photomania.settings.core import SITE_URL, env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Developer API keys (X-Api-Key or Authorization: Api-Key), first: a key is judged alone.
        "accounts.key_auth.ApiKeyAuthentication",
        # allauth's headless X-Session-Token, loading the session once (core/api/authentication.py).
        "core.api.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        # One request content type per operation: JSON (apply also takes multipart uploads).
        "core.api.parsers.SafeJSONParser",
    ],
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.EnvelopePagination",
    "PAGE_SIZE": 20,
    # Documents the envelope and the error responses of every operation.
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.EnvelopeAutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "apply": env.str("RATE_LIMIT_APPLY", default="30/min"),
        "upload": env.str("RATE_LIMIT_UPLOAD", default="60/hour"),
        # Checkout and portal sessions (each calls Stripe).
        "billing": env.str("RATE_LIMIT_BILLING", default="10/min"),
        "user": env.str("RATE_LIMIT_USER", default="600/min"),
        "anon": env.str("RATE_LIMIT_ANON", default="300/min"),
        # Wrong API keys per client IP (only failures count), like failed sign-ins.
        "api_key_failed": env.str("RATE_LIMIT_API_KEY_FAILED", default="10/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_DESCRIPTION = """\
Apply AI photo effects to your photos; pay with credits.

Every answer is an envelope: `{"success": true, "data": ...}` (lists add `meta` with the count
and page links) or `{"success": false, "error": {"code", "message", "details"}}`, where `code` is
stable and `details` has one shape per status. Request bodies are JSON; POST /api/effects/apply
also takes a multipart upload. Any other content type is 415 UNSUPPORTED_MEDIA_TYPE.

**Signing in.** REST clients get a session token from allauth's headless app API and send it as
`X-Session-Token` (see the security scheme). allauth documents its own endpoints (sign-up, login,
email verification, password reset, sign-out) in its OpenAPI spec:
[/_allauth/openapi.html](/_allauth/openapi.html) ([JSON](/_allauth/openapi.json)).

**Typical flow.** GET /api/effects → POST /api/effects/apply (with an `Idempotency-Key`) →
poll GET /api/jobs/{jobId} until COMPLETED or FAILED (or pass a `callbackUrl`) → download
`resultUrl` (signed, it expires; read the job again for a fresh one)."""

SPECTACULAR_SETTINGS = {
    "TITLE": "PhotoMania API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1.0.0",
    "SERVERS": [{"url": SITE_URL, "description": "This PhotoMania server"}],
    "TAGS": [
        {"name": "effects", "description": "The catalog, and applying an effect to a photo"},
        {"name": "jobs", "description": "The caller's jobs: status, result, deletion"},
        {"name": "user", "description": "The caller's profile, credits and callback secret"},
        {"name": "keys", "description": "Developer API keys (signed-in sessions only)"},
        {"name": "billing", "description": "Stripe Checkout and the billing portal"},
        {"name": "health", "description": "Dependency checks for load balancers and monitors"},
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs pages load Swagger UI and ReDoc from our static files (drf-spectacular-sidecar).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI's options as JavaScript (drf-spectacular passes a string through). Without deep
    # links an operation's summary button holds no link (nested controls confuse screen readers);
    # its server <select> has no label, so it gets a name once drawn.
    "SWAGGER_UI_SETTINGS": """{
  deepLinking: false,
  onComplete: () => document.getElementById("servers")?.setAttribute("aria-label", "Server"),
}""",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        # The envelope's "success" flag: true on success bodies, false on errors.
        "SuccessTrueEnum": [(True, True)],
        "SuccessFalseEnum": [(False, False)],
        "ErrorCodeEnum": "core.errors.ErrorCode",
        "JobErrorCodeEnum": "effects.models.JobErrorCode",
        "JobStatusEnum": "effects.models.JobStatus",
        "OutputFormatEnum": "effects.models.OutputFormat",
        "JobRefundReasonEnum": "effects.jobs.payloads.REFUND_REASONS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Links chain an apply to the job it created (clients and stateful fuzzing follow them).
        "core.api.schema.add_links",
        "core.api.schema.document_api",
    ],
}

# How long an Idempotency-Key is remembered (Stripe keeps them 24 hours); beat purges older ones.
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24))
