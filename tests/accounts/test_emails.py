"""Every email the site sends, produced by its real flow: branded, text and HTML, links to SITE_URL."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import site_sync
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://photos.photomania.test"
PASSWORD = "a-long-and-unusual-passphrase-42"
LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def public_site(settings):
    """A public address other than the test client's host, so links built from the request would show."""
    settings.SITE_URL = SITE_URL
    settings.SITE_NAME = "PhotoMania"
    site_sync()


def _signup(email="new.reader@mail.test"):
    APIClient().post("/_allauth/app/v1/auth/signup", {"email": email, "password": PASSWORD}, format="json")


def _password_request(email):
    APIClient().post("/_allauth/app/v1/auth/password/request", {"email": email}, format="json")


def sign_up(client, settings):
    _signup()


def sign_up_again_with_a_taken_address(client, settings):
    UserFactory(email="taken@mail.test")
    # With mandatory verification (the production default) the sign-up page answers as for a new
    # address, so it reveals no account, and emails the owner instead.
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    client.post(reverse("account_signup"), {"email": "taken@mail.test", "password1": PASSWORD, "password2": PASSWORD})


def reset_a_password(client, settings):
    UserFactory(email="forgetful@mail.test")
    _password_request("forgetful@mail.test")


def reset_the_password_of_an_unknown_address(client, settings):
    _password_request("nobody@mail.test")


def resend_an_email_confirmation(client, settings):
    user = UserFactory(email="unconfirmed@mail.test")
    client.force_login(user)
    client.post(reverse("account_email"), {"email": "unconfirmed@mail.test", "action_send": ""})


FLOWS = {
    "email_confirmation_signup": sign_up,
    "account_already_exists": sign_up_again_with_a_taken_address,
    "password_reset_key": reset_a_password,
    "unknown_account": reset_the_password_of_an_unknown_address,
    "email_confirmation": resend_an_email_confirmation,
}
SUBJECTS = {
    "email_confirmation_signup": "[PhotoMania] Welcome! Confirm your email address",
    "account_already_exists": "[PhotoMania] You already have an account",
    "password_reset_key": "[PhotoMania] Reset your password",
    "unknown_account": "[PhotoMania] No account with this address",
    "email_confirmation": "[PhotoMania] Confirm your email address",
}


def _send(flow, client, settings, mailoutbox):
    FLOWS[flow](client, settings)
    [message] = mailoutbox
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message, message.body, html


@pytest.mark.parametrize("flow", FLOWS)
def test_each_email_has_its_branded_subject(flow, client, settings, mailoutbox, public_site):
    message, _text, _html = _send(flow, client, settings, mailoutbox)

    assert message.subject == SUBJECTS[flow]


@pytest.mark.parametrize("flow", FLOWS)
def test_each_email_has_a_text_and_an_html_body_naming_the_site(flow, client, settings, mailoutbox, public_site):
    _message, text, html = _send(flow, client, settings, mailoutbox)

    assert text.startswith("PhotoMania") and "<" not in text
    assert html.startswith("<!doctype html>") and "&#9670; PhotoMania</a>" in html


@pytest.mark.parametrize("flow", FLOWS)
def test_no_email_mentions_example_com(flow, client, settings, mailoutbox, public_site):
    message, text, html = _send(flow, client, settings, mailoutbox)

    assert "example.com" not in f"{message.subject}{text}{html}"


@pytest.mark.parametrize("flow", FLOWS)
def test_every_link_in_an_email_is_absolute_to_the_site_url(flow, client, settings, mailoutbox, public_site):
    _message, text, html = _send(flow, client, settings, mailoutbox)

    text_links, html_links = LINK.findall(text), LINK.findall(html)
    assert len(text_links) >= 2 and len(html_links) >= 3  # the action, the site; html adds the logo
    assert all(link.startswith(f"{SITE_URL}/") for link in text_links + html_links)


@pytest.mark.parametrize("flow", FLOWS)
def test_each_email_says_why_the_reader_got_it(flow, client, settings, mailoutbox, public_site):
    _message, text, html = _send(flow, client, settings, mailoutbox)

    assert "You received this email because" in text
    assert "You received this email because" in html


def test_the_password_reset_link_in_the_email_opens_the_reset_form(client, settings, mailoutbox, public_site):
    reset_a_password(client, settings)
    [link] = [u for u in LINK.findall(mailoutbox[0].body) if "/password/reset/key/" in u]

    response = client.get(link.removeprefix(SITE_URL), follow=True)

    assert response.status_code == 200
    assert 'name="password1"' in response.content.decode()


def test_the_confirmation_link_in_the_sign_up_email_confirms_the_address(client, settings, mailoutbox, public_site):
    sign_up(client, settings)
    [link] = [u for u in LINK.findall(mailoutbox[0].body) if "/confirm-email/" in u]

    client.post(link.removeprefix(SITE_URL))

    assert EmailAddress.objects.get(email="new.reader@mail.test").verified
