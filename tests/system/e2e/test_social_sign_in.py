"""Sign-in through an OpenID Connect provider in headless Chromium: the live server, allauth's real
flow and the local provider (tests/fakes/oidc_server.py), which the browser visits like a real one."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_login_page_has_no_provider_button_when_none_is_configured(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")

    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Continue with"))).to_have_count(0)


def test_the_provider_button_signs_a_new_user_in_through_the_provider(page, live_server, oidc_server, shoot):
    oidc_server.redirect_uris = {f"{live_server.url}/accounts/oidc/sso/login/callback/"}
    page.goto(f"{live_server.url}/accounts/login/")
    shoot(page, "social-01-login-with-providers")

    page.get_by_role("button", name="Continue with Acme SSO").click()

    expect(page.locator(".credits-badge")).to_have_text("10 credits")
    shoot(page, "social-02-signed-in")
    assert User.objects.get(email="ada@example.com").name == "Ada Lovelace"
    assert len(oidc_server.authorizations) == 1
    assert page.csp_errors == [] and page.js_errors == []


def test_the_login_and_sign_up_pages_offer_every_configured_provider(
    page, live_server, oidc_server, settings, monkeypatch, shoot
):
    from photomania.settings.auth import social_providers_from_env

    for name, value in {
        "GOOGLE_CLIENT_ID": "google-id",
        "GOOGLE_CLIENT_SECRET": "google-secret",
        "GITHUB_CLIENT_ID": "github-id",
        "GITHUB_CLIENT_SECRET": "github-secret",
    }.items():
        monkeypatch.setenv(name, value)
    settings.SOCIALACCOUNT_PROVIDERS = social_providers_from_env()
    names = ["Continue with Google", "Continue with GitHub", "Continue with Acme SSO"]

    for path, divider in [("login", "or log in with your email"), ("signup", "or sign up with your email")]:
        page.goto(f"{live_server.url}/accounts/{path}/")
        shoot(page, f"social-03-{path}-with-three-providers")

        for name in names:
            expect(page.get_by_role("button", name=name)).to_be_visible()
        expect(page.get_by_text(divider)).to_be_visible()
    assert page.csp_errors == [] and page.js_errors == []
