"""What the API layer knows about API keys without knowing the accounts app: their format, their
scopes, and the refusals the accounts app raises.

A PhotoMania API key reads ``pmk_<8 letters or digits>.<32 letters or digits>``: the part before
the dot is the public prefix (stored as is, shown in lists), the part after it the secret (only
its SHA-512 hash is stored). The fixed ``pmk_`` tag lets secret scanners recognise a leaked key.
"""

from __future__ import annotations

import re

from rest_framework import exceptions as drf

from core.errors import ErrorCode

API_KEY_TAG = "pmk_"
API_KEY_PREFIX_LENGTH = 8
API_KEY_SECRET_LENGTH = 32
# The whole key, for validation and for secret scanners.
API_KEY_RE = re.compile(
    rf"^{API_KEY_TAG}[A-Za-z0-9]{{{API_KEY_PREFIX_LENGTH}}}\.[A-Za-z0-9]{{{API_KEY_SECRET_LENGTH}}}$"
)
# Anything that looks like one, anywhere in a string (a query string, a log line).
API_KEY_ANYWHERE_RE = re.compile(rf"{API_KEY_TAG}[A-Za-z0-9]{{{API_KEY_PREFIX_LENGTH}}}\.[A-Za-z0-9]+")

# What a key may do: read (GET the catalog, jobs, credits), apply (run effects, manage jobs),
# account (change the profile, billing, callback secret, export, deletion).
API_KEY_SCOPES = ("read", "apply", "account")

# Query parameters that name an API key: a key is never accepted (nor logged) in a URL.
QUERY_KEY_NAMES = frozenset({"api_key", "apikey", "key", "api-key", "x-api-key"})


def query_carries_api_key(query: dict[str, list[str]] | None, raw: str = "") -> bool:
    """True when a query string names a key parameter or holds a value that looks like a PhotoMania key."""
    if API_KEY_ANYWHERE_RE.search(raw or ""):
        return True
    for name, values in (query or {}).items():
        if name.lower() in QUERY_KEY_NAMES:
            return True
        if any(API_KEY_ANYWHERE_RE.search(value or "") for value in values):
            return True
    return False


def redact_api_keys(text: str) -> str:
    """The text with anything that looks like a PhotoMania key replaced (for logs and error reports)."""
    return API_KEY_ANYWHERE_RE.sub("[redacted api key]", text)


def required_scope(view, method: str) -> str:
    """The scope an API-key request needs for this view and method.

    Views declare ``api_key_scope`` (one scope, or a dict of method -> scope); a view without it
    needs ``read`` for safe methods and ``account`` for anything else, the safest guess.
    """
    declared = getattr(view, "api_key_scope", None)
    if isinstance(declared, dict):
        declared = declared.get(method.upper())
    if declared:
        return declared
    return "read" if method.upper() in ("GET", "HEAD", "OPTIONS") else "account"


class ApiKeyRefused(drf.AuthenticationFailed):
    """An ``X-Api-Key`` (or ``Authorization: Api-Key``) that does not authenticate: 401 INVALID_API_KEY."""

    error_code = ErrorCode.INVALID_API_KEY
    default_detail = "API key is invalid, revoked or expired"
    www_authenticate = 'Api-Key realm="api"'
