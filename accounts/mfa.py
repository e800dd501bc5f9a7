"""How a session proved a second factor, read from allauth's record of how it authenticated.

allauth writes one record per authentication step into the session (``password``, ``mfa``, ...).
A session counts as signed in with a second factor when it holds an ``mfa`` record for its own
user: a code at sign-in, a code at reauthentication, or an authenticator this session enrolled
(it entered a code the new authenticator showed).
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator


def session_passed_mfa(request) -> bool:
    """True when this session (not merely its user) authenticated with a second factor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def session_record_enrolment(request, authenticator: Authenticator) -> None:
    """Record that this session enrolled ``authenticator``, which is itself proof of holding it."""
    # allauth's own record of an authentication step (kept in the session it reads above).
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(
        request, authenticator.user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True
    )
