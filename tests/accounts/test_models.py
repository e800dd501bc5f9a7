"""The custom user: email login, case-insensitive uniqueness, generated referral codes."""

import re

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction

from accounts.models import Plan, User
from accounts.services import user_create


def test_new_user_defaults_to_the_free_plan_with_a_url_safe_referral_code(user):
    assert user.plan == Plan.FREE
    assert re.fullmatch(r"[A-Za-z0-9_-]{6,16}", user.referral_code)


def test_emails_are_unique_regardless_of_case(db):
    user_create(email="Someone@Example.com", password="x-very-long-pass")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="someone@example.COM")


def test_email_is_stored_lowercase_and_logs_in_case_insensitively(db):
    user_create(email="Mixed.Case@Example.com", password="a-long-password-1")

    user = authenticate(email="MIXED.case@example.com", password="a-long-password-1")

    assert user is not None
    assert user.email == "mixed.case@example.com"


def test_referral_codes_differ_between_users(db):
    codes = {user_create(email=f"r{i}@example.com").referral_code for i in range(20)}

    assert len(codes) == 20


def test_createsuperuser_path_grants_signup_credits(db):
    admin = User.objects.create_superuser("boss@example.com", "a-long-password-2")

    assert (admin.is_staff, admin.is_superuser, admin.credits) == (True, True, 10)
