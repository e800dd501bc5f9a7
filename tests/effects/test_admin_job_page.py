"""The job's admin page: a readable title, before and after, timings, error, refund and ledger links, goodwill button."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing.models import CreditTransaction
from billing.services import credits_charge
from effects.admin.job_page import duration_text
from effects.jobs.run import job_process
from effects.jobs.transitions import job_fail
from effects.models import JobErrorCode, JobStage, JobStatus
from tests.support.factories import EffectFactory, JobFactory, UserFactory, staff_force_login, totp_activate
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def _page(client, job):
    return client.get(reverse("admin:effects_job_change", args=[job.pk]))


def _completed_job(credits: int = 3):
    """A job run for real by the worker code: source, result and their renditions stored, 3 credits charged."""
    owner = UserFactory(email="alice@example.com")
    job = JobFactory(
        user=owner, effect=EffectFactory(name="Oil paint", model_id="local:grayscale"), credits_charged=credits
    )
    job.source.save("source.png", ContentFile(image_bytes("PNG", (800, 600))))
    credits_charge(user=owner, amount=credits, reference=f"charge:{job.pk}", job=job)
    job_process(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    return job


def _staff_client(*codenames) -> Client:
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    totp_activate(user=staff)
    client = Client()
    staff_force_login(client, staff)
    return client


def test_job_page_title_names_the_effect_the_user_and_the_status(staff_client):
    job = _completed_job()

    html = _page(staff_client, job).content.decode()

    assert "<h1>Oil paint for alice@example.com — Completed</h1>" in html
    assert "<title>Oil paint for alice@example.com — Completed |" in html
    assert f"{job.effect_id}:{job.pk}" not in html


def test_job_page_shows_before_and_after_as_images_from_the_renditions_not_json(staff_client):
    job = _completed_job()

    html = _page(staff_client, job).content.decode()

    assert f'<img src="/media/jobs/{job.pk}/source-display.jpg?' in html
    assert f'<img src="/media/jobs/{job.pk}/result-display.jpg?' in html
    assert 'alt="After: the result of Oil paint"' in html
    assert "thumbnail (" in html  # each stored copy, linked with its size
    assert '"thumbnail": {' not in html and "&quot;thumbnail&quot;" not in html


def test_a_completed_job_shows_done_not_the_last_stage_it_was_at(staff_client):
    job = _completed_job()
    assert job.stage == JobStage.STORING

    html = _page(staff_client, job).content.decode()

    assert "Saving the result" not in html
    assert '<div class="readonly">Done</div>' in html


def test_job_page_shows_timings_and_durations(staff_client):
    created = timezone.now() - timedelta(minutes=5)
    job = JobFactory(
        status=JobStatus.COMPLETED,
        created_at=created,
        started_at=created + timedelta(seconds=2, milliseconds=500),
        completed_at=created + timedelta(seconds=66),
    )

    html = _page(staff_client, job).content.decode()

    assert "<dt>Waiting (created → started)</dt><dd>2.5 s</dd>" in html
    assert "<dt>Running (started → finished)</dt><dd>1 min 4 s</dd>" in html
    assert "<dt>In all (created → finished)</dt><dd>1 min 6 s</dd>" in html
    assert "Error" not in html.split('id="content-main"')[1].split("Timings")[0]


def test_durations_read_as_people_say_them():
    assert [duration_text(timedelta(seconds=s)) for s in (0.25, 4.21, 185, 7800)] == [
        "250 ms",
        "4.2 s",
        "3 min 5 s",
        "2 h 10 min",
    ]
    assert duration_text(None) == "—"


def test_a_failed_job_shows_its_error_and_its_refund_with_links_to_the_ledger_rows(staff_client):
    job = JobFactory(credits_charged=2, stage=JobStage.PROCESSING)
    charge = credits_charge(user=job.user, amount=2, reference=f"charge:{job.pk}", job=job)
    job_fail(job=job, code=JobErrorCode.ENGINE_ERROR, message="The engine gave up")
    refund = CreditTransaction.objects.get(reference=f"refund:{job.pk}")

    html = _page(staff_client, job).content.decode()

    assert "The engine failed" in html and "The engine gave up" in html
    assert "Failed while: applying the effect" in html
    assert "Refunded 2 credits (refund)" in html
    for row in (charge, refund):
        url = reverse("admin:billing_credittransaction_change", args=[row.pk])
        assert f'<a href="{url}">{row.reference}</a>' in html
    assert f"{reverse('admin:billing_credittransaction_changelist')}?q={job.pk}" in html


def test_a_completed_job_not_refunded_says_so_and_offers_the_goodwill_button(staff_client):
    job = _completed_job()

    html = _page(staff_client, job).content.decode()

    assert "Not refunded (a goodwill refund can give the 3 credits back)." in html
    action = reverse("admin:effects_job_goodwill_refund", args=[job.pk])
    assert f'<form method="post" action="{action}">' in html
    assert ">Goodwill refund</button>" in html


def test_the_goodwill_button_asks_for_a_note_then_refunds_and_returns_to_the_job(staff_client):
    job = _completed_job()
    url = reverse("admin:effects_job_goodwill_refund", args=[job.pk])

    confirm = staff_client.post(url)
    done = staff_client.post(url, {"apply": "1", "note": "Too dark; sorry"})

    assert confirm.status_code == 200 and "Refund as goodwill" in confirm.content.decode()
    assert done["Location"] == reverse("admin:effects_job_change", args=[job.pk])
    row = CreditTransaction.objects.get(reference=f"goodwill:{job.pk}")
    assert (row.amount, row.note) == (3, "Too dark; sorry")
    page = staff_client.get(done["Location"]).content.decode()
    assert f"Job {job.pk}: refunded 3 credit(s)." in page
    assert "Refunded 3 credits (goodwill refund)" in page and "“Too dark; sorry”" in page


def test_the_goodwill_button_on_a_refunded_or_failed_job_says_why_nothing_was_refunded(staff_client):
    job = _completed_job()
    url = reverse("admin:effects_job_goodwill_refund", args=[job.pk])
    staff_client.post(url, {"apply": "1", "note": "first"})
    failed = JobFactory(status=JobStatus.FAILED, credits_charged=1)

    again = staff_client.post(url, {"apply": "1", "note": "second"}, follow=True).content.decode()
    not_eligible = staff_client.post(
        reverse("admin:effects_job_goodwill_refund", args=[failed.pk]), {"apply": "1", "note": "x"}, follow=True
    ).content.decode()

    assert "already refunded as a goodwill gesture (3 credit(s)); not refunded again." in again
    assert "Only completed jobs get a goodwill refund" in not_eligible and "not eligible" in not_eligible
    assert CreditTransaction.objects.filter(reference=f"goodwill:{job.pk}").count() == 1


def test_the_goodwill_refund_needs_the_refund_permission_and_a_post():
    job = _completed_job()
    viewer = _staff_client("view_job")
    url = reverse("admin:effects_job_goodwill_refund", args=[job.pk])

    page = viewer.get(reverse("admin:effects_job_change", args=[job.pk])).content.decode()
    refused = viewer.post(url, {"apply": "1", "note": "sorry"})
    get = _staff_client("view_job", "refund_job").get(url)

    assert "Goodwill refund</button>" not in page
    assert refused.status_code == 403
    assert get.status_code == 405
    assert not CreditTransaction.objects.filter(reference=f"goodwill:{job.pk}").exists()


def test_staff_who_may_refund_but_not_view_the_ledger_see_the_rows_without_links():
    job = _completed_job()
    client = _staff_client("view_job", "refund_job")

    html = client.get(reverse("admin:effects_job_change", args=[job.pk])).content.decode()

    assert f"charge:{job.pk}" in html
    assert reverse("admin:billing_credittransaction_changelist") not in html
    assert ">Goodwill refund</button>" in html


def test_the_job_page_stays_read_only(staff_client):
    job = _completed_job()

    html = _page(staff_client, job).content.decode()
    posted = staff_client.post(reverse("admin:effects_job_change", args=[job.pk]), {"status": "FAILED"})

    assert 'name="status"' not in html and 'name="_save"' not in html
    job.refresh_from_db()
    assert posted.status_code == 403 and job.status == JobStatus.COMPLETED
