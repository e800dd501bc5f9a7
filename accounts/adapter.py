"""allauth adapter: new accounts are saved through accounts.services.user_register."""

from allauth.account.adapter import DefaultAccountAdapter

from accounts.services import user_register


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        if not commit:
            return user
        referral_code = ""
        if request is not None:
            referral_code = request.session.get("referral_code", "") if hasattr(request, "session") else ""
        return user_register(user=user, referral_code=referral_code or None)
