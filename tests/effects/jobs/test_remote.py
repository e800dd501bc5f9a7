"""Provider jobs: the run started once and resumed, its progress and deadline, large sources, the model's
limits, and cancelling a run."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from effects.catalog import provider_effect_definition, provider_models
from effects.engines import EngineFailure
from effects.jobs.delete import job_delete
from effects.jobs.remote import job_poll, remote_run_cancel
from effects.jobs.run import job_process
from effects.jobs.steps import JobOutcome
from effects.models import Job, JobStage, JobStatus
from tests.effects.jobs.support import pending_job, refunds
from tests.support.api import token_client
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def started_prediction(replicate_server) -> str:
    """A prediction running at the fake provider; its id."""
    return replicate_server.create({"input": {"image": "data:image/png;base64,AA=="}})["id"]


def test_retried_provider_job_resumes_its_prediction_instead_of_creating_another(replicate_server):
    job = pending_job(model_id="replicate:acme/restore")
    job_process(job_id=job.pk)  # created, now waiting
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING)  # as after a lost worker

    job_process(job_id=job.pk)

    assert len(replicate_server.created) == 1


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


def test_provider_job_the_provider_aborted_fails_at_once_and_is_refunded(replicate_server):
    replicate_server.statuses = ["starting", "aborted"]
    job = pending_job(model_id="replicate:acme/restore")
    job_process(job_id=job.pk)

    step = job_poll(job_id=job.pk)

    job.refresh_from_db()
    assert step.outcome == JobOutcome.DONE
    assert (job.status, job.error_code) == (JobStatus.FAILED, "PROVIDER_FAILED")
    assert job.error_message == "The AI provider aborted the job"
    assert refunds(job) == 1


def twelve_megapixel_job(*, model_id: str, config: dict) -> Job:
    """A pending job whose stored source is a 4000x3000 (12 MP) JPEG photo."""
    job = pending_job(model_id=model_id, config=config)
    photo = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=90)
    job.source.save("source.jpg", ContentFile(buffer.getvalue()))
    return job


def real_esrgan(replicate_server) -> tuple[str, dict]:
    """The catalog's Real-ESRGAN model (what ``ai-upscale`` runs), refusing what Replicate's refuses."""
    model = provider_models()["real-esrgan"]
    replicate_server.max_input_pixels = {model["model"].partition(":")[2]: 2_096_704}
    return provider_effect_definition(model=model)


def test_a_12_megapixel_source_is_shrunk_to_the_upscalers_input_limit_and_succeeds(replicate_server):
    model_id, config = real_esrgan(replicate_server)
    job = twelve_megapixel_job(model_id=model_id, config=config)
    job_process(job_id=job.pk)

    job_poll(job_id=job.pk)
    job_poll(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.COMPLETED, "")
    ((width, height, fmt, _data),) = replicate_server.received[job.provider_prediction_id].values()
    assert width * height <= 2_096_704 and width * height > 2_000_000
    assert abs(width / height - 4 / 3) < 0.01 and fmt == "JPEG"


def test_the_fake_upscaler_refuses_a_12_megapixel_source_sent_as_it_is(replicate_server):
    model_id, config = real_esrgan(replicate_server)
    del config["limits"]
    job = twelve_megapixel_job(model_id=model_id, config=config)
    job_process(job_id=job.pk)

    job_poll(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAILED, "PROVIDER_FAILED")
    assert "greater than the max size that fits in GPU memory" in job.error_message
    assert refunds(job) == 1


def test_a_source_within_the_models_limits_is_sent_exactly_as_stored(replicate_server):
    model_id, config = real_esrgan(replicate_server)
    job = pending_job(model_id=model_id, config=config)
    with job.source.open("rb") as handle:
        stored = handle.read()

    job_process(job_id=job.pk)

    job.refresh_from_db()
    ((_w, _h, fmt, data),) = replicate_server.received[job.provider_prediction_id].values()
    assert (data, fmt) == (stored, "PNG")


def upscaler_job(replicate_server, settings, *, output_limits: dict) -> Job:
    """A provider job whose 100x80 output is over the upload limits (64x48 sources pass them)."""
    replicate_server.output_image = image_bytes("PNG", (100, 80))
    settings.IMAGE_MAX_PIXELS = 4000
    settings.IMAGE_MAX_UPLOAD_BYTES = max(len(image_bytes("PNG")), len(replicate_server.output_image) // 2)
    job = pending_job(model_id="replicate:acme/upscale", config={"limits": {"output": output_limits}})
    job_process(job_id=job.pk)
    return job


def test_a_provider_output_over_the_upload_limits_but_within_the_models_declared_output_is_kept(
    replicate_server, settings
):
    job = upscaler_job(
        replicate_server, settings, output_limits={"max_pixels": 8000, "max_bytes": len(image_bytes("PNG", (100, 80)))}
    )

    job_poll(job_id=job.pk)
    job_poll(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.COMPLETED, "")
    with job.result.open("rb") as handle, Image.open(handle) as result:
        assert result.size == (100, 80)


@pytest.mark.parametrize(
    ("output_limits", "why"),
    [
        ({"max_pixels": 7999, "max_bytes": 10**6}, "too large (100x80 pixels)"),
        ({"max_pixels": 8000, "max_bytes": 100}, "larger than 100 bytes"),
    ],
)
def test_a_provider_output_over_the_models_declared_output_is_refused(replicate_server, settings, output_limits, why):
    job = upscaler_job(replicate_server, settings, output_limits=output_limits)

    job_poll(job_id=job.pk)
    job_poll(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error_code) == (JobStatus.FAILED, "PROVIDER_FAILED")
    assert "output was unusable" in job.error_message and why in job.error_message
    assert refunds(job) == 1


def uploaded_source_job(replicate_server, settings) -> tuple[Job, str]:
    """A provider job started with its source uploaded through the files API; the file's id."""
    settings.REPLICATE_DATA_URI_MAX_BYTES = 100
    job = pending_job(model_id="replicate:acme/restore")
    job_process(job_id=job.pk)
    (file_id,) = replicate_server.uploads
    return job, file_id


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outcome", ["succeeded", "failed", "canceled", "aborted"])
def test_the_file_uploaded_for_a_run_is_deleted_at_the_provider_when_the_run_ends(
    replicate_server, settings, celery_worker_pipeline, outcome
):
    replicate_server.statuses = ["starting", outcome]
    job, file_id = uploaded_source_job(replicate_server, settings)

    job_poll(job_id=job.pk)

    wait_for(lambda: not replicate_server.uploads, message="the uploaded file to be deleted")
    assert replicate_server.file_deletes == [file_id]
    assert Job.objects.get(pk=job.pk).status in (JobStatus.COMPLETED, JobStatus.FAILED)


