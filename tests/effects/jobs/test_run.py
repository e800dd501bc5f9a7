"""Running a job in the worker: claimed once, applied, finished, failed with a refund, or put back for a retry."""

import pytest
from django.core.files.base import ContentFile

from effects.jobs.run import job_process
from effects.jobs.steps import JobOutcome
from effects.models import Job, JobStage, JobStatus
from tests.effects.jobs.support import pending_job, refunds
from tests.support.factories import JobFactory

pytestmark = pytest.mark.django_db


def test_process_completes_a_pending_job_once():
    job = pending_job(model_id="local:grayscale")

    first = job_process(job_id=job.pk)
    second = job_process(job_id=job.pk)

    job.refresh_from_db()
    assert (first.outcome, second.outcome) == (JobOutcome.DONE, JobOutcome.SKIPPED)
    assert job.status == JobStatus.COMPLETED and job.attempts == 1
    assert job.result.name == f"jobs/{job.pk}/result.jpg"


def test_misconfigured_effect_fails_at_once_and_refunds():
    job = pending_job(model_id="local:grayscale", config={"intensity": 5})

    step = job_process(job_id=job.pk)

    job.refresh_from_db()
    assert step.outcome == JobOutcome.DONE
    assert (job.status, job.error_code) == (JobStatus.FAILED, "EFFECT_MISCONFIGURED")
    assert refunds(job) == 1


def test_corrupt_source_fails_with_invalid_input():
    job = pending_job(model_id="local:grayscale")
    job.source.save("source.png", ContentFile(b"\x89PNG broken"))

    job_process(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAILED, "INVALID_INPUT")
    assert refunds(job) == 1


def test_url_job_that_now_resolves_to_a_private_address_fails_and_refunds():
    # Checked at apply time, checked again in the worker (DNS rebinding).
    job = JobFactory(status=JobStatus.PENDING, source_url="http://127.0.0.1:9/a.jpg", credits_charged=1)

    job_process(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAILED, "INVALID_INPUT")
    assert refunds(job) == 1


def test_provider_outage_puts_the_job_back_to_pending_with_a_backoff(replicate_server, settings):
    replicate_server.create_status = 503
    job = pending_job(model_id="replicate:acme/restore")

    step = job_process(job_id=job.pk)

    job.refresh_from_db()
    assert step.outcome == JobOutcome.RETRY and 0 < step.countdown <= settings.JOB_RETRY_BACKOFF_BASE
    assert (job.status, job.error_code) == (JobStatus.PENDING, "PROVIDER_UNAVAILABLE")
    assert refunds(job) == 0


@pytest.mark.django_db(transaction=True)
def test_a_job_deleted_while_its_provider_call_failed_ends_quietly_as_cancelled(replicate_server, caplog):
    replicate_server.create_status = 503
    job = pending_job(model_id="replicate:acme/restore")
    # The owner deletes the job while the worker waits on the provider (another connection).
    replicate_server.before_create = lambda: Job.objects.filter(pk=job.pk).delete()

    step = job_process(job_id=job.pk)

    assert step.outcome == JobOutcome.DONE
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]


def test_provider_outage_fails_and_refunds_after_the_last_attempt(replicate_server, settings):
    settings.JOB_MAX_RETRIES = 1
    replicate_server.create_status = 503
    job = pending_job(model_id="replicate:acme/restore")

    job_process(job_id=job.pk)
    step = job_process(job_id=job.pk)

    job.refresh_from_db()
    assert step.outcome == JobOutcome.DONE
    assert job.status == JobStatus.FAILED and "gave up after 2 attempts" in job.error_message
    assert refunds(job) == 1


def test_provider_rejection_is_permanent(replicate_server):
    replicate_server.create_status = 422
    job = pending_job(model_id="replicate:acme/restore")

    job_process(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAILED, "PROVIDER_REJECTED")


def test_failed_job_keeps_the_stage_it_failed_at_and_no_percentage():
    job = pending_job(model_id="local:grayscale", config={"intensity": 5})

    job_process(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.stage, job.progress) == (JobStatus.FAILED, JobStage.FETCHING, None)


def test_job_waiting_for_a_retry_is_queued_again(replicate_server):
    replicate_server.create_status = 503
    job = pending_job(model_id="replicate:acme/restore")

    job_process(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.stage, job.progress) == (JobStatus.PENDING, JobStage.QUEUED, None)
