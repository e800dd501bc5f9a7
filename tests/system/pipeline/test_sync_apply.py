"""Applies answered once their job has finished (``Prefer: wait``) and the output options, run end to end
by a real Celery worker on Redis against PostgreSQL."""

import io
import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from effects.models import TERMINAL_STATUSES, Job, JobStatus
from tests.support.api import token_client
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _upload(size=(80, 60), fmt="JPEG") -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", image_bytes(fmt, size), content_type="image/jpeg")


def _result(url: str) -> Image.Image:
    response = Client().get(url)
    assert response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    image.load()
    return image


def test_an_apply_that_waits_answers_the_finished_job_exactly_as_the_job_detail_does(celery_worker_pipeline):
    client = token_client(UserFactory())
    effect = EffectFactory(model_id="local:grayscale", config={"format": "png"}, credits=2)

    response = client.post(
        "/api/effects/apply", {"effectId": effect.slug, "image": _upload()}, headers={"Prefer": "wait=30"}
    )

    assert response.status_code == 200, response.content
    assert response["Preference-Applied"] == "wait=30"
    assert (response["X-Credits-Charged"], response["X-Credits-Remaining"]) == ("2", "8")
    waited = response.json()["data"]
    assert waited["status"] == "COMPLETED" and waited["resultUrl"]
    detail = client.get(f"/api/jobs/{waited['id']}")
    assert json.dumps(waited) == json.dumps(detail.json()["data"])
    assert _result(waited["resultUrl"]).format == "PNG"


def test_an_apply_that_waits_for_a_job_that_fails_answers_it_failed_and_refunded(
    celery_worker_pipeline, replicate_server
):
    replicate_server.statuses = ["starting", "processing", "failed"]
    client = token_client(UserFactory())
    effect = EffectFactory(model_id="replicate:acme/restore", credits=3)

    response = client.post(
        "/api/effects/apply", {"effectId": effect.slug, "image": _upload()}, headers={"Prefer": "wait"}
    )

    assert response.status_code == 200, response.content
    assert response["Preference-Applied"] == "wait=60"
    data = response.json()["data"]
    assert data["status"] == "FAILED" and data["error"]["code"] == "PROVIDER_FAILED"
    assert data["refund"]["credits"] == 3 and data["resultUrl"] is None


def test_a_repeated_apply_that_asks_to_wait_waits_for_the_first_requests_job(celery_worker_pipeline):
    client = token_client(UserFactory())
    effect = EffectFactory(model_id="local:grayscale", credits=2)
    key = {"Idempotency-Key": "wait-after-losing-the-answer"}
    photo = image_bytes("JPEG", (80, 60))
    first = client.post(
        "/api/effects/apply", {"effectId": effect.slug, "image": SimpleUploadedFile("a.jpg", photo)}, headers=key
    )

    again = client.post(
        "/api/effects/apply",
        {"effectId": effect.slug, "image": SimpleUploadedFile("a.jpg", photo)},
        headers={**key, "Prefer": "wait=30"},
    )

    assert again.status_code == 200, again.content
    assert again["Idempotent-Replayed"] == "true" and again["Preference-Applied"] == "wait=30"
    assert again.json()["data"]["id"] == first.json()["data"]["jobId"]
    assert again.json()["data"]["status"] == "COMPLETED"
    assert (again["X-Credits-Charged"], again["X-Credits-Remaining"]) == ("0", "8")
    assert Job.objects.count() == 1


def test_a_job_that_cannot_finish_within_the_wait_is_answered_202_and_goes_on(celery_worker_pipeline, replicate_server):
    replicate_server.statuses = ["starting"] + ["processing"] * 1000
    client = token_client(UserFactory())
    effect = EffectFactory(model_id="replicate:acme/restore")

    started = time.monotonic()
    response = client.post(
        "/api/effects/apply",
        {"effectId": effect.slug, "image": _upload()},
        headers={"Prefer": "wait=2"},
    )

    assert 2 <= time.monotonic() - started < 8
    assert response.status_code == 202
    assert "Preference-Applied" not in response
    job = Job.objects.get(pk=response.json()["data"]["jobId"])
    assert job.status in (JobStatus.PENDING, JobStatus.PROCESSING)


def test_a_result_asked_for_as_jpeg_is_a_jpeg_within_the_asked_side(celery_worker_pipeline):
    client = token_client(UserFactory())
    effect = EffectFactory(model_id="local:sepia", config={"format": "png"})

    response = client.post(
        "/api/effects/apply",
        {"effectId": effect.slug, "image": _upload((300, 200), "PNG"), "outputFormat": "jpeg", "maxSide": "100"},
        headers={"Prefer": "wait=30"},
    )

    data = response.json()["data"]
    assert data["status"] == "COMPLETED", data
    assert data["output"] == {"format": "jpeg", "maxSide": 100}
    result = _result(data["resultUrl"])
    assert result.format == "JPEG" and max(result.size) <= 100 and result.size[0] > result.size[1]
    assert not result.getexif()
    assert data["resultUrl"].split("?")[0].endswith(".jpg")


def test_a_providers_result_is_converted_to_the_asked_format_and_side(celery_worker_pipeline, replicate_server):
    replicate_server.output_image = image_bytes("PNG", (400, 300))
    client = token_client(UserFactory())
    effect = EffectFactory(model_id="replicate:acme/restore")

    response = client.post(
        "/api/effects/apply",
        {"effectId": effect.slug, "image": _upload(), "outputFormat": "webp", "maxSide": "200"},
    )
    job_id = response.json()["data"]["jobId"]
    job = wait_for(lambda: Job.objects.filter(pk=job_id, status__in=TERMINAL_STATUSES).first(), message="job to end")

    assert job.status == JobStatus.COMPLETED, job.error_message
    assert job.result.name.endswith(".webp")
    result = _result(job.result.url)
    assert (result.format, result.size) == ("WEBP", (200, 150))
    assert job.renditions["result"]["thumbnail"]["width"] == 200


def test_a_batch_runs_every_job_of_it(celery_worker_pipeline):
    client = token_client(UserFactory())
    effect = EffectFactory(model_id="local:grayscale", config={"format": "png"})

    response = client.post(
        "/api/effects/apply/batch",
        {"effectId": effect.slug, "image": [_upload(), _upload((60, 80))], "outputFormat": "webp"},
    )

    assert response.status_code == 202, response.content
    ids = [job["jobId"] for job in response.json()["data"]["jobs"]]

    def all_completed():
        jobs = list(Job.objects.filter(pk__in=ids, status=JobStatus.COMPLETED))
        return jobs if len(jobs) == len(ids) else None

    jobs = wait_for(all_completed, message="both jobs to complete")
    sizes = {str(job.pk): _result(job.result.url).size for job in jobs}
    assert [sizes[i] for i in ids] == [(80, 60), (60, 80)]
