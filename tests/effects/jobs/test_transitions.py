"""A claimed job's status changes: stage and progress, completion once, and the admin's fail and retry."""

import pytest

from effects.jobs.delete import job_delete
from effects.jobs.run import job_claim, job_process
from effects.jobs.transitions import job_complete, job_fail, job_retry, job_stage_set
from effects.models import Effect, JobStage, JobStatus
from tests.effects.jobs.support import pending_job, refunds
from tests.support.factories import JobFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def test_admin_fail_refunds_once_even_when_repeated():
    job = JobFactory(status=JobStatus.PROCESSING, credits_charged=2)

    job_fail(job=job, code="ADMIN", message="Bad result")
    job_fail(job=job, code="ADMIN", message="Bad result")

    assert job.status == JobStatus.FAILED
    assert refunds(job) == 1


def test_admin_retry_runs_a_failed_job_again_without_a_second_refund():
    job = pending_job(model_id="local:grayscale", config={"intensity": 5})
    job_process(job_id=job.pk)
    Effect.objects.filter(pk=job.effect_id).update(config={})

    job_retry(job=job)
    job_process(job_id=job.pk)
    job_fail(job=job, code="ADMIN", message="again")

    assert refunds(job) == 1


def test_a_worker_that_finishes_a_deleted_job_writes_no_file(django_capture_on_commit_callbacks):
    job = pending_job()
    claimed = job_claim(job_id=job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        job_delete(job=job)

    completed = job_complete(job=claimed, data=image_bytes("JPEG"), extension="jpg")

    assert completed is False
    assert not claimed.result.storage.exists(f"jobs/{job.pk}/result.jpg")


def test_completed_job_is_at_100_percent_and_keeps_its_last_stage():
    job = pending_job(model_id="local:grayscale")

    job_process(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.stage, job.progress) == (JobStatus.COMPLETED, JobStage.STORING, 100)


def test_stage_of_a_finished_job_is_left_alone():
    job = JobFactory(status=JobStatus.COMPLETED, stage=JobStage.STORING, progress=100)

    job_stage_set(job=job, stage=JobStage.PROCESSING, progress=5)

    job.refresh_from_db()
    assert (job.stage, job.progress) == (JobStage.STORING, 100)


def test_admin_retry_queues_the_job_again_from_the_start():
    job = JobFactory(
        status=JobStatus.FAILED, stage=JobStage.PROCESSING, progress=40, source_url="https://93.184.215.14/a.jpg"
    )

    job_retry(job=job)

    job.refresh_from_db()
    assert (job.status, job.stage, job.progress) == (JobStatus.PENDING, JobStage.QUEUED, None)
