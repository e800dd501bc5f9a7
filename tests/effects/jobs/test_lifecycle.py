"""Job lifecycle services without a worker: transitions, retries, failures and their refunds, admin fail and retry."""

import base64
import json

import pytest
from django.core.files.base import ContentFile
from django.db.models import Sum
from PIL import Image

from accounts.models import AuditEvent
from billing.models import JOB_REFUND_KINDS, CreditTransaction
from billing.services import credits_charge, credits_grant
from core.errors import AlreadyRefunded, ApplicationError
from effects.engines import EngineFailure
from effects.jobs.lifecycle import (
    JobOutcome,
    job_claim,
    job_complete,
    job_delete,
    job_fail,
    job_goodwill_refund,
    job_poll,
    job_process,
    job_retry,
    job_stage_set,
    remote_run_cancel,
)
from effects.models import Effect, Job, JobStage, JobStatus
from tests.support.factories import EffectFactory, JobFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def pending_job(**effect_kwargs) -> Job:
    job = JobFactory(effect=EffectFactory(**effect_kwargs), status=JobStatus.PENDING, credits_charged=2)
    job.source.save("source.png", ContentFile(image_bytes("PNG")))
    return job


def started_prediction(replicate_server) -> str:
    """A prediction running at the fake provider; its id."""
    return replicate_server.create({"input": {"image": "data:image/png;base64,AA=="}})["id"]


def queued_tasks(broker, queue: str) -> list[tuple[str, list]]:
    """(task name, args) of the messages waiting in a Redis queue, oldest first."""
    messages = [json.loads(raw) for raw in reversed(broker.lrange(queue, 0, -1))]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


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


def test_deleting_a_pending_job_cancels_it_and_refunds_it_once(django_capture_on_commit_callbacks):
    job = pending_job()

    with django_capture_on_commit_callbacks(execute=True):
        job_delete(job=job)
        job_delete(job=job)  # a repeated delete (stale object) finds nothing to cancel

    assert not Job.objects.filter(pk=job.pk).exists()
    assert refunds(job) == 1
    assert not job.source.storage.exists(job.source.name)


def test_deleting_a_completed_job_refunds_nothing():
    job = pending_job()
    job_process(job_id=job.pk)

    job_delete(job=job)

    assert refunds(job) == 0


def test_deleting_a_processing_provider_job_queues_the_cancel_without_asking_the_provider(
    replicate_server, empty_broker, django_capture_on_commit_callbacks
):
    job = pending_job(model_id="replicate:acme/restore")
    job_process(job_id=job.pk)  # the prediction is started; the job waits on it
    job.refresh_from_db()
    assert job.status == JobStatus.PROCESSING

    with django_capture_on_commit_callbacks(execute=True):
        job_delete(job=job)

    assert replicate_server.cancels == []
    assert queued_tasks(empty_broker, "default") == [
        ("effects.cancel_prediction", [job.effect.model_id, job.provider_prediction_id])
    ]
    assert refunds(job) == 1


def test_remote_run_cancel_cancels_a_running_prediction(replicate_server):
    run_id = started_prediction(replicate_server)

    cancelled = remote_run_cancel(model_id="replicate:acme/restore", run_id=run_id)

    assert cancelled is True
    assert replicate_server.predictions[run_id]["status"] == "canceled"


def test_remote_run_cancel_again_is_harmless(replicate_server):
    run_id = started_prediction(replicate_server)
    remote_run_cancel(model_id="replicate:acme/restore", run_id=run_id)

    again = remote_run_cancel(model_id="replicate:acme/restore", run_id=run_id)

    assert again is True
    assert replicate_server.cancels == [run_id, run_id]
    assert replicate_server.predictions[run_id]["status"] == "canceled"


def test_remote_run_cancel_raises_a_transient_provider_error_for_a_retry(replicate_server):
    run_id = started_prediction(replicate_server)
    replicate_server.cancel_status = 503

    with pytest.raises(EngineFailure) as failure:
        remote_run_cancel(model_id="replicate:acme/restore", run_id=run_id)

    assert failure.value.transient
    assert replicate_server.predictions[run_id]["status"] == "starting"


def test_remote_run_cancel_gives_up_on_a_run_the_provider_does_not_know(replicate_server):
    cancelled = remote_run_cancel(model_id="replicate:acme/restore", run_id="no-such-prediction")

    assert cancelled is False
    assert replicate_server.cancels == ["no-such-prediction"]


def test_a_worker_that_finishes_a_deleted_job_writes_no_file(django_capture_on_commit_callbacks):
    job = pending_job()
    claimed = job_claim(job_id=job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        job_delete(job=job)

    completed = job_complete(job=claimed, data=image_bytes("JPEG"), extension="jpg")

    assert completed is False
    assert not claimed.result.storage.exists(f"jobs/{job.pk}/result.jpg")


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
    from core.errors import ApplicationError
    from effects.ingestion import image_validate_bytes
    from effects.jobs.lifecycle import job_create

    settings.REPLICATE_API_TOKEN = ""
    effect = EffectFactory(model_id="replicate:acme/restore")

    with pytest.raises(ApplicationError) as exc:
        job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))

    assert exc.value.code == "SERVICE_UNAVAILABLE"
    assert not Job.objects.filter(user=user).exists()


