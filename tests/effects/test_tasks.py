"""Effects tasks other than a job's run: the periodic ones beat sends, and the cancel of a deleted job's
provider run, through a real worker."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections
from django.utils import timezone

from celery_app import app as celery_app
from effects.jobs.dispatch import remote_cancel_enqueue
from effects.models import IdempotencyKey
from effects.tasks import cancel_prediction, delete_provider_files, purge_idempotency_keys
from tests.support.concurrency import wait_for
from tests.support.factories import UserFactory


def test_idempotency_keys_are_purged_hourly_on_the_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["effects-purge-idempotency-keys"]

    assert entry["task"] == purge_idempotency_keys.name
    assert entry["schedule"] == timedelta(hours=1)
    assert settings.CELERY_TASK_ROUTES[purge_idempotency_keys.name] == {"queue": "default"}


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_purges_expired_idempotency_keys_through_a_real_worker():
    user = UserFactory()
    expired = timezone.now() - settings.IDEMPOTENCY_KEY_TTL - timedelta(minutes=1)
    IdempotencyKey.objects.create(user=user, key="expired", request_fingerprint="a" * 64, created_at=expired)
    IdempotencyKey.objects.create(user=user, key="fresh", request_fingerprint="b" * 64)

    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=["default"]):
        purge_idempotency_keys.delay()
        wait_for(
            lambda: not IdempotencyKey.objects.filter(key="expired").exists(), message="the expired key to be purged"
        )
    connections.close_all()

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_a_provider_run_cancel_goes_to_the_default_queue():
    assert settings.CELERY_TASK_ROUTES[cancel_prediction.name] == {"queue": "default"}


def test_a_provider_file_delete_goes_to_the_default_queue():
    assert settings.CELERY_TASK_ROUTES[delete_provider_files.name] == {"queue": "default"}


@pytest.mark.django_db(transaction=True)
def test_a_cancel_the_provider_fails_transiently_is_retried_until_the_run_is_cancelled(
    replicate_server, celery_worker_pipeline, settings
):
    settings.JOB_RETRY_BACKOFF_BASE = 0.2
    run_id = replicate_server.create({"input": {"image": "data:image/png;base64,AA=="}})["id"]
    replicate_server.cancel_status = 503

    remote_cancel_enqueue(model_id="replicate:acme/restore", run_id=run_id)
    wait_for(lambda: len(replicate_server.cancels) >= 2, message="the cancel to be tried again")
    replicate_server.cancel_status = None
    wait_for(lambda: replicate_server.predictions[run_id]["status"] == "canceled", message="the run to be cancelled")

    assert set(replicate_server.cancels) == {run_id}
