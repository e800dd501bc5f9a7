"""The site's layout in headless Chromium at desktop (1280 px) and phone (390 px) widths: the header on
one line with a menu button on phones, the credit history's Balance column in view, the gallery as a
grid of small cards; axe-core finds no violation on these pages at either width."""

import pytest
from playwright.sync_api import expect

from billing.services import credits_charge
from effects.catalog import effect_render_preview
from tests.support.axe import axe_audit
from tests.support.factories import EffectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Passphrase-9"


def _log_in(page, live_server, user, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-credits]").first).to_be_attached()


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_on_a_phone_the_header_is_one_line_and_the_menu_button_opens_the_links(page, live_server, shoot):
    _log_in(page, live_server, UserFactory(password=PASSWORD), 390)
    header = page.locator(".site-header")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")

    closed_height = header.bounding_box()["height"]
    brand, button = page.get_by_role("link", name="PhotoMania").bounding_box(), menu.bounding_box()
    assert abs(brand["y"] + brand["height"] / 2 - (button["y"] + button["height"] / 2)) < 4  # one line
    assert closed_height < 70
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".header-credits")).to_have_text("10 credits")
    report_closed = axe_audit(page)
    shoot(page, "layout-01-phone-header")

    menu.focus()
    page.keyboard.press("Enter")

    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Billing")).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    report_open = axe_audit(page)
    shoot(page, "layout-02-phone-menu-open")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()
    assert not report_closed and not report_open, report_closed + report_open
    _no_sideways_scroll(page, 390)
    assert page.csp_errors == [] and page.js_errors == []


def test_on_a_desktop_the_links_show_without_a_menu_button(page, live_server, shoot):
    _log_in(page, live_server, UserFactory(password=PASSWORD), 1280)

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Billing")).to_be_visible()
    expect(nav.get_by_role("link", name="10 credits")).to_be_visible()
    assert page.locator(".site-header").bounding_box()["height"] < 70
    shoot(page, "layout-03-desktop-header")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_credit_history_shows_the_balance_column_in_view(page, live_server, shoot, width):
    user = UserFactory(password=PASSWORD)
    credits_charge(user=user, amount=3, reference="charge:one")
    credits_charge(user=user, amount=2, reference="charge:two")
    _log_in(page, live_server, user, width)

    page.goto(f"{live_server.url}/dashboard/")

    balances = page.get_by_test_id("ledger-balance")
    expect(balances).to_have_count(3)
    expect(balances.first).to_contain_text("5")
    for index in range(3):
        box = balances.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    if width < 600:
        # Each value carries its column's name on a phone.
        assert balances.first.evaluate("td => getComputedStyle(td, '::before').content") == '"Balance"'
    report = axe_audit(page)
    shoot(page, f"layout-04-dashboard-{width}")
    assert not report, report
    _no_sideways_scroll(page, width)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_gallery_is_a_grid_of_cards(page, live_server, media_storage, shoot, width):
    for n in range(6):
        effect = EffectFactory(name=f"Effect {n}", slug=f"effect-{n}", category="Classic", model_id="local:grayscale")
        effect_render_preview(effect=effect)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(live_server.url)

    cards = page.locator(".effect-card")
    expect(cards).to_have_count(6)
    columns = {round(cards.nth(i).bounding_box()["x"]) for i in range(6)}
    assert len(columns) == (2 if width < 600 else 4)
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first["height"] == second["height"]  # cards in a row line up
    report = axe_audit(page)
    shoot(page, f"layout-05-gallery-{width}")
    assert not report, report
    _no_sideways_scroll(page, width)
