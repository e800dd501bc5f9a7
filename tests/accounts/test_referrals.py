"""Referrals: the code given at sign-up links the accounts; a verified email pays both once."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC

from accounts.models import User
from billing.models import CreditTransaction
from billing.services import referral_bonus_award
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db
Kind = CreditTransaction.Kind
PASSWORD = "a-long-unusual-passphrase-42"


def api_signup(client, email: str, **extra):
    return client.post(
        "/_allauth/app/v1/auth/signup",
        {"email": email, "password": PASSWORD, **extra},
        content_type="application/json",
    )


def verify(client, user):
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=user)).key
    return client.post("/_allauth/app/v1/auth/email/verify", {"key": key}, content_type="application/json")


def credits_of(user) -> int:
    user.refresh_from_db()
    return user.credits


def test_api_signup_with_a_referral_code_links_the_referrer(client):
    referrer = UserFactory()

    response = api_signup(client, "new@example.com", referralCode=referrer.referral_code)

    assert response.status_code == 200
    assert User.objects.get(email="new@example.com").referred_by == referrer


def test_signup_with_an_unknown_referral_code_succeeds_without_a_referrer(client):
    api_signup(client, "nobody@example.com", referralCode="doesnotexist")

    assert User.objects.get(email="nobody@example.com").referred_by is None


def test_signup_with_a_malformed_referral_code_is_ignored(client):
    api_signup(client, "odd@example.com", referralCode={"$ne": ""})

    assert User.objects.get(email="odd@example.com").referred_by is None


def test_verifying_the_email_gives_both_users_the_bonus(client, settings):
    settings.REFERRAL_BONUS_CREDITS = 7
    referrer = UserFactory()
    api_signup(client, "friend@example.com", referralCode=referrer.referral_code)
    friend = User.objects.get(email="friend@example.com")

    response = verify(client, friend)

    assert response.status_code in (200, 401)  # 401: verified, but this app client has no session
    assert EmailAddress.objects.get(user=friend).verified
    assert (credits_of(friend), credits_of(referrer)) == (17, 17)
    assert set(CreditTransaction.objects.filter(kind=Kind.REFERRAL_BONUS).values_list("reference", flat=True)) == {
        f"referral:{friend.pk}:referee",
        f"referral:{friend.pk}:referrer",
    }


def test_no_bonus_is_paid_before_the_email_is_verified(client):
    referrer = UserFactory()

    api_signup(client, "later@example.com", referralCode=referrer.referral_code)

    assert not CreditTransaction.objects.filter(kind=Kind.REFERRAL_BONUS).exists()


def test_the_bonus_is_paid_once_however_often_verification_fires(client, settings):
    settings.REFERRAL_BONUS_CREDITS = 5
    referrer = UserFactory()
    api_signup(client, "twice@example.com", referralCode=referrer.referral_code)
    friend = User.objects.get(email="twice@example.com")
    verify(client, friend)

    referral_bonus_award(user=friend)

    assert credits_of(referrer) == 15
    assert CreditTransaction.objects.filter(kind=Kind.REFERRAL_BONUS).count() == 2


def test_a_self_referral_pays_nothing(settings):
    settings.REFERRAL_BONUS_CREDITS = 5
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    User.objects.filter(pk=user.pk).update(referred_by=user)
    user.refresh_from_db()

    rows = referral_bonus_award(user=user)

    assert rows == []
    assert credits_of(user) == 10


def test_a_user_without_a_referrer_gets_no_bonus_on_verification(client):
    api_signup(client, "solo@example.com")
    solo = User.objects.get(email="solo@example.com")

    verify(client, solo)

    assert credits_of(solo) == 10
    assert not CreditTransaction.objects.filter(kind=Kind.REFERRAL_BONUS).exists()
