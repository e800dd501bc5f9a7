"""WCAG 2.1 AA in headless Chromium: axe-core finds no violation on any page we render.

Each test opens a group of pages as one kind of visitor and reports every violation of every page
at once (rule, impact, element and what to fix), so one run shows all there is to fix.
"""

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from effects.catalog import effect_render_preview
from effects.jobs.files import job_renditions_store
from effects.models import JobStatus
from tests.support.axe import axe_audit
from tests.support.factories import EffectFactory, JobFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE_PHOTO = Path(__file__).resolve().parents[3] / "effects" / "samples" / "sample.jpg"
PASSWORD = "a-long-Passphrase-9"


def _catalog():
    effects = [
        EffectFactory(name="Black & White", slug="bw", category="Classic", model_id="local:grayscale", credits=1),
        EffectFactory(name="Pop Poster", slug="poster", category="Fun", model_id="local:posterize", credits=2),
    ]
    for effect in effects:
        effect_render_preview(effect=effect)
    return effects


def _completed_job(*, user, effect):
    job = JobFactory(user=user, effect=effect, status=JobStatus.COMPLETED)
    data = SAMPLE_PHOTO.read_bytes()
    job.source.save("source.jpg", ContentFile(data), save=False)
    job.result.save("result.jpg", ContentFile(data), save=False)
    job.renditions = job_renditions_store(job=job, result=data)
    job.save()
    return job


def _log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".credits-badge")).to_be_visible()


def _audit(page, url) -> str:
    page.goto(url)
    return axe_audit(page)


def _assert_none(reports):
    problems = [report for report in reports if report]
    assert not problems, "\n\n".join(problems)


def test_public_pages_have_no_wcag_violations(page, live_server, media_storage, shoot):
    _catalog()
    base = live_server.url

    reports = [
        _audit(page, f"{base}{path}")
        for path in ("/", "/effects/bw/", "/accounts/login/", "/accounts/signup/", "/no-such-page/")
    ]

    page.goto(base)
    shoot(page, "40-gallery")
    _assert_none(reports)


def test_keyboard_focus_is_a_solid_outline_that_contrasts_with_the_page(page, live_server):
    page.goto(live_server.url)

    page.keyboard.press("Tab")

    focused = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.textContent, s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    assert focused == ["Skip to content", "solid", "3px", "rgb(59, 31, 209)"]  # 9.1:1 against white


def test_api_docs_have_no_wcag_violations(page, live_server, shoot):
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)  # Swagger UI has drawn the operations

    report = axe_audit(page)

    shoot(page, "43-api-docs")
    assert not report, report


def test_signed_in_pages_have_no_wcag_violations(page, live_server, media_storage):
    effects = _catalog()
    user = UserFactory(email="a11y@example.com", password=PASSWORD)
    completed = _completed_job(user=user, effect=effects[0])
    failed = JobFactory(user=user, effect=effects[1], status=JobStatus.FAILED, error_message="Could not decode")
    pending = JobFactory(user=user, effect=effects[0])
    _log_in(page, live_server, "a11y@example.com")
    base = live_server.url

    reports = [
        _audit(page, f"{base}{path}")
        for path in (
            "/",
            "/effects/bw/",
            "/jobs/",
            f"/jobs/{completed.pk}/",
            f"/jobs/{failed.pk}/",
            f"/jobs/{pending.pk}/",
            "/dashboard/",
            "/billing/",
            "/privacy/",
            "/dashboard/delete/",
            "/accounts/email/",
            "/accounts/password/change/",
        )
    ]

    _assert_none(reports)


def test_forms_shown_again_with_errors_have_no_wcag_violations(page, live_server, media_storage, shoot):
    _catalog()
    UserFactory(email="a11y@example.com", password=PASSWORD)
    base = live_server.url
    reports = []

    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_title(re.compile("^Error: "))
    reports.append(axe_audit(page))
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("a11y@example.com")
    page.get_by_label("Password").fill("wrong-password-1")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_title(re.compile("^Error: "))
    reports.append(axe_audit(page))
    _log_in(page, live_server, "a11y@example.com")
    page.goto(f"{base}/effects/bw/")
    page.get_by_role("button", name="Apply for 1 credit").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_label("Upload a photo")).to_have_attribute("aria-invalid", "true")
    reports.append(axe_audit(page))
    shoot(page, "41-effect-page-error")

    _assert_none(reports)


def test_admin_effect_list_and_change_form_have_no_wcag_violations(
    page, live_server, media_storage, staff_signs_in, shoot
):
    effects = _catalog()
    staff_signs_in(page)
    base = f"{live_server.url}/admin/effects/effect"

    reports = [_audit(page, f"{base}/"), _audit(page, f"{base}/{effects[0].pk}/change/")]

    page.goto(f"{base}/")
    page.locator(f"input[name=_selected_action][value='{effects[0].pk}']").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move Black & White up")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move Black & White down")).to_be_focused()
    shoot(page, "42-admin-effect-list-keyboard-focus")
    _assert_none(reports)
