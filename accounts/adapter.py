"""allauth adapters: new accounts, by password or through a provider, are saved through
accounts.services.user_register (sign-up credits, referral); links in emails point at SITE_URL."""

from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.headless.adapter import DefaultHeadlessAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.db import transaction
from django.urls import reverse

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

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The HTML emails link the product name and footer to the public site.
        super().send_mail(template_prefix, email, {"site_url": settings.SITE_URL, **context})


def _email_link_path(urlname: str, key: str | None) -> str:
    if urlname == "account_reset_password_from_key":
        # allauth's reset key is "<uidb36>-<token>", one opaque value in one URL segment.
        path = reverse(urlname, kwargs={"uidb36": "UID", "key": "KEY"})
        return path.replace("UID-KEY", quote(key or ""))
    if urlname == "account_confirm_email":
        return reverse(urlname, args=[key])
    return reverse(urlname)


class HeadlessAdapter(DefaultHeadlessAdapter):
    """Links in emails (confirm, reset, sign up) go to SITE_URL, whatever host the request came in on.

    allauth builds them from the request otherwise, which for API clients and proxies is not
    the public address.
    """

    EMAIL_LINK_URLNAMES = frozenset(
        {"account_confirm_email", "account_reset_password", "account_reset_password_from_key", "account_signup"}
    )

    def get_frontend_url(self, urlname: str, **kwargs) -> str | None:
        url = super().get_frontend_url(urlname, **kwargs)
        if url or urlname not in self.EMAIL_LINK_URLNAMES:
            return url
        return settings.SITE_URL + _email_link_path(urlname, kwargs.get("key"))


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
