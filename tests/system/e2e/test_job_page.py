"""The job page in headless Chromium at desktop and phone widths while the job waits: the photo's caption
sits under the photo."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from tests.support.axe import axe_audit
from tests.support.factories import EffectFactory, JobFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE_PHOTO = Path(__file__).resolve().parents[3] / "effects" / "samples" / "sample.jpg"
PASSWORD = "a-long-Passphrase-9"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_waiting_jobs_photo_has_its_caption_under_it(page, live_server, media_storage, shoot, width):
    user = UserFactory(password=PASSWORD)
    job = JobFactory(user=user, effect=EffectFactory(name="Black & White"))
    job.source.save("source.jpg", ContentFile(SAMPLE_PHOTO.read_bytes()))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-credits]:visible")).to_have_count(1)  # the balance, in the header or its menu

    page.goto(f"{live_server.url}/jobs/{job.pk}/")

    photo = page.get_by_role("img", name="Your original photo")
    expect(photo).to_have_js_property("complete", True)
    image, caption = photo.bounding_box(), page.get_by_text("Your photo", exact=True).bounding_box()
    assert caption["y"] >= image["y"] + image["height"]
    assert abs(caption["x"] - image["x"]) < 1
    report = axe_audit(page)
    shoot(page, f"job-01-waiting-{width}")
    assert not report, report
