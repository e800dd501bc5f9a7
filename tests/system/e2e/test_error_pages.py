"""Error pages in headless Chromium at desktop and phone widths: in development (DEBUG) a 404 is our own
styled page under the pages' CSP, not Django's technical page with its blocked inline styles."""

import pytest
from playwright.sync_api import expect

from tests.support.axe import axe_audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_in_development_a_404_is_our_styled_page_without_csp_errors(page, live_server, settings, shoot, width):
    settings.DEBUG = True
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/no-such-page/")

    expect(page.get_by_role("heading", name="We couldn’t find that page")).to_be_visible()
    expect(page.get_by_test_id("debug-reason")).to_contain_text("No URL pattern matches /no-such-page/.")
    code = page.locator(".error-page .code")
    assert code.evaluate("el => getComputedStyle(el).fontSize") == "64px"  # the site's stylesheet applies
    report = axe_audit(page)
    shoot(page, f"error-01-debug-404-{width}")
    assert not report, report
    assert page.csp_errors == [] and page.js_errors == []