# --- Stages and progress ------------------------------------------------------------------------


def test_completed_job_is_at_100_percent_and_keeps_its_last_stage():
    job = pending_job(model_id="local:grayscale")

    job_process(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.stage, job.progress) == (JobStatus.COMPLETED, JobStage.STORING, 100)


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


def test_provider_job_reports_the_last_percentage_of_its_logs(replicate_server):
    replicate_server.statuses = ["starting", "processing"]
    replicate_server.logs = (
        "loading weights\n 10%|█         | 5/50 [00:01<00:09]\r 64%|██████▍   | 32/50 [00:06<00:03]\n"
    )
    job = pending_job(model_id="replicate:acme/restore")
    job_process(job_id=job.pk)

    job_poll(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.stage, job.progress) == (JobStatus.PROCESSING, JobStage.PROCESSING, 64)


def test_provider_job_past_its_deadline_is_cancelled_and_fails_with_timeout(replicate_server, settings):
    replicate_server.statuses = ["starting", "processing"]
    job = pending_job(model_id="replicate:acme/restore")
    job_process(job_id=job.pk)
    settings.REPLICATE_DEADLINE = 0

    step = job_poll(job_id=job.pk)

    job.refresh_from_db()
    assert step.outcome == JobOutcome.DONE
    assert (job.status, job.error_code) == (JobStatus.FAILED, "TIMEOUT")
    assert replicate_server.predictions[job.provider_prediction_id]["status"] == "canceled"
    assert refunds(job) == 1


def test_provider_job_keeps_its_percentage_when_a_report_has_no_logs(replicate_server):
    replicate_server.statuses = ["starting", "processing"]
    replicate_server.logs = " 30%|███       | 15/50"
    job = pending_job(model_id="replicate:acme/restore")
    job_process(job_id=job.pk)
    job_poll(job_id=job.pk)
    replicate_server.logs = None

    job_poll(job_id=job.pk)

    job.refresh_from_db()
    assert job.progress == 30


def test_stage_of_a_finished_job_is_left_alone():
    job = JobFactory(status=JobStatus.COMPLETED, stage=JobStage.STORING, progress=100)

    job_stage_set(job=job, stage=JobStage.PROCESSING, progress=5)

    job.refresh_from_db()
    assert (job.stage, job.progress) == (JobStage.STORING, 100)


def test_admin_retry_queues_the_job_again_from_the_start():
    job = JobFactory(status=JobStatus.FAILED, stage=JobStage.PROCESSING, progress=40)

    job_retry(job=job)

    job.refresh_from_db()
    assert (job.status, job.stage, job.progress) == (JobStatus.PENDING, JobStage.QUEUED, None)


# --- Renditions -------------------------------------------------------------------------------


def test_completed_job_stores_renditions_of_the_result_and_the_source_beside_them():
    job = JobFactory(effect=EffectFactory(model_id="local:grayscale"), status=JobStatus.PENDING)
    job.source.save("source.png", ContentFile(image_bytes("PNG", (1600, 1200))))

    job_process(job_id=job.pk)

    job.refresh_from_db()
    storage = job.result.storage
    assert set(job.renditions) == {"result", "source"}
    display = job.renditions["result"]["display"]
    assert (display["name"], display["width"], display["height"]) == (f"jobs/{job.pk}/result-display.jpg", 1024, 768)
    thumbnail = job.renditions["source"]["thumbnail"]
    with storage.open(thumbnail["name"]) as handle:
        assert Image.open(handle).size == (thumbnail["width"], thumbnail["height"]) == (320, 240)
    with storage.open(display["name"]) as handle:
        red, green, blue = Image.open(handle).convert("RGB").getpixel((500, 400))
    assert max(red, green, blue) - min(red, green, blue) <= 3  # the grayscale result, not the colour source


def test_a_result_stored_without_its_image_gets_renditions_from_its_bytes():
    job = pending_job(model_id="local:grayscale")
    claimed = job_claim(job_id=job.pk)

    job_complete(job=claimed, data=image_bytes("PNG", (2048, 1536)), extension="png")

    claimed.refresh_from_db()
    assert claimed.renditions["result"]["display"]["width"] == 1024
    assert set(claimed.renditions) == {"result", "source"}


def test_deleting_a_job_deletes_its_renditions(django_capture_on_commit_callbacks):
    job = pending_job(model_id="local:grayscale")
    job_process(job_id=job.pk)
    job.refresh_from_db()
    storage = job.result.storage
    names = [r["name"] for kind in job.renditions.values() for r in kind.values()]

    with django_capture_on_commit_callbacks(execute=True):
        job_delete(job=job)

    assert len(names) == 4 and not any(storage.exists(name) for name in names)


# --- Goodwill refunds ---------------------------------------------------------------------------


