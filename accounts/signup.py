"""The base of allauth's sign-up forms (``ACCOUNT_SIGNUP_FORM_CLASS``): the sign-up page's form and
the app API's sign-up input both derive from it."""

from django import forms
from django.contrib.auth.hashers import make_password


class SignupFormBase(forms.Form):
    """Signing up with an address that has an account costs the same password hash as a new account.

    With enumeration prevention, allauth answers such a sign-up like a new one (and emails the
    owner) but creates nothing, so it skipped the password hash and answered in a fraction of the
    time: the time told whether the address has an account. The hash is made, and dropped, once the
    form is otherwise valid, the point where a new sign-up goes on to hash it for the new account.
    """

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self.errors or not getattr(self, "account_already_exists", False):
            return
        # "password1" on the page, "password" in the app API.
        password = self.cleaned_data.get("password1") or self.cleaned_data.get("password")
        if password:
            make_password(password)

    def signup(self, request, user) -> None:
        """allauth's hook after a new account is saved; accounts.adapter already did all of it."""
