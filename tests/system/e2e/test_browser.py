"""End-to-end in headless Chromium: real live server, real Celery worker, real images."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from effects.catalog import effect_render_preview
from effects.jobs.dispatch import job_publish
from effects.models import Category, Effect, Job, JobStatus
from tests.support.factories import EffectFactory, JobFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE_PHOTO = Path(__file__).resolve().parents[3] / "effects" / "samples" / "sample.jpg"
PASSWORD = "a-long-Passphrase-9"


def _catalog():
    effects = [
        EffectFactory(name="Black & White", slug="bw", category="Classic", model_id="local:grayscale", credits=1),
        EffectFactory(name="Sepia", slug="sepia", category="Classic", model_id="local:sepia", credits=1),
        EffectFactory(name="Pop Poster", slug="poster", category="Fun", model_id="local:posterize", credits=2),
    ]
    for effect in effects:
        effect_render_preview(effect=effect)
    return effects


def _log_in(page, live_server, email, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".credits-badge")).to_be_visible()


def test_sign_up_apply_an_effect_watch_it_complete_then_delete_it(
    page, live_server, celery_worker_pipeline, media_storage, shoot
):
    _catalog()
    page.goto(live_server.url)
    shoot(page, "01-home-visitor")

    page.get_by_role("link", name="Sign up free").first.click()
    page.get_by_label("Email").fill("e2e@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    shoot(page, "02-signup")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".credits-badge")).to_have_text("10 credits")

    page.get_by_role("link", name=re.compile("Black & White")).click()
    page.get_by_label("Upload a photo").set_input_files(str(SAMPLE_PHOTO))
    shoot(page, "03-effect-page")
    page.get_by_role("button", name="Apply for 1 credit").click()

    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("link", name="Download result")).to_be_visible(timeout=60_000)
    expect(page.locator(".credits-badge")).to_have_text("9 credits")
    expect(page.get_by_alt_text("Your photo with the Black & White effect")).to_have_js_property("complete", True)
    assert page.get_by_alt_text("Your photo with the Black & White effect").evaluate("img => img.naturalWidth") > 0
    shoot(page, "04-job-completed")
    assert Job.objects.get(user__email="e2e@example.com").status == JobStatus.COMPLETED

    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    expect(page.locator(".history-item")).to_have_count(1)
    shoot(page, "05-history")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".history-item").get_by_role("button", name=re.compile("Delete")).click()

    expect(page.get_by_text("You haven’t applied any effects yet.")).to_be_visible()
    assert not Job.objects.filter(user__email="e2e@example.com").exists()
    assert page.csp_errors == [] and page.js_errors == []


def test_staff_creates_an_effect_renders_its_preview_and_it_appears_in_the_gallery(
    page, live_server, media_storage, staff_signs_in, shoot
):
    Category.objects.create(name="Classic", slug="classic")
    staff_signs_in(page)

    page.goto(f"{live_server.url}/admin/effects/effect/add/")
    page.get_by_label("Name").press_sequentially("Moody Mono")
    expect(page.get_by_label("Slug")).to_have_value("moody-mono")  # admin's prepopulate script ran
    page.get_by_label("Category").select_option(label="Classic")
    page.get_by_label("Model id").fill("local:grayscale")
    page.get_by_label("Config").fill("{}")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.get_by_role("button", name="Render preview").click()
    expect(page.locator(".messagelist")).to_contain_text("The preview was rendered")
    shoot(page, "10-admin-effect")
    assert Effect.objects.get(slug="moody-mono").preview
    # A new effect starts hidden; with its preview, staff publish it.
    page.get_by_label("Is active").check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(live_server.url)
    card = page.locator(".effect-card", has_text="Moody Mono")
    expect(card).to_be_visible()
    expect(card.locator("img")).to_have_js_property("complete", True)
    assert card.locator("img").evaluate("img => img.naturalWidth") > 0
    shoot(page, "11-gallery-with-new-effect")
    assert page.csp_errors == []


def test_main_pages_render_without_csp_or_script_errors(page, live_server, media_storage, shoot):
    effects = _catalog()
    user = UserFactory(email="shots@example.com", password=PASSWORD)
    referred = UserFactory(referred_by=user)
    JobFactory(user=user, effect=effects[0], status=JobStatus.FAILED, error_message="The image could not be decoded")
    JobFactory(user=user, effect=effects[1])
    assert referred.referred_by == User.objects.get(email="shots@example.com")
    _log_in(page, live_server, "shots@example.com")

    for path, name in [
        ("/", "20-home-signed-in"),
        ("/dashboard/", "21-dashboard"),
        ("/jobs/", "22-history"),
        (f"/jobs/{user.jobs.get(status=JobStatus.FAILED).pk}/", "23-job-failed"),
        (f"/jobs/{user.jobs.get(status=JobStatus.PENDING).pk}/", "24-job-pending"),
        ("/billing/", "25-billing"),
        ("/effects/bw/", "26-effect-page"),
        ("/accounts/email/", "29-email-settings"),
        ("/no-such-page/", "27-not-found"),
    ]:
        page.goto(f"{live_server.url}{path}")
        shoot(page, name)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url)
    shoot(page, "28-home-mobile")
    assert page.csp_errors == [] and page.js_errors == []


def test_referral_link_copy_button_copies_the_link(page, live_server, shoot):
    user = UserFactory(email="copier@example.com", password=PASSWORD)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/accounts/login/")
    shoot(page, "06-login")
    _log_in(page, live_server, "copier@example.com")
    page.goto(f"{live_server.url}/dashboard/")

    page.get_by_role("button", name="Copy link").click()

    expect(page.get_by_role("button", name="Copied!")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"?ref={user.referral_code}")


def test_job_page_shows_the_queue_position_then_the_providers_percentage_then_the_result(
    page, live_server, media_storage, replicate_server, celery_worker_pipeline, shoot
):
    # Two jobs of other users wait in the default queue (never published, so no worker takes them).
    replicate_server.statuses = ["starting", "processing"]
    replicate_server.logs = " 35%|███▌      | 7/20 [00:02<00:04]"
    user = UserFactory(email="progress@example.com", password=PASSWORD)
    effect = EffectFactory(name="Restore", slug="restore", model_id="replicate:acme/restore")
    now = timezone.now()
    ahead = [JobFactory(effect=effect, queue="default", created_at=now - timedelta(seconds=30 - i)) for i in range(2)]
    mine = JobFactory(user=user, effect=effect, queue="default", created_at=now, credits_charged=1)
    mine.source.save("source.png", ContentFile(image_bytes("PNG", (64, 48))))
    _log_in(page, live_server, "progress@example.com")

    page.goto(f"{live_server.url}/jobs/{mine.pk}/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Waiting in the queue…")
    expect(status).to_contain_text("2 photos ahead of yours.")
    expect(page.locator("[aria-current=step]")).to_have_text("Queued")
    shoot(page, "30-job-queued")

    # The jobs ahead finish elsewhere; the page's next poll moves this one up.
    Job.objects.filter(pk__in=[job.pk for job in ahead]).update(status=JobStatus.COMPLETED)
    expect(status).to_contain_text("Your photo is next.")

    # Now the worker takes it; the provider's logs say 35%.
    job_publish(job=mine)
    expect(page.get_by_role("heading", name="Applying the effect… 35%")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("progressbar")).to_have_js_property("value", 35)
    expect(page.locator("[aria-current=step]")).to_have_text("Processing")
    expect(page.locator("[data-job-pill]")).to_have_text("Processing")
    shoot(page, "31-job-processing")

    replicate_server.statuses.append("succeeded")
    expect(page.get_by_role("link", name="Download result")).to_be_visible(timeout=30_000)
    assert page.csp_errors == [] and page.js_errors == []
