"""A goodwill refund end to end in headless Chromium: staff refund a completed job in the admin, the user sees why."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from billing.models import CreditTransaction
from billing.services import credits_charge
from effects.models import JobStatus
from tests.support.factories import EffectFactory, JobFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Passphrase-9"


def _sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_staff_refunds_a_completed_job_as_goodwill_and_its_owner_sees_the_refund_beside_the_result(
    browser, live_server, staff_signs_in, shoot
):
    owner = UserFactory(email="owner@example.com", password=PASSWORD)
    job = JobFactory(user=owner, effect=EffectFactory(name="Cartoon", credits=3), status=JobStatus.COMPLETED)
    job.source.save("source.jpg", ContentFile(image_bytes("JPEG", color=(200, 80, 40))), save=False)
    job.result.save("result.jpg", ContentFile(image_bytes("JPEG", color=(30, 30, 30))), save=False)
    job.credits_charged = 3
    job.save()
    credits_charge(user=owner, amount=3, reference=f"charge:{job.pk}", job=job)

    staff_page = browser.new_page()
    staff = staff_signs_in(staff_page)
    staff_page.goto(f"{live_server.url}/admin/effects/job/")
    staff_page.locator(f"input[name=_selected_action][value='{job.pk}']").check()
    staff_page.locator("select[name=action]").select_option("goodwill_refund")
    staff_page.get_by_role("button", name="Go").click()
    staff_page.get_by_label("Note").fill("The cartoon came out too dark; sorry")
    shoot(staff_page, "33-admin-goodwill-confirm")
    staff_page.get_by_role("button", name="Refund as goodwill").click()
    expect(staff_page.get_by_text("Refunded 3 credit(s) on 1 job(s) as a goodwill gesture.")).to_be_visible()

    user_page = browser.new_page()
    _sign_in(user_page, live_server, "owner@example.com")
    user_page.goto(f"{live_server.url}/jobs/{job.pk}/")

    expect(user_page.get_by_text("3 credits refunded as a goodwill gesture.")).to_be_visible()
    expect(user_page.get_by_role("link", name="Download result")).to_be_visible()
    expect(user_page.locator(".credits-badge")).to_have_text("10 credits")
    shoot(user_page, "34-job-goodwill-refund")
    row = CreditTransaction.objects.get(reference=f"goodwill:{job.pk}")
    assert (row.amount, row.created_by_id) == (3, staff.pk)
    assert re.search("couldn.t apply", user_page.content()) is None