def charged_job(status=JobStatus.COMPLETED, credits=3) -> Job:
    job = JobFactory(status=status, credits_charged=credits)
    credits_grant(user=job.user, amount=credits, kind=CreditTransaction.Kind.ADMIN_ADJUSTMENT, reference=f"t:{job.pk}")
    credits_charge(user=job.user, amount=credits, reference=f"charge:{job.pk}", job=job)
    return job


def balance_matches_ledger(user) -> bool:
    user.refresh_from_db()
    ledger = CreditTransaction.objects.filter(user=user).aggregate(s=Sum("amount"), p=Sum("purchased_amount"))
    return user.credits == ledger["s"] and user.purchased_credits == (ledger["p"] or 0)


def test_goodwill_refund_gives_a_completed_jobs_credits_back_and_keeps_it_completed(staff_user):
    job = charged_job(credits=3)
    before = job.user.credits

    row = job_goodwill_refund(job=job, actor=staff_user, note="took too long")

    job.refresh_from_db()
    job.user.refresh_from_db()
    assert (row.reference, row.kind, row.amount) == (f"goodwill:{job.pk}", "GOODWILL_REFUND", 3)
    assert job.user.credits == before + 3
    assert job.status == JobStatus.COMPLETED and job.error_code == ""
    assert balance_matches_ledger(job.user)


def test_goodwill_refund_records_who_gave_it(staff_user):
    job = charged_job()

    row = job_goodwill_refund(job=job, actor=staff_user, note="took too long", ip="203.0.113.9")

    audit = AuditEvent.objects.get(event=AuditEvent.Event.JOB_GOODWILL_REFUND)
    assert row.created_by == staff_user and row.note == "took too long"
    assert (audit.actor, audit.user, audit.ip_address) == (staff_user, job.user, "203.0.113.9")
    assert audit.data["job"] == str(job.pk) and audit.data["amount"] == 3


def test_goodwill_refund_repeated_refunds_once(staff_user):
    job = charged_job()

    first = job_goodwill_refund(job=job, actor=staff_user, note="once")
    second = job_goodwill_refund(job=job, actor=staff_user, note="twice")

    assert first.pk == second.pk
    assert CreditTransaction.objects.filter(job=job, kind__in=JOB_REFUND_KINDS).count() == 1
    assert AuditEvent.objects.filter(event=AuditEvent.Event.JOB_GOODWILL_REFUND).count() == 1
    assert balance_matches_ledger(job.user)


@pytest.mark.parametrize("status", [JobStatus.PENDING, JobStatus.PROCESSING, JobStatus.FAILED])
def test_goodwill_refund_is_refused_for_a_job_that_is_not_completed(staff_user, status):
    job = charged_job(status=status)

    with pytest.raises(ApplicationError, match="Only completed jobs"):
        job_goodwill_refund(job=job, actor=staff_user, note="no")

    assert not CreditTransaction.objects.filter(reference=f"goodwill:{job.pk}").exists()


def test_goodwill_refund_is_refused_for_a_job_already_refunded_for_a_failure(staff_user):
    job = charged_job(status=JobStatus.PENDING)
    job_fail(job=job, message="broken")
    job_retry(job=job)  # a refunded job re-runs free of charge...
    Job.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED)  # ...and completes

    with pytest.raises(AlreadyRefunded):
        job_goodwill_refund(job=job, actor=staff_user, note="again")

    assert CreditTransaction.objects.filter(job=job, kind__in=JOB_REFUND_KINDS).count() == 1
    assert balance_matches_ledger(job.user)


def test_admin_fail_leaves_a_completed_job_and_its_credits_alone():
    job = charged_job()
    credits = job.user.credits

    failed = job_fail(job=job, message="result was wrong after all")

    job.refresh_from_db()
    job.user.refresh_from_db()
    assert failed is False
    assert job.status == JobStatus.COMPLETED
    assert not CreditTransaction.objects.filter(reference=f"refund:{job.pk}").exists()
    assert job.user.credits == credits
    assert not AuditEvent.objects.filter(event=AuditEvent.Event.ADMIN_JOB_FAILED).exists()


def test_admin_fail_of_an_in_flight_job_is_audited(staff_user):
    job = charged_job(status=JobStatus.PROCESSING)

    job_fail(job=job, message="stuck", actor=staff_user)

    row = AuditEvent.objects.get(event=AuditEvent.Event.ADMIN_JOB_FAILED)
    assert (row.user, row.actor, row.data["job"], row.data["refunded"]) == (job.user, staff_user, str(job.pk), 3)


def test_failing_a_job_refunded_as_goodwill_refunds_nothing_more(staff_user):
    job = charged_job()
    job_goodwill_refund(job=job, actor=staff_user, note="goodwill")
    job.user.refresh_from_db()
    credits = job.user.credits

    job_fail(job=job, message="result was wrong after all")

    job.refresh_from_db()
    job.user.refresh_from_db()
    assert job.status == JobStatus.COMPLETED  # a completed job is never failed by staff
    assert not CreditTransaction.objects.filter(reference=f"refund:{job.pk}").exists()
    assert job.user.credits == credits
    assert balance_matches_ledger(job.user)
