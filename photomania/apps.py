"""Project-level app configs: the admin site PhotoMania uses, and allauth's sign-in app under a name of its own."""

from allauth.account.apps import AccountConfig
from django.contrib.admin.apps import AdminConfig


class PhotoManiaAdminConfig(AdminConfig):
    """``django.contrib.admin`` with PhotoMania's site (sections ordered for staff, the dashboard)."""

    default_site = "photomania.admin_site.PhotoManiaAdminSite"


class SignInAccountConfig(AccountConfig):
    """allauth's ``account`` app (email addresses used to sign in), named so it is not mistaken for our users."""

    verbose_name = "Sign-in email addresses"
