"""Referral codes: what a valid code looks like, where the sign-up page keeps one, and the link to share."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

# The session key under which the sign-up page remembers ``?ref=CODE`` until the account is saved.
REFERRAL_SESSION_KEY = "referral_code"
_REFERRAL_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def referral_code_clean(code: object) -> str | None:
    """The code stripped, or None when it is not a string shaped like a referral code."""
    if not isinstance(code, str):
        return None
    code = code.strip()
    return code if _REFERRAL_CODE.match(code) else None


def referral_code_remember(*, session, code: str | None) -> None:
    """Keep a well-formed code in the session; an empty one forgets it; a malformed one changes nothing."""
    if code is None:
        return
    cleaned = referral_code_clean(code)
    if cleaned:
        session[REFERRAL_SESSION_KEY] = cleaned
    elif not code.strip():
        session.pop(REFERRAL_SESSION_KEY, None)


def referral_code_remembered(*, session) -> str:
    """The code the sign-up page kept, or ""."""
    return session.get(REFERRAL_SESSION_KEY, "")


def referral_code_for_signup(*, request, form) -> str | None:
    """``referralCode`` from the headless API's JSON payload, else the pages' session value (``?ref=``)."""
    candidates = []
    data = getattr(form, "data", None)
    if hasattr(data, "get"):
        candidates.append(data.get("referralCode"))
    if request is not None and hasattr(request, "session"):
        candidates.append(request.session.get(REFERRAL_SESSION_KEY))
    for code in candidates:
        cleaned = referral_code_clean(code)
        if cleaned:
            return cleaned
    return None


def referral_url(*, user) -> str:
    """The sign-up link that credits ``user`` with the referral."""
    return f"{settings.SITE_URL}{reverse('account_signup')}?ref={user.referral_code}"
