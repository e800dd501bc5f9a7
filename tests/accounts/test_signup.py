"""Sign-up with an address that already has an account does the same work as a new sign-up, so
its answer time does not tell which addresses have accounts (allauth's enumeration prevention
makes the answers themselves alike). Counted in password hashes, the expensive step, on the page
and in the app API."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from rest_framework.test import APIClient

from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"
TAKEN = "taken@example.com"


class CountingPasswordHasher(MD5PasswordHasher):
    """A real hasher that counts the passwords it hashes (how slow the hasher is does not matter)."""

    algorithm = "counting_md5"
    hashed = 0

    def encode(self, password, salt):
        type(self).hashed += 1
        return super().encode(password, salt)


@pytest.fixture
def hashes(settings):
    # Production's setting; with optional verification allauth refuses a taken address outright.
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingPasswordHasher", *settings.PASSWORD_HASHERS]
    UserFactory(email=TAKEN)

    def counted(sign_up, email, password=PASSWORD) -> int:
        CountingPasswordHasher.hashed = 0
        sign_up(email, password)
        return CountingPasswordHasher.hashed

    return counted


def _page_sign_up(email, password):
    from django.test import Client

    response = Client().post("/accounts/signup/", {"email": email, "password1": password, "password2": password})
    assert response.status_code in (200, 302)


def _app_sign_up(email, password):
    APIClient().post("/_allauth/app/v1/auth/signup", {"email": email, "password": password}, format="json")


@pytest.mark.parametrize("sign_up", [_page_sign_up, _app_sign_up], ids=["page", "app"])
def test_sign_up_with_a_taken_address_hashes_the_password_like_a_new_sign_up(hashes, sign_up):
    new = hashes(sign_up, "new.user@example.com")
    taken = hashes(sign_up, TAKEN)

    assert new == 1
    assert taken == new


@pytest.mark.parametrize("sign_up", [_page_sign_up, _app_sign_up], ids=["page", "app"])
def test_sign_up_refused_for_a_weak_password_hashes_nothing_whether_the_address_is_taken_or_not(hashes, sign_up):
    new = hashes(sign_up, "new.user@example.com", password="password")
    taken = hashes(sign_up, TAKEN, password="password")

    assert new == 0
    assert taken == new
