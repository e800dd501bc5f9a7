"""Job lifecycle services without a worker: transitions, retries, failures and their refunds, admin fail and retry."""

import pytest
from django.core.files.base import ContentFile

from billing.models import CreditTransaction
from effects.jobs.lifecycle import JobOutcome, job_fail, job_process, job_retry
from effects.models import Effect, Job, JobStatus
from tests.support.factories import EffectFactory, JobFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def pending_job(**effect_kwargs) -> Job:
    job = JobFactory(effect=EffectFactory(**effect_kwargs), status=JobStatus.PENDING, credits_charged=2)
    job.source.save("source.png", ContentFile(image_bytes("PNG")))
    return job


def refunds(job) -> int:
    return CreditTransaction.objects.filter(reference=f"refund:{job.pk}").count()


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


def test_retried_provider_job_resumes_its_prediction_instead_of_creating_another(replicate_server):
    job = pending_job(model_id="replicate:acme/restore")
    job_process(job_id=job.pk)  # created, now waiting
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING)  # as after a lost worker

    job_process(job_id=job.pk)

    assert len(replicate_server.created) == 1


def test_admin_fail_refunds_once_even_when_repeated():
    job = JobFactory(status=JobStatus.COMPLETED, credits_charged=2)

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


def test_a_large_source_on_object_storage_goes_to_the_provider_as_a_short_lived_signed_url(
    replicate_server, s3_storage, settings
):
    settings.REPLICATE_DATA_URI_MAX_BYTES = 100
    settings.REPLICATE_INPUT_URL_EXPIRY = 120
    job = pending_job(model_id="replicate:acme/restore")

    step = job_process(job_id=job.pk)

    assert step.outcome == JobOutcome.WAIT
    sent = replicate_server.created[0]["input"]["image"]
    assert sent.startswith(s3_storage.endpoint_url) and "X-Amz-Expires=120" in sent
    assert replicate_server.fetched[sent] == (200, len(image_bytes("PNG")))
    assert replicate_server.uploads == {}


def test_a_large_source_on_local_storage_is_uploaded_through_the_providers_files_api(replicate_server, settings):
    settings.REPLICATE_DATA_URI_MAX_BYTES = 100
    job = pending_job(model_id="replicate:acme/restore")

    job_process(job_id=job.pk)

    (upload,) = replicate_server.uploads.values()
    assert upload["data"] == image_bytes("PNG")
    assert replicate_server.created[0]["input"]["image"] == upload["urls"]["get"]


def test_a_provider_effect_is_refused_before_any_charge_without_a_token(settings, user):
    from effects.ingestion import image_validate_bytes
    from effects.jobs.lifecycle import job_create
    from photomania.errors import ApplicationError

    settings.REPLICATE_API_TOKEN = ""
    effect = EffectFactory(model_id="replicate:acme/restore")

    with pytest.raises(ApplicationError) as exc:
        job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))

    assert exc.value.code == "SERVICE_UNAVAILABLE"
    assert not Job.objects.filter(user=user).exists()
