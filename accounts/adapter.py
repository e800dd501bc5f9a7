"""allauth adapter: new accounts are saved through accounts.services.user_register."""

from allauth.account.adapter import DefaultAccountAdapter

from accounts.referrals import referral_code_for_signup
from accounts.services import user_register


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        if not commit:
            return user
        # An unknown code is ignored by user_register; a new account cannot refer itself.
        return user_register(user=user, referral_code=referral_code_for_signup(request=request, form=form))