@pytest.mark.django_db(transaction=True)
def test_the_file_uploaded_for_a_deleted_jobs_run_is_deleted_with_the_cancelled_run(
    replicate_server, settings, celery_worker_pipeline
):
    replicate_server.statuses = ["starting", "processing"]
    job, file_id = uploaded_source_job(replicate_server, settings)

    job_delete(job=job)

    wait_for(lambda: not replicate_server.uploads, message="the uploaded file to be deleted")
    ((run_id, run),) = replicate_server.predictions.items()
    assert replicate_server.cancels == [run_id] and run["status"] == "canceled"
    assert replicate_server.file_deletes == [file_id]


@pytest.mark.django_db(transaction=True)
def test_the_file_uploaded_for_a_run_past_its_deadline_is_deleted(replicate_server, settings, celery_worker_pipeline):
    replicate_server.statuses = ["starting", "processing"]
    job, file_id = uploaded_source_job(replicate_server, settings)
    settings.REPLICATE_DEADLINE = 0

    job_poll(job_id=job.pk)

    wait_for(lambda: not replicate_server.uploads, message="the uploaded file to be deleted")
    assert Job.objects.get(pk=job.pk).error_code == "TIMEOUT"
    assert replicate_server.file_deletes == [file_id]


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_job_was_deleted_while_it_was_created_is_cancelled_and_its_file_deleted(
    replicate_server, settings, celery_worker_pipeline
):
    from django.db import connections

    settings.REPLICATE_DATA_URI_MAX_BYTES = 100
    job = pending_job(model_id="replicate:acme/restore")

    def delete_meanwhile():
        job_delete(job=Job.objects.get(pk=job.pk))
        connections.close_all()  # this thread's own connection

    replicate_server.before_create = delete_meanwhile

    step = job_process(job_id=job.pk)

    assert step.outcome == JobOutcome.DONE
    (run_id,) = replicate_server.predictions
    wait_for(lambda: not replicate_server.uploads, message="the uploaded file to be deleted")
    assert replicate_server.predictions[run_id]["status"] == "canceled"


