"""allauth adapters: new accounts, by password or through a provider, are saved through
accounts.services.user_register (sign-up credits, referral)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.db import transaction

from accounts.models import User
from accounts.referrals import referral_code_for_signup
from accounts.services import user_register


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        if not commit:
            return user
        # An unknown code is ignored by user_register; a new account cannot refer itself.
        return user_register(user=user, referral_code=referral_code_for_signup(request=request, form=form))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = (data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))).strip()
        user.name = name[: User._meta.get_field("name").max_length]
        return user

    def save_user(self, request, sociallogin, form=None):
        """A provider sign-up: the user gets the normal new-account treatment, then its provider account."""
        user = sociallogin.user
        user.set_unusable_password()
        with transaction.atomic():
            if form is not None:
                # The sign-up form (an address the provider did not give or that was taken).
                get_account_adapter(request).save_user(request, user, form)
            else:
                user_register(user=user, referral_code=referral_code_for_signup(request=request, form=None))
            sociallogin.save(request)
        return user

    def authenticate_by_email(self, sociallogin):
        """A provider's word on an address never stands in for a staff member's password: staff
        connect a provider while signed in, so taking over their mailbox at a provider is not enough."""
        match = super().authenticate_by_email(sociallogin)
        if match and (match[0].is_staff or match[0].is_superuser):
            return None
        return match
