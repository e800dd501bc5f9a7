"""Staff curate effects and look at jobs in the admin, in headless Chromium at 1280 px and 390 px:
the effect list fits, drag and drop and the keyboard reorder it (and the gallery follows), Add AI
effect says up front that the provider token is missing, and the job page reads as a story."""

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from billing.models import CreditTransaction
from billing.services import credits_charge
from effects.catalog import category_get_or_create, effect_render_preview
from effects.jobs.files import job_renditions_store
from effects.models import Effect, JobStage, JobStatus
from tests.support.axe import axe_audit
from tests.support.factories import EffectFactory, JobFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE_PHOTO = Path(__file__).resolve().parents[3] / "effects" / "samples" / "sample.jpg"
PHONE = {"width": 390, "height": 844}
LONG_NAME = "Dreamy Watercolour Portrait With Soft Pastel Edges And Grain"


def _catalog() -> list[Effect]:
    """Five effects with rendered previews, one with a long name and slug, in this gallery order."""
    specs = [
        ("Black & White", "bw", "Classic", "local:grayscale"),
        ("Sepia", "sepia", "Classic", "local:sepia"),
        ("Pop Poster", "poster", "Fun", "local:posterize"),
        (LONG_NAME, "dreamy-watercolour-portrait-with-soft-pastel-edges-and-grain", "Fun", "local:sepia"),
        ("Negative", "negative", "Fun", "local:grayscale"),
    ]
    effects = []
    for n, (name, slug, category, model_id) in enumerate(specs):
        effect = EffectFactory(name=name, slug=slug, category=category, model_id=model_id, position=(n + 1) * 10)
        effect_render_preview(effect=effect)
        effects.append(effect)
    return effects


def _db_order() -> list[str]:
    return list(Effect.objects.order_by("position", "name", "pk").values_list("slug", flat=True))


def _list_order(page) -> list[str]:
    return page.locator("#result_list tbody .pm-slug").all_inner_texts()


def _fits(page) -> dict:
    return page.locator("#changelist .results").evaluate(
        "el => ({scroll: el.scrollWidth, client: el.clientWidth, table: document.getElementById('result_list')"
        ".getBoundingClientRect().width})"
    )


def _audit(page) -> str:
    """axe-core's report of the open page; the page broke no CSP rule before axe ran (axe's own
    probes set inline styles, which the CSP refuses: those are not the page's)."""
    assert page.csp_errors == [] and page.js_errors == []
    report = axe_audit(page)
    page.csp_errors.clear()
    return report


def _wait_for(predicate, page, what: str):
    for _ in range(100):
        if predicate():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"timed out waiting for {what}")


def test_effect_list_fits_a_1280_px_screen_and_a_drag_reorders_the_gallery(
    page, live_server, media_storage, staff_signs_in, shoot
):
    _catalog()
    staff_signs_in(page)
    page.goto(f"{live_server.url}/admin/effects/effect/")

    size = _fits(page)
    assert size["scroll"] <= size["client"], size  # no horizontal scroll: every column is in view
    for column in ("Effect", "Category", "Credits", "Is active"):
        expect(page.locator("#result_list thead th", has_text=column).first).to_be_in_viewport()
    long_name = page.locator(".pm-name", has_text=LONG_NAME)
    assert long_name.evaluate("el => el.scrollWidth > el.clientWidth")  # truncated with an ellipsis, not wrapped
    shoot(page, "admin-effect-list-1280")
    assert _audit(page) == ""

    # Drag "Negative" (last) above "Pop Poster" (third; both in Fun) by its handle.
    page.locator("tr", has_text="negative").locator(".drag.handle").drag_to(
        page.locator("tr", has_text="poster").locator(".drag.handle"), target_position={"x": 7, "y": 2}
    )
    expected = ["bw", "sepia", "negative", "poster", "dreamy-watercolour-portrait-with-soft-pastel-edges-and-grain"]
    _wait_for(lambda: _db_order() == expected, page, "the dragged order to be saved")

    page.reload()
    assert _list_order(page) == expected
    page.goto(live_server.url)
    names = page.locator(".effect-card h3, .effect-card .effect-name").all_inner_texts()
    assert names == ["Black & White", "Sepia", "Negative", "Pop Poster", LONG_NAME], names
    assert page.csp_errors == [] and page.js_errors == []


def test_keyboard_moves_an_effect_up_and_down_and_the_order_persists(
    page, live_server, media_storage, staff_signs_in, shoot
):
    _catalog()
    staff_signs_in(page)
    page.goto(f"{live_server.url}/admin/effects/effect/")

    down = page.get_by_role("button", name="Move Black & White down")
    down.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#order-status")).to_have_text("Black & White moved down: now 2 of 5.")
    expect(down).to_be_focused()  # the pressed button keeps the focus: press again to move further
    page.keyboard.press("Space")
    expect(page.locator("#order-status")).to_have_text("Black & White moved down: now 3 of 5.")
    _wait_for(lambda: _db_order()[:3] == ["sepia", "poster", "bw"], page, "the moves to be saved")

    up = page.get_by_role("button", name="Move Sepia up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#order-status")).to_have_text("Sepia is already first on this page.")
    expect(up).to_have_attribute("aria-disabled", "true")
    shoot(page, "admin-effect-list-keyboard-move")
    assert _audit(page) == ""

    page.reload()
    assert _list_order(page)[:3] == ["sepia", "poster", "bw"]
    assert page.csp_errors == [] and page.js_errors == []


