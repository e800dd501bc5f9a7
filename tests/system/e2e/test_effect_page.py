"""The effect page's apply form in headless Chromium at desktop and phone widths: drop, paste or pick a
photo with a preview, the cost against the balance, the form first on a phone, and the plain form
without JavaScript."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from billing.services import credits_charge
from effects.catalog import effect_render_preview
from effects.models import Job
from tests.support.axe import axe_audit
from tests.support.factories import EffectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE_PHOTO = Path(__file__).resolve().parents[3] / "effects" / "samples" / "sample.jpg"
PASSWORD = "a-long-Passphrase-9"
WIDTHS = [1280, 390]

# A paste or a drop of the sample photo, as the browser delivers one: a DataTransfer holding a File.
_TRANSFER = """async ([bytes, name]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "image/jpeg"}));
  return transfer;
}"""


def _effect(credits=1):
    effect = EffectFactory(
        name="Black & White", slug="bw", category="Classic", model_id="local:grayscale", credits=credits
    )
    effect_render_preview(effect=effect)
    return effect


def _open(page, live_server, user, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-credits]:visible")).to_have_count(1)  # the balance, in the header or its menu
    page.goto(f"{live_server.url}/effects/bw/")


def _transfer(page, name="pasted.jpg"):
    return page.evaluate_handle(_TRANSFER, [list(SAMPLE_PHOTO.read_bytes()), name])


@pytest.mark.parametrize("width", WIDTHS)
def test_a_pasted_photo_is_previewed_and_applied(page, live_server, media_storage, shoot, width):
    _effect()
    user = UserFactory(password=PASSWORD)
    _open(page, live_server, user, width)
    expect(page.get_by_text("Drop a photo here or paste one")).to_be_visible()

    transfer = _transfer(page, "from-clipboard.jpg")
    page.evaluate(
        "(data) => document.body.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}))",
        transfer,
    )

    preview = page.get_by_role("img", name="The photo you chose")
    expect(preview).to_be_visible()
    expect(preview).to_have_js_property("complete", True)
    assert preview.evaluate("img => img.naturalWidth") > 0
    expect(page.locator("[data-chosen-name]")).to_contain_text("from-clipboard.jpg")
    assert page.get_by_label("Upload a photo").evaluate("input => input.files.length") == 1
    report = axe_audit(page)
    shoot(page, f"effect-01-pasted-{width}")
    assert not report, report
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("button", name="Apply for 1 credit").click()

    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    assert Job.objects.filter(user=user).count() == 1
    assert page.csp_errors == [] and page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_dropped_photo_is_previewed_and_can_be_removed_with_the_keyboard(
    page, live_server, media_storage, shoot, width
):
    _effect()
    _open(page, live_server, UserFactory(password=PASSWORD), width)
    page.get_by_label("…or paste an image URL").fill("https://example.com/photo.jpg")

    transfer = _transfer(page, "dropped.jpg")
    page.locator("[data-dropzone]").dispatch_event("dragover", {"dataTransfer": transfer})
    expect(page.locator("[data-dropzone]")).to_have_class(re.compile("is-dragging"))
    page.locator("[data-dropzone]").dispatch_event("drop", {"dataTransfer": transfer})

    expect(page.get_by_role("img", name="The photo you chose")).to_be_visible()
    expect(page.get_by_label("…or paste an image URL")).to_have_value("")  # one source at a time
    shoot(page, f"effect-02-dropped-{width}")
    page.get_by_label("Upload a photo").focus()
    remove = page.get_by_role("button", name="Remove")
    for _ in range(5):  # the Remove button is the next stop or two after the file input
        if remove.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(remove).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("img", name="The photo you chose")).to_be_hidden()
    assert page.get_by_label("Upload a photo").evaluate("input => input.files.length") == 0
    expect(page.get_by_label("Upload a photo")).to_be_focused()
    assert page.csp_errors == [] and page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_picked_photo_is_previewed_and_the_form_comes_before_the_example(
    page, live_server, media_storage, shoot, width
):
    _effect()
    _open(page, live_server, UserFactory(password=PASSWORD), width)

    page.get_by_label("Upload a photo").set_input_files(str(SAMPLE_PHOTO))

    expect(page.get_by_role("img", name="The photo you chose")).to_be_visible()
    form = page.get_by_role("region", name="Apply to your photo").bounding_box()
    example = page.get_by_role("img", name="The same photo with the Black & White effect").bounding_box()
    if width < 600:
        assert form["y"] + form["height"] <= example["y"]  # stacked: the form first
    else:
        assert form["x"] + form["width"] <= example["x"]  # side by side: the form on the left
    shoot(page, f"effect-03-picked-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_with_too_few_credits_apply_is_disabled_and_links_to_billing(page, live_server, media_storage, shoot, width):
    _effect(credits=3)
    user = UserFactory(password=PASSWORD)
    credits_charge(user=user, amount=9, reference="charge:earlier")
    _open(page, live_server, user, width)

    expect(page.get_by_test_id("cost-line")).to_have_text("3 credits · you have 1")
    expect(page.get_by_role("button", name="Apply for 3 credits")).to_be_disabled()
    report = axe_audit(page)
    shoot(page, f"effect-04-too-few-credits-{width}")
    assert not report, report
    page.get_by_role("link", name="Get credits").click()

    expect(page).to_have_url(re.compile(r"/billing/$"))


def test_without_javascript_the_plain_form_still_applies_a_photo(browser, live_server, media_storage):
    _effect()
    user = UserFactory(password=PASSWORD)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        _open(page, live_server, user, 390)
        expect(page.get_by_text("Drop a photo here or paste one")).to_be_hidden()

        page.get_by_label("Upload a photo").set_input_files(str(SAMPLE_PHOTO))
        page.get_by_role("button", name="Apply for 1 credit").click()

        expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
        assert Job.objects.filter(user=user).count() == 1
    finally:
        context.close()
