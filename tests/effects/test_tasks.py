"""Periodic effects tasks run by beat, through a real worker."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections
from django.utils import timezone

from celery_app import app as celery_app
from effects.models import IdempotencyKey
from effects.tasks import purge_idempotency_keys
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
