"""Referrals: the code given at sign-up links the accounts; a verified email pays both once."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.utils import timezone

from accounts.models import User
from accounts.referrals import referral_email_key
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


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("Farmer+0@Example.com", "farmer@example.com"),
        ("far.mer@example.com", "far.mer@example.com"),
        ("Far.Mer+x@gmail.com", "farmer@gmail.com"),
        ("f.a.r.m.e.r@googlemail.com", "farmer@gmail.com"),
    ],
)
def test_referral_email_key_drops_plus_tags_and_dots_where_the_provider_ignores_them(address, key):
    assert referral_email_key(address) == key


def test_signing_up_with_ones_own_code_under_a_plus_tag_links_no_referrer(client):
    farmer = UserFactory(email="farmer@example.com")

    api_signup(client, "farmer+0@example.com", referralCode=farmer.referral_code)

    assert User.objects.get(email="farmer+0@example.com").referred_by is None


def test_signing_up_with_ones_own_code_under_gmail_dots_links_no_referrer(client):
    farmer = UserFactory(email="farmer@gmail.com")

    api_signup(client, "far.mer+1@googlemail.com", referralCode=farmer.referral_code)

    assert User.objects.get(email="far.mer+1@googlemail.com").referred_by is None


def test_one_mailbox_is_referred_once_by_the_same_referrer(client, settings):
    settings.REFERRAL_BONUS_CREDITS = 5
    referrer = UserFactory()
    for n in range(3):
        api_signup(client, f"friend+{n}@example.com", referralCode=referrer.referral_code)
        client.logout()
    for friend in User.objects.filter(email__startswith="friend+"):
        verify(client, friend)

    assert User.objects.filter(referred_by=referrer).count() == 1
    assert credits_of(referrer) == 15


def test_referral_bonuses_stop_at_the_monthly_cap_per_referrer(settings):
    settings.REFERRAL_BONUS_CREDITS = 5
    settings.REFERRAL_MAX_PER_MONTH = 2
    referrer = UserFactory()
    friends = [UserFactory(referred_by=referrer) for _ in range(3)]
    for friend in friends:
        EmailAddress.objects.create(user=friend, email=friend.email, verified=True, primary=True)

    paid = [bool(referral_bonus_award(user=friend)) for friend in friends]

    assert paid == [True, True, False]
    assert credits_of(referrer) == 20
    assert credits_of(friends[2]) == 10


def test_referral_bonuses_older_than_30_days_do_not_count_towards_the_cap(settings):
    settings.REFERRAL_BONUS_CREDITS = 5
    settings.REFERRAL_MAX_PER_MONTH = 1
    referrer = UserFactory()
    old, new = UserFactory(referred_by=referrer), UserFactory(referred_by=referrer)
    for friend in (old, new):
        EmailAddress.objects.create(user=friend, email=friend.email, verified=True, primary=True)
    referral_bonus_award(user=old)
    CreditTransaction.objects.filter(reference=f"referral:{old.pk}:referrer").update(
        created_at=timezone.now() - timedelta(days=31)
    )

    assert referral_bonus_award(user=new)
