"""The PhotoMania API: DRF (envelope, throttles, pagination), its OpenAPI schema, idempotency."""

from datetime import timedelta

from photomania.settings.auth import TRUSTED_PROXY_COUNT
from photomania.settings.core import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "allauth.headless.contrib.rest_framework.authentication.XSessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["photomania.api.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "photomania.api.parsers.SafeJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "photomania.api.exceptions.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "photomania.api.pagination.EnvelopePagination",
    "PAGE_SIZE": 20,
    # Documents the envelope and the error responses of every operation.
    "DEFAULT_SCHEMA_CLASS": "photomania.api.schema.EnvelopeAutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "apply": env.str("RATE_LIMIT_APPLY", default="30/min"),
        "upload": env.str("RATE_LIMIT_UPLOAD", default="60/hour"),
        # Checkout and portal sessions (each calls Stripe).
        "billing": env.str("RATE_LIMIT_BILLING", default="10/min"),
        "user": env.str("RATE_LIMIT_USER", default="600/min"),
        "anon": env.str("RATE_LIMIT_ANON", default="300/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PhotoMania API",
    "DESCRIPTION": "Apply AI photo effects; pay with credits.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        # The envelope's "success" flag: true on success bodies, false on errors.
        "SuccessTrueEnum": [(True, True)],
        "SuccessFalseEnum": [(False, False)],
        "ErrorCodeEnum": "photomania.errors.ErrorCode",
        "JobErrorCodeEnum": "effects.models.JobErrorCode",
    },
    # Links chain an apply to the job it created (clients and stateful fuzzing follow them).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "photomania.api.schema.add_links",
    ],
}

# How long an Idempotency-Key is remembered (Stripe keeps them 24 hours); beat purges older ones.
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24))
