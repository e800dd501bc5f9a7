"""The API keys page in headless Chromium at desktop (1280 px) and phone (390 px) widths: a person makes
a key, sees it once with a working copy button, uses it, and revokes it; axe-core finds no violation."""

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from accounts.models import ApiKey
from tests.support.axe import axe_audit
from tests.support.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Passphrase-9"


def _log_in(page, live_server, user, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-credits]").first).to_be_attached()


@pytest.mark.parametrize("width", [1280, 390])
def test_make_a_key_see_it_once_copy_it_and_revoke_it(page, live_server, shoot, width):
    user = UserFactory(password=PASSWORD)
    _log_in(page, live_server, user, width)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_test_id("api-keys-link").click()

    page.get_by_label("Name").fill("Laptop uploader")
    page.get_by_label("account — change the profile, billing, callback secret and data export").uncheck()
    page.get_by_test_id("create-key").click()

    key = page.get_by_test_id("new-key").input_value()
    assert key.startswith("pmk_") and "." in key
    page.get_by_role("button", name="Copy key").click()
    expect(page.locator("#key-copy-status")).to_have_text("Key copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == key
    expect(page.get_by_test_id("key-row")).to_have_count(1)
    expect(page.get_by_test_id("key-row")).to_contain_text("read, apply")
    report = axe_audit(page)
    shoot(page, f"api-keys-01-created-{width}")
    assert not report, report
    assert not page.csp_errors and not page.js_errors
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    assert client.get("/api/user/credits").status_code == 200

    page.goto(f"{live_server.url}/dashboard/api-keys/")  # shown once: a new visit never shows it again
    expect(page.get_by_test_id("created-key")).to_have_count(0)
    assert key.partition(".")[2] not in page.content()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke Laptop uploader").click()
    expect(page.get_by_text("The key was revoked")).to_be_visible()
    expect(page.get_by_test_id("key-row")).to_have_count(0)
    shoot(page, f"api-keys-02-revoked-{width}")
    assert ApiKey.objects.get().revoked
    assert client.get("/api/user/credits").status_code == 401
