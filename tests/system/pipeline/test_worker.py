"""Jobs run end to end by a real Celery worker on Redis, against PostgreSQL."""

import html
import io

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.test import Client
from PIL import Image

from billing.models import CreditTransaction
from celery_app import app
from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.jobs.run import job_process
from effects.jobs.sweep import jobs_sweep
from effects.models import Job, JobStatus
from effects.tasks import process_job
from tests.support.api import token_client
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def finished(job_id):
    job = Job.objects.get(pk=job_id)
    return job if job.is_terminal else None


def test_uploaded_job_completes_with_a_valid_image_at_a_signed_url(celery_worker_pipeline):
    user = UserFactory()
    effect = EffectFactory(model_id="local:grayscale", config={"format": "png"})

    job = job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes("JPEG", (80, 60))))
    job = wait_for(lambda: finished(job.pk), message="job to finish")

    assert job.status == JobStatus.COMPLETED
    response = Client().get(job.result.url)
    assert response.status_code == 200
    result = Image.open(io.BytesIO(b"".join(response.streaming_content))).convert("RGB")
    assert result.size == (80, 60)
    r, g, b = result.split()
    assert r.tobytes() == g.tobytes() == b.tobytes()


def test_provider_failure_fails_the_job_and_refunds_exactly_once(celery_worker_pipeline, replicate_server):
    replicate_server.statuses = ["starting", "processing", "failed"]
    user = UserFactory()
    balance = user.credits
    effect = EffectFactory(model_id="replicate:acme/restore", credits=3)

    job = job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))
    job = wait_for(lambda: finished(job.pk), message="job to finish")

    assert job.status == JobStatus.FAILED
    assert job.error_code == "PROVIDER_FAILED" and "CUDA out of memory" in job.error_message
    assert CreditTransaction.objects.filter(reference=f"refund:{job.pk}").count() == 1
    user.refresh_from_db()
    assert user.credits == balance


def test_provider_success_copies_the_output_into_our_storage(celery_worker_pipeline, replicate_server):
    user = UserFactory()
    effect = EffectFactory(model_id="replicate:acme/restore", config={"input": {"scale": 2}})

    job = job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))
    job = wait_for(lambda: finished(job.pk), message="job to finish")

    assert job.status == JobStatus.COMPLETED
    assert job.provider_prediction_id in replicate_server.predictions
    assert replicate_server.created[0]["input"]["scale"] == 2
    assert replicate_server.created[0]["input"]["image"].startswith("data:image/jpeg;base64,")
    with job.result.open("rb") as handle:
        assert Image.open(handle).size == (40, 30)


def test_provider_job_reports_its_stage_and_percentage_through_the_api(celery_worker_pipeline, replicate_server):
    # The prediction keeps running (and logging its progress bar) until the test lets it finish.
    replicate_server.statuses = ["starting", "processing"]
    replicate_server.logs = "loading weights\n 20%|██        | 10/50\r 40%|████      | 20/50 [00:04<00:08]"
    user = UserFactory()
    client = Client()
    client.force_login(user)
    effect = EffectFactory(model_id="replicate:acme/restore")

    job = job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))

    def job_json():
        return client.get(f"/api/jobs/{job.pk}").json()["data"]

    running = wait_for(lambda: (data := job_json())["progress"] == 40 and data, message="the job to report 40%")
    assert (running["status"], running["stage"], running["queuePosition"]) == ("PROCESSING", "processing", None)

    replicate_server.statuses.append("succeeded")
    done = wait_for(lambda: (data := job_json())["status"] == "COMPLETED" and data, message="the job to finish")
    assert (done["stage"], done["progress"]) == ("done", 100)


def test_deleting_a_provider_job_answers_without_the_provider_and_a_worker_cancels_its_run(
    replicate_server, empty_broker
):
    replicate_server.statuses = ["starting", "processing"]
    user = UserFactory()
    job = job_create(
        user=user,
        effect=EffectFactory(model_id="replicate:acme/restore"),
        source=image_validate_bytes(image_bytes()),
    )
    empty_broker.delete("priority", "default")  # this test runs the job's first step itself
    job_process(job_id=job.pk)
    run_id = Job.objects.get(pk=job.pk).provider_prediction_id

    response = token_client(user).delete(f"/api/jobs/{job.pk}")

    assert response.status_code == 200
    assert replicate_server.cancels == []
    with start_worker(app, pool="solo", perform_ping_check=False, queues=["default"]):
        wait_for(
            lambda: replicate_server.predictions[run_id]["status"] == "canceled", message="the run to be cancelled"
        )
    connections.close_all()
    assert replicate_server.cancels == [run_id]


def test_duplicate_delivery_yields_one_result_and_one_charge(celery_worker_pipeline):
    user = UserFactory()
    effect = EffectFactory(model_id="local:sepia")

    job = job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))
    process_job.apply_async(args=[str(job.pk)], queue=job.queue, task_id=f"job-{job.pk}-dup")
    job = wait_for(lambda: finished(job.pk), message="job to finish")
    # The duplicate message is consumed too (the queue drains) and changes nothing.
    wait_for(lambda: not app.connection_for_read().default_channel.client.llen("default"), message="queue drained")

    assert job.status == JobStatus.COMPLETED
    assert job.attempts == 1
    assert CreditTransaction.objects.filter(job=job).count() == 1
    # One result, the source, and one of each rendition: nothing written twice.
    assert sorted(job.result.storage.listdir(f"jobs/{job.pk}")[1]) == [
        "result-display.jpg",
        "result-thumbnail.jpg",
        "result.jpg",
        "source",
        "source-display.jpg",
        "source-thumbnail.jpg",
    ]


def test_sweeper_recovers_a_job_whose_message_was_lost_when_the_broker_was_down(request, settings):
    settings.JOB_ENQUEUE_GRACE = 0
    user = UserFactory()
    effect = EffectFactory(model_id="local:posterize")
    saved = (app.conf.broker_url, app._pool, app.amqp._producer_pool)
    app.conf.broker_url, app._pool, app.amqp._producer_pool = "redis://127.0.0.1:1/4", None, None
    try:
        job = job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved
    assert Job.objects.get(pk=job.pk).enqueued_at is None
    request.getfixturevalue("celery_worker_pipeline")

    counts = jobs_sweep()
    job = wait_for(lambda: finished(job.pk), message="job to finish")

    assert counts["requeued"] == 1
    assert job.status == JobStatus.COMPLETED


def test_photo_without_a_person_fails_no_subject_refunded_once_and_says_so(celery_worker_pipeline):
    from django.test import Client as PageClient

    from tests.support.api import token_client
    from tests.support.people_photos import photo_bytes

    user = UserFactory()
    balance = user.credits
    effect = EffectFactory(model_id="local:background-blur", config={}, credits=2)

    job = job_create(user=user, effect=effect, source=image_validate_bytes(photo_bytes("coffee.png")))
    job = wait_for(lambda: finished(job.pk), message="job to finish")

    assert job.status == JobStatus.FAILED
    assert job.error_code == "NO_SUBJECT"
    assert CreditTransaction.objects.filter(reference=f"refund:{job.pk}").count() == 1
    user.refresh_from_db()
    assert user.credits == balance
    said = "We couldn't find a person in this photo — your 2 credits were refunded"
    body = token_client(user).get(f"/api/jobs/{job.pk}").json()
    assert body["data"]["error"] == {"code": "NO_SUBJECT", "message": said}
    page = PageClient()
    page.force_login(user)
    assert said in html.unescape(page.get(f"/jobs/{job.pk}/").content.decode())
