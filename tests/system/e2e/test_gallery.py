"""The public gallery and an effect's before/after in headless Chromium at desktop (1280 px) and phone
(390 px) widths: an even grid of equal cards (four columns, two on a phone), previews in the card's own
4:3 shape so the frame cuts nothing off, the sample photo beside the preview on the effect page (plain
images, also without JavaScript), no sideways scrolling, and no axe-core violation."""

import pytest
from playwright.sync_api import expect

from effects.catalog import effect_render_preview
from tests.support.axe import axe_audit
from tests.support.factories import EffectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]
# name, category, description, photo: names and descriptions of every length, people and scenes.
CARDS = [
    ("Black & White", "Classic", "Timeless monochrome.", "china.jpg"),
    ("Sepia", "Classic", "Warm brown tones of old prints, like the photos in a family album from long ago.", ""),
    ("Vintage Portrait With A Very Long Name", "Classic", "", "grace_hopper.jpg"),
    ("Pixel Art", "Classic", "Chunky retro pixels.", "astronaut.png"),
    ("Duotone", "Classic", "Your photo printed in two inks.", "flower.jpg"),
    ("Grain", "Film", "Film grain.", "camera.png"),
    ("Fade", "Film", "A soft, faded look with lifted blacks and gentle colours.", "coffee.png"),
]


def _gallery(width: int, page, live_server):
    for n, (name, category, description, photo) in enumerate(CARDS):
        effect = EffectFactory(
            name=name, slug=f"card-{n}", category=category, description=description, model_id="local:grayscale"
        )
        effect_render_preview(effect=effect, photo=photo)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url)
    cards = page.locator(".effect-card")
    expect(cards).to_have_count(len(CARDS))
    return cards


def _boxes(locator) -> list[dict]:
    return [locator.nth(i).bounding_box() for i in range(locator.count())]


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_the_gallery_is_an_even_grid_of_equal_cards(page, live_server, media_storage, shoot, width):
    _gallery(width, page, live_server)

    classic = _boxes(page.locator("#category-classic .effect-card"))
    columns = sorted({round(box["x"]) for box in classic})
    assert len(columns) == (4 if width >= 1000 else 2)
    for grid in ("#category-classic", "#category-film"):
        heights = {round(box["height"]) for box in _boxes(page.locator(f"{grid} .effect-card"))}
        assert len(heights) == 1, (grid, heights)  # a long name or description, or none, changes nothing
    # Cards of a row start and end on the same lines; the columns share the width evenly.
    first_row = [box for box in classic if abs(box["y"] - classic[0]["y"]) < 1]
    assert len(first_row) == len(columns)
    assert len({round(box["width"]) for box in classic}) == 1
    report = axe_audit(page)
    shoot(page, f"gallery-01-grid-{width}")
    assert not report, report
    _no_sideways_scroll(page, width)
    assert page.csp_errors == [] and page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_every_preview_has_the_cards_shape_so_its_frame_cuts_nothing_off(page, live_server, media_storage, width):
    _gallery(width, page, live_server)
    images = page.locator(".effect-card .thumb img")

    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        box = image.bounding_box()
        assert natural[0] > 0 and abs(natural[0] / natural[1] - 4 / 3) < 0.01  # the stored preview is 4:3
        assert abs(box["width"] / box["height"] - 4 / 3) < 0.02  # and so is its frame: nothing is cropped


@pytest.mark.parametrize("width", WIDTHS)
def test_the_effect_page_shows_the_sample_photo_beside_the_preview(page, live_server, media_storage, shoot, width):
    effect = EffectFactory(name="Black & White", slug="bw", category="Classic", model_id="local:grayscale")
    effect_render_preview(effect=effect, photo="grace_hopper.jpg")
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/effects/bw/")

    pair = page.get_by_test_id("before-after")
    before = pair.get_by_role("img", name="Computer scientist Grace Hopper in her US Navy uniform and cap")
    after = pair.get_by_role("img", name="The same photo with the Black & White effect")
    expect(page.get_by_role("heading", name="Before and after")).to_be_visible()
    pair.scroll_into_view_if_needed()
    for image in (before, after):
        expect(image).to_be_visible()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
    before_box, after_box = before.bounding_box(), after.bounding_box()
    assert abs(before_box["y"] - after_box["y"]) < 1 and before_box["x"] + before_box["width"] <= after_box["x"]
    assert abs(before_box["width"] - after_box["width"]) < 1 and abs(before_box["height"] - after_box["height"]) < 1
    assert after_box["x"] + after_box["width"] <= width
    expect(pair.locator("figcaption")).to_have_text(["Before", "After: Black & White"])
    expect(page.get_by_text("Photo: US Navy (public domain)")).to_be_visible()
    report = axe_audit(page)
    shoot(page, f"gallery-02-before-after-{width}")
    assert not report, report
    _no_sideways_scroll(page, width)
    assert page.csp_errors == [] and page.js_errors == []


def test_the_before_and_after_needs_no_javascript(browser, live_server, media_storage):
    effect = EffectFactory(name="Sepia", slug="sepia", category="Classic", model_id="local:sepia")
    effect_render_preview(effect=effect, photo="flower.jpg")
    context = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = context.new_page()

    page.goto(f"{live_server.url}/effects/sepia/")

    images = page.get_by_test_id("before-after").get_by_role("img")
    expect(images).to_have_count(2)
    for i in range(2):
        images.nth(i).scroll_into_view_if_needed()
        expect(images.nth(i)).to_be_visible()
    expect(page.get_by_role("link", name="licence")).to_have_attribute(
        "href", "https://creativecommons.org/licenses/by/2.0/"
    )
    context.close()
