"""The job JSON: its stage is derived from the job's status once it has finished, and built from
the selector's flat row (GET /api/jobs/{id}) it is exactly what the serializer gives for the model
instance (the list, callbacks), whatever state the job is in."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from billing.services import credits_charge
from effects.jobs.lifecycle import job_fail, job_goodwill_refund
from effects.jobs.payloads import job_payload, job_payload_from_row
from effects.models import JobErrorCode, JobStage, JobStatus
from effects.selectors.jobs import job_row_for_user
from tests.support.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [JobStatus.COMPLETED, JobStatus.FAILED])
def test_a_finished_job_reports_stage_done_whatever_stage_it_reached(status):
    job = JobFactory(status=status, stage=JobStage.PROCESSING)

    payload = job_payload(job)

    assert payload["stage"] == "done"


@pytest.mark.parametrize("status", [JobStatus.PENDING, JobStatus.PROCESSING])
def test_an_unfinished_job_reports_its_stored_stage(status):
    job = JobFactory(status=status, stage=JobStage.FETCHING)

    payload = job_payload(job)

    assert payload["stage"] == "fetching"


def _both(job):
    row = job_row_for_user(user_id=job.user_id, job_id=job.pk)
    return job_payload_from_row(row), job_payload(job)


def test_a_waiting_jobs_row_payload_matches_the_serializer(user, effect):
    JobFactory(user=user, effect=effect, created_at=timezone.now() - timedelta(seconds=5))
    job = JobFactory(user=user, effect=effect, source_url="https://93.184.215.14/cat.jpg")

    from_row, from_model = _both(job)

    assert from_row == from_model
    assert from_row["queuePosition"] == 2


def test_a_completed_jobs_row_payload_matches_the_serializer_with_signed_files(user, effect):
    now = timezone.now()
    job = JobFactory(
        user=user,
        effect=effect,
        source=f"jobs/{effect.pk}/source.jpg",
        result=f"jobs/{effect.pk}/result.jpg",
        renditions={
            "result": {
                "thumbnail": {"name": f"jobs/{effect.pk}/result-thumbnail.jpg", "width": 320, "height": 240},
                "display": {"name": f"jobs/{effect.pk}/result-display.jpg", "width": 1024, "height": 768},
            }
        },
        status=JobStatus.COMPLETED,
        stage=JobStage.STORING,
        progress=100,
        started_at=now - timedelta(seconds=2),
        completed_at=now,
    )

    from_row, from_model = _both(job)

    assert from_row == from_model
    assert from_row["resultUrl"].startswith(f"{settings.SITE_URL}/media/jobs/{effect.pk}/result.jpg?exp=")
    assert from_row["queuePosition"] is None


def test_a_failed_jobs_row_payload_matches_the_serializer_with_its_error(user, effect):
    job = JobFactory(
        user=user,
        effect=effect,
        source_url="https://93.184.215.14/cat.jpg",
        status=JobStatus.FAILED,
        error_code=JobErrorCode.INVALID_IMAGE,
        error_message="The image could not be decoded",
        completed_at=timezone.now(),
    )

    from_row, from_model = _both(job)

    assert from_row == from_model
    assert from_row["error"] == {"code": "INVALID_IMAGE", "message": "The image could not be decoded"}


def test_a_goodwill_refunded_jobs_row_payload_matches_the_serializer_with_its_refund(user, effect, staff_user):
    job = JobFactory(user=user, effect=effect, status=JobStatus.COMPLETED, credits_charged=2)
    credits_charge(user=user, amount=2, reference=f"charge:{job.pk}", job=job)
    job_goodwill_refund(job=job, actor=staff_user, note="sorry")

    from_row, from_model = _both(job)

    assert from_row == from_model
    assert from_row["refund"] == {
        "credits": 2,
        "reason": "GOODWILL",
        "message": "2 credits refunded as a goodwill gesture",
    }


def test_a_failed_jobs_row_payload_tells_its_refund(user, effect):
    job = JobFactory(user=user, effect=effect, status=JobStatus.PENDING, credits_charged=1)
    credits_charge(user=user, amount=1, reference=f"charge:{job.pk}", job=job)
    job_fail(job=job, message="broken")

    from_row, from_model = _both(job)

    assert from_row == from_model
    assert from_row["refund"] == {"credits": 1, "reason": "FAILURE", "message": "Your 1 credit was refunded"}


def test_another_users_job_has_no_row(user, other_user, effect):
    job = JobFactory(user=other_user, effect=effect)

    assert job_row_for_user(user_id=user.pk, job_id=job.pk) is None


def test_a_malformed_job_id_has_no_row(user):
    assert job_row_for_user(user_id=user.pk, job_id="not-a-uuid") is None
