"""Changing an account's second factors ends its other sessions: browser cookies and app session tokens."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.factories import UserFactory, staff_force_login, totp_activate, totp_code

PASSWORD = "correct-horse-battery-staple"


def _app_session_token(client, email) -> str:
    response = client.post(
        "/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def _app_session_status(client, token) -> int:
    return client.get("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token).status_code


# allauth announces a new authenticator once its transaction commits: these tests commit.
@pytest.mark.django_db(transaction=True)
def test_setting_up_an_authenticator_app_ends_the_accounts_app_sessions_but_not_its_own():
    user = UserFactory()
    app, browser = Client(), Client()
    token = _app_session_token(app, user.email)
    browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    browser.post(f"{reverse('account_reauthenticate')}?next={reverse('mfa_activate_totp')}", {"password": PASSWORD})
    secret = browser.get(reverse("mfa_activate_totp")).context["form"].secret

    browser.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, valid_for=1.0)})

    assert _app_session_status(app, token) == 401
    assert browser.get(reverse("mfa_index")).status_code == 200


def test_removing_the_authenticator_app_ends_the_other_sessions(db):
    user = UserFactory()
    totp_activate(user=user)
    other, remover = Client(), Client()
    staff_force_login(other, user)
    staff_force_login(remover, user)
    remover.post(f"{reverse('account_reauthenticate')}?next={reverse('mfa_deactivate_totp')}", {"password": PASSWORD})

    removed = remover.post(reverse("mfa_deactivate_totp"))

    assert removed.status_code == 302
    assert other.get(reverse("mfa_index")).status_code == 302  # back to the login page
    assert "_auth_user_id" not in other.session
    assert remover.get(reverse("mfa_index")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_renewing_recovery_codes_ends_the_other_sessions():
    user = UserFactory()
    totp_activate(user=user)
    other, renewer = Client(), Client()
    staff_force_login(other, user)
    staff_force_login(renewer, user)
    renewer.post(
        f"{reverse('account_reauthenticate')}?next={reverse('mfa_generate_recovery_codes')}", {"password": PASSWORD}
    )

    renewed = renewer.post(reverse("mfa_generate_recovery_codes"))

    assert renewed.status_code == 302
    assert other.get(reverse("mfa_index")).status_code == 302
    assert "_auth_user_id" not in other.session
    assert renewer.get(reverse("mfa_index")).status_code == 200