@pytest.mark.django_db(transaction=True)
def test_a_delete_the_provider_fails_is_retried_until_the_file_is_gone(
    replicate_server, settings, celery_worker_pipeline
):
    settings.JOB_RETRY_BACKOFF_BASE = 0.2
    replicate_server.statuses = ["starting", "succeeded"]
    replicate_server.delete_failures = 2
    job, file_id = uploaded_source_job(replicate_server, settings)

    job_poll(job_id=job.pk)

    wait_for(lambda: not replicate_server.uploads, message="the uploaded file to be deleted")
    assert replicate_server.file_deletes == [file_id] * 3


def camera_photo(*, artist: str) -> bytes:
    """A phone photo as uploaded: EXIF with the camera, the owner's name, a GPS position and an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "Acme Phones"  # Make
    exif[0x013B] = artist  # Artist
    exif[0x0112] = 6  # Orientation: turned a quarter
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 24.0)  # GPSLatitude
    buffer = io.BytesIO()
    Image.open(io.BytesIO(image_bytes("JPEG", (64, 48)))).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_the_provider_receives_only_the_image_and_the_model_inputs_never_who_sent_them(replicate_server, settings):
    settings.REPLICATE_DATA_URI_MAX_BYTES = 100  # the source goes through the files API
    user = UserFactory(email="jane.doe@example.com", credits=10)
    EffectFactory(slug="restore", model_id="replicate:acme/restore", config={"input": {"prompt": "restore it"}})
    photo = SimpleUploadedFile("Jane Doe passport.jpg", camera_photo(artist="Jane Doe"), content_type="image/jpeg")
    response = token_client(user).post(
        "/api/effects/apply", {"effectId": "restore", "image": photo}, format="multipart"
    )
    job = Job.objects.get(pk=response.json()["data"]["jobId"])

    job_process(job_id=job.pk)

    (upload,) = replicate_server.uploads.values()
    assert (upload["name"], upload["parts"]) == ("source.jpeg", ["content"])
    with Image.open(io.BytesIO(upload["data"])) as sent:
        assert dict(sent.getexif()) == {0x0112: 6}  # the orientation, and nothing else
    body = replicate_server.created[0]
    assert set(body) <= {"input", "webhook", "webhook_events_filter"}
    assert body["input"] == {"prompt": "restore it", "image": upload["urls"]["get"]}
    assert body["webhook"] == settings.SITE_URL + "/api/webhooks/replicate"
    told = b"".join(r["body"] + repr(r["headers"]).encode() for r in replicate_server.requests)
    for personal in ("jane", "passport", user.email, str(job.pk), job.pk.hex, "Acme Phones"):
        assert personal.lower().encode() not in told.lower(), personal


def test_a_provider_run_is_created_to_cancel_itself_at_the_jobs_remaining_deadline(replicate_server, settings):
    settings.REPLICATE_DEADLINE = 600
    job = pending_job(model_id="replicate:acme/restore")

    job_process(job_id=job.pk)

    (cancel_after,) = replicate_server.cancel_afters
    assert cancel_after.endswith("s") and 595 <= int(cancel_after[:-1]) <= 600
