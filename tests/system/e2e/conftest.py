"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Chromium comes from apt (`scripts/browser.sh`, run by `make test`); `playwright install` is never used.
Every page gets axe-core (``tests/support/axe.py``) so a test can check what it renders.
"""

import os
import re
from pathlib import Path

import pytest

from tests.support.axe import axe_script

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
STAFF_EMAIL = "staff@example.com"
STAFF_PASSWORD = "a-long-Passphrase-9"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise pytest.UsageError(f"{CHROMIUM} is missing: run scripts/browser.sh (make test does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source():
    return axe_script()


@pytest.fixture
def page(browser, axe_source):
    """A fresh browser context with axe-core loaded in every page; CSP violations and page errors
    are collected for assertions."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(script=axe_source)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.csp_errors = []
    page.js_errors = []
    page.on(
        "console",
        lambda msg: page.csp_errors.append(msg.text)
        if msg.type == "error" and "Content Security Policy" in msg.text
        else None,
    )
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def shoot():
    """Save a full-page screenshot into test-artifacts/ (git-ignored) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def _shoot(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot


@pytest.fixture
def staff_signs_in(live_server):
    """Sign a new superuser with an authenticator app (TOTP) into the admin in a browser page, as
    staff do: the admin's login is allauth's (email and password), then the authenticator code.

    Call it with the page; it returns the staff user once the admin index is open."""
    from playwright.sync_api import expect

    from tests.support.factories import UserFactory, totp_activate, totp_code

    def _sign_in(page):
        staff = UserFactory(email=STAFF_EMAIL, password=STAFF_PASSWORD, is_staff=True, is_superuser=True)
        secret = totp_activate(user=staff)
        page.goto(f"{live_server.url}/admin/login/")
        page.locator("input[name=login]").fill(STAFF_EMAIL)
        page.locator("input[name=password]").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.locator("input[name=code]").fill(totp_code(secret))
        page.locator("form button[type=submit]").first.click()
        expect(page).to_have_url(re.compile(r"/admin/$"))
        return staff

    return _sign_in
