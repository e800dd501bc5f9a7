"""Job metrics recorded by a real Celery worker reach the web's /metrics scrape through Redis."""

import pytest
from django.test import Client

from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.models import Job
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes
from tests.support.metrics import METRICS_TOKEN, sample_value, scrape

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _metrics_token(settings):
    settings.HEALTH_TOKEN = METRICS_TOKEN


def _when_scraped(predicate, message: str):
    client = Client()

    def scraped_when_true():
        samples = scrape(client)
        return samples if predicate(samples) else None

    return wait_for(scraped_when_true, message=message)


def test_a_completed_job_is_counted_with_its_processing_time_and_queue_wait(celery_worker_pipeline):
    effect = EffectFactory(slug="metrics-grayscale", model_id="local:grayscale", credits=2)
    job = job_create(user=UserFactory(), effect=effect, source=image_validate_bytes(image_bytes()))

    samples = _when_scraped(
        lambda s: sample_value(s, "photomania_job_processing_seconds_count", effect="metrics-grayscale"),
        "the completed job in the metrics",
    )

    job = Job.objects.get(pk=job.pk)
    finished = {"effect": "metrics-grayscale", "status": "COMPLETED", "error_code": ""}
    assert sample_value(samples, "photomania_jobs_finished_total", **finished) == 1
    assert sample_value(samples, "photomania_job_processing_seconds_count", effect="metrics-grayscale") == 1
    processing = sample_value(samples, "photomania_job_processing_seconds_sum", effect="metrics-grayscale")
    assert 0 < processing <= (job.completed_at - job.started_at).total_seconds() + 1
    assert sample_value(samples, "photomania_job_queue_wait_seconds_count", queue=job.queue) == 1
    assert sample_value(samples, "photomania_credits_spent_total", kind="EFFECT_CHARGE") == 2


def test_a_failed_job_is_counted_with_its_error_code_and_its_refund(celery_worker_pipeline, replicate_server):
    replicate_server.statuses = ["starting", "failed"]
    effect = EffectFactory(slug="metrics-restore", model_id="replicate:acme/restore", credits=3)
    job_create(user=UserFactory(), effect=effect, source=image_validate_bytes(image_bytes()))

    failed = {"effect": "metrics-restore", "status": "FAILED", "error_code": "PROVIDER_FAILED"}
    samples = _when_scraped(
        lambda s: sample_value(s, "photomania_jobs_finished_total", **failed), "the failed job in the metrics"
    )

    assert sample_value(samples, "photomania_jobs_finished_total", **failed) == 1
    assert sample_value(samples, "photomania_job_processing_seconds_count", effect="metrics-restore") == 0
    assert sample_value(samples, "photomania_credits_granted_total", kind="REFUND") == 3
