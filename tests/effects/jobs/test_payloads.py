"""The job JSON: its stage is derived from the job's status once it has finished; read by the job
selector (GET /api/jobs/{id}, the job list) or loaded bare (client callbacks), a job gives the same
JSON whatever state it is in; and it has exactly the fields the schema documents."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from billing.services import credits_charge
from effects.jobs.payloads import JobSerializer, job_payload
from effects.jobs.refunds import job_goodwill_refund
from effects.jobs.transitions import job_fail
from effects.models import Job, JobErrorCode, JobStage, JobStatus
from effects.selectors.jobs import job_get_for_user
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
    """The job's JSON as the API builds it (read by the selector, annotations included) and as a
    callback builds it (the bare row: the queue position and refund read as needed)."""
    read = job_get_for_user(user=job.user, job_id=job.pk)
    return job_payload(read), job_payload(Job.objects.select_related("effect").get(pk=job.pk))


def test_the_job_json_has_exactly_the_fields_the_schema_documents(user, effect):
    job = JobFactory(user=user, effect=effect)

    payload = job_payload(job_get_for_user(user=job.user, job_id=job.pk))

    assert list(payload) == list(JobSerializer().fields)
    assert list(payload["effect"]) == list(JobSerializer().fields["effect"].fields)


def test_the_serializer_gives_the_job_json(user, effect):
    job = JobFactory(user=user, effect=effect)
    read = job_get_for_user(user=user, job_id=job.pk)

    assert JobSerializer(read).data == job_payload(read)


def test_a_waiting_jobs_json_gives_its_place_in_the_queue(user, effect):
    JobFactory(user=user, effect=effect, created_at=timezone.now() - timedelta(seconds=5))
    job = JobFactory(user=user, effect=effect, source_url="https://93.184.215.14/cat.jpg")

    from_read, from_bare = _both(job)

    assert from_read == from_bare
    assert from_read["queuePosition"] == 2
    assert from_read["status"] == "PENDING" and from_read["stage"] == "queued"
    assert from_read["sourceUrl"] == "https://93.184.215.14/cat.jpg"
    assert from_read["resultUrl"] is None and from_read["renditions"] is None and from_read["refund"] is None
    assert from_read["effect"] == {"id": effect.pk, "slug": effect.slug, "name": effect.name}


def test_a_completed_jobs_json_has_signed_files_and_renditions(user, effect):
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

    from_read, from_bare = _both(job)

    assert from_read == from_bare
    media = f"{settings.SITE_URL}/media/jobs/{effect.pk}"
    assert from_read["resultUrl"].startswith(f"{media}/result.jpg?exp=")
    assert from_read["sourceUrl"].startswith(f"{media}/source.jpg?exp=")
    thumbnail = from_read["renditions"]["result"]["thumbnail"]
    assert thumbnail["url"].startswith(f"{media}/result-thumbnail.jpg?exp=")
    assert (thumbnail["width"], thumbnail["height"]) == (320, 240)
    assert from_read["queuePosition"] is None
    assert from_read["stage"] == "done" and from_read["progress"] == 100
    assert from_read["completedAt"] is not None and from_read["startedAt"] is not None


def test_a_failed_jobs_json_has_its_error(user, effect):
    job = JobFactory(
        user=user,
        effect=effect,
        source_url="https://93.184.215.14/cat.jpg",
        status=JobStatus.FAILED,
        error_code=JobErrorCode.INVALID_IMAGE,
        error_message="The image could not be decoded",
        completed_at=timezone.now(),
    )

    from_read, from_bare = _both(job)

    assert from_read == from_bare
    assert from_read["error"] == {"code": "INVALID_IMAGE", "message": "The image could not be decoded"}


def test_a_goodwill_refunded_jobs_json_tells_its_refund(user, effect, staff_user):
    job = JobFactory(user=user, effect=effect, status=JobStatus.COMPLETED, credits_charged=2)
    credits_charge(user=user, amount=2, reference=f"charge:{job.pk}", job=job)
    job_goodwill_refund(job=job, actor=staff_user, note="sorry")

    from_read, from_bare = _both(job)

    assert from_read == from_bare
    assert from_read["refund"] == {
        "credits": 2,
        "reason": "GOODWILL",
        "message": "2 credits refunded as a goodwill gesture",
    }


def test_a_failed_jobs_json_tells_its_refund(user, effect):
    job = JobFactory(user=user, effect=effect, status=JobStatus.PENDING, credits_charged=1)
    credits_charge(user=user, amount=1, reference=f"charge:{job.pk}", job=job)
    job_fail(job=job, message="broken")

    from_read, from_bare = _both(job)

    assert from_read == from_bare
    assert from_read["refund"] == {"credits": 1, "reason": "FAILURE", "message": "Your 1 credit was refunded"}
