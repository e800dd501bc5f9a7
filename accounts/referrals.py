"""Referral codes: what a valid code looks like, where the sign-up page keeps one, the link to share,
and who counts as a referrer (addresses are normalised so one mailbox cannot refer itself)."""

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


# Mail providers that ignore dots in the local part, by domain, and the domain they deliver to.
_DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def referral_email_key(email: str) -> str:
    """The mailbox an address delivers to, for referral purposes.

    Lower-cased, without a ``+tag``, and without dots in the local part for providers that
    ignore them (gmail.com, googlemail.com), so ``Far.Mer+1@googlemail.com`` and
    ``farmer@gmail.com`` are the same person.
    """
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    domain = domain.rstrip(".")
    if domain in _DOTS_IGNORED:
        local = local.replace(".", "")
        domain = _DOTS_IGNORED[domain]
    return f"{local}@{domain}"


def referral_referrer_for(*, email: str, code: str | None):
    """The user ``code`` belongs to, or None when the code is unknown or the referral is refused.

    Refused: a self-referral (the new address is the referrer's own mailbox), and a second
    referral of one mailbox by the same referrer (``farmer+1@`` after ``farmer+0@``).
    """
    from accounts.models import User

    if not code:
        return None
    referrer = User.objects.filter(referral_code=code).first()
    if referrer is None:
        return None
    key = referral_email_key(email)
    if referral_email_key(referrer.email) == key:
        return None
    for other in referrer.referrals.values_list("email", flat=True).iterator():
        if referral_email_key(other) == key:
            return None
    return referrer