def test_effect_list_on_a_phone_keeps_names_and_move_buttons_in_view(
    page, live_server, media_storage, staff_signs_in, shoot
):
    _catalog()
    staff_signs_in(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/effects/effect/")

    expect(page.locator(".pm-name", has_text="Pop Poster")).to_be_in_viewport()
    move = page.get_by_role("button", name="Move Pop Poster up")
    expect(move).to_be_in_viewport()
    move.click()
    expect(page.locator("#order-status")).to_have_text("Pop Poster moved up: now 2 of 5.")
    _wait_for(lambda: _db_order()[:2] == ["bw", "poster"], page, "the move to be saved")
    shoot(page, "admin-effect-list-390")
    assert _audit(page) == ""
    assert page.csp_errors == [] and page.js_errors == []


def test_add_ai_effect_says_the_token_is_missing_and_fills_in_the_slug(
    page, live_server, settings, staff_signs_in, shoot
):
    settings.REPLICATE_API_TOKEN = ""
    category_get_or_create(name="AI Studio")
    staff_signs_in(page)
    page.goto(f"{live_server.url}/admin/effects/effect/")
    page.get_by_role("link", name="Add AI effect").click()

    expect(page.locator("#token-missing")).to_contain_text("REPLICATE_API_TOKEN is not set")
    expect(page.get_by_role("button", name="Create and try it")).to_be_disabled()
    page.get_by_label("Name").press_sequentially("Clay Figure")
    expect(page.get_by_label("Slug")).to_have_value("clay-figure")
    # The prompt's help text sits under its box, not beside it.
    prompt = page.get_by_label("Prompt").bounding_box()
    help_box = page.locator("#id_prompt_helptext").bounding_box()
    assert help_box["y"] >= prompt["y"] + prompt["height"] - 1
    shoot(page, "admin-add-ai-effect-1280")
    assert _audit(page) == ""

    page.set_viewport_size(PHONE)
    expect(page.locator("#token-missing")).to_be_in_viewport()
    shoot(page, "admin-add-ai-effect-390")
    assert _audit(page) == ""

    page.get_by_label("Prompt").fill("Turn this photo into a clay figure")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Created “Clay Figure” (hidden)")
    expect(page.get_by_role("button", name="Try it")).to_be_disabled()
    assert Effect.objects.get(slug="clay-figure").model_id.startswith("replicate:")
    assert page.csp_errors == [] and page.js_errors == []


def _completed_job(*, owner, effect):
    data = SAMPLE_PHOTO.read_bytes()
    job = JobFactory(user=owner, effect=effect, status=JobStatus.COMPLETED, stage=JobStage.STORING, credits_charged=3)
    job.source.save("source.jpg", ContentFile(data), save=False)
    job.result.save("result.jpg", ContentFile(data), save=False)
    job.renditions = job_renditions_store(job=job, result=data)
    job.save()
    credits_charge(user=owner, amount=3, reference=f"charge:{job.pk}", job=job)
    return job


def test_job_page_tells_the_jobs_story_and_refunds_it_as_goodwill(
    page, live_server, media_storage, staff_signs_in, shoot
):
    owner = UserFactory(email="alice@example.com")
    job = _completed_job(owner=owner, effect=EffectFactory(name="Oil paint", slug="oil-paint"))
    staff_signs_in(page)
    page.goto(f"{live_server.url}/admin/effects/job/{job.pk}/change/")

    expect(page.locator("h1")).to_have_text("Oil paint for alice@example.com — Completed")
    for label in ("Before", "After"):
        image = page.get_by_role("img", name=re.compile(f"^{label}:"))
        expect(image).to_be_visible()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_text("Saving the result")).to_have_count(0)
    expect(page.locator("#refund-status")).to_contain_text("Not refunded")
    expect(page.get_by_role("link", name=f"charge:{job.pk}")).to_be_visible()
    shoot(page, "admin-job-page-1280")
    assert _audit(page) == ""

    page.get_by_role("button", name="Goodwill refund").click()
    page.get_by_label("Note").fill("The colours came out muddy; sorry")
    page.get_by_role("button", name="Refund as goodwill").click()

    expect(page.locator(".messagelist")).to_contain_text(f"Job {job.pk}: refunded 3 credit(s).")
    expect(page.locator("#refund-status")).to_contain_text("Refunded 3 credits (goodwill refund)")
    ledger = page.get_by_role("link", name=f"goodwill:{job.pk}")
    expect(ledger).to_be_visible()
    page.set_viewport_size(PHONE)
    shoot(page, "admin-job-page-390")
    assert _audit(page) == ""
    ledger.click()
    expect(page.locator("h1")).to_contain_text("credit transaction")
    row = CreditTransaction.objects.get(reference=f"goodwill:{job.pk}")
    assert row.amount == 3 and row.note == "The colours came out muddy; sorry"
    assert page.csp_errors == [] and page.js_errors == []
