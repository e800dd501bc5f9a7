"""allauth adapter: new accounts are saved through accounts.services.user_register."""

import re

from allauth.account.adapter import DefaultAccountAdapter

from accounts.services import user_register

REFERRAL_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def _referral_code(request, form) -> str | None:
    """``referralCode`` from the headless API's JSON payload, else the pages' session value (``?ref=``)."""
    candidates = []
    data = getattr(form, "data", None)
    if hasattr(data, "get"):
        candidates.append(data.get("referralCode"))
    if request is not None and hasattr(request, "session"):
        candidates.append(request.session.get("referral_code"))
    for code in candidates:
        if isinstance(code, str) and REFERRAL_CODE_RE.match(code.strip()):
            return code.strip()
    return None


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        if not commit:
            return user
        # An unknown code is ignored by user_register; a new account cannot refer itself.
        return user_register(user=user, referral_code=_referral_code(request, form))
