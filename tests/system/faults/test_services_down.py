"""Redis stopped while applying, PostgreSQL connection dropped mid-request: a clean 503 or a
PENDING job the sweeper recovers, never a 500, a lost charge or a half-written apply."""

import json
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import CreditTransaction
from effects.jobs.sweep import jobs_sweep
from effects.models import Job, JobStatus
from tests.support.api import session_token_for
from tests.support.concurrency import process_database_url, wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def ledger_sum(user) -> int:
    return CreditTransaction.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] or 0


def apply_upload(client, effect):
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = SimpleUploadedFile("photo.jpg", image_bytes("JPEG", (64, 48)), content_type="image/jpeg")
    return client.post("/api/effects/apply", {"effectId": effect.slug, "image": image}, format="multipart")


def test_apply_while_the_broker_is_down_charges_once_and_the_sweeper_completes_the_job(
    broker_on_own_redis, start_worker
):
    user = UserFactory()
    effect = EffectFactory(model_id="local:grayscale", credits=1)
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    broker_on_own_redis.stop()

    response = apply_upload(client, effect)

    user.refresh_from_db()
    [job] = Job.objects.filter(user=user)
    assert response.status_code == 200, response.content
    assert job.status == JobStatus.PENDING and job.enqueued_at is None
    assert user.credits == ledger_sum(user) == 9
    broker_on_own_redis.start()
    start_worker("after-outage", broker_url=broker_on_own_redis.url)
    counts = jobs_sweep(now=timezone.now() + timedelta(seconds=settings.JOB_ENQUEUE_GRACE + 1))
    wait_for(lambda: Job.objects.get(pk=job.pk).is_terminal, timeout=60, message="the recovered job to finish")
    job.refresh_from_db()
    user.refresh_from_db()
    assert counts["requeued"] == 1
    assert job.status == JobStatus.COMPLETED
    assert user.credits == ledger_sum(user) == 9


def test_apply_while_redis_is_down_entirely_answers_503_and_charges_nothing(
    broker_on_own_redis, cache_on_own_redis, start_worker
):
    user = UserFactory()
    effect = EffectFactory(model_id="local:grayscale", credits=1)
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    broker_on_own_redis.stop()

    response = apply_upload(client, effect)

    user.refresh_from_db()
    assert response.status_code == 503, response.content
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert not Job.objects.filter(user=user).exists()
    assert user.credits == ledger_sum(user) == 10


def _terminate_own_backend_on(sql_prefix: str):
    """A database execute wrapper that kills this connection's backend when ``sql_prefix`` runs."""
    pid = connection.cursor().connection.info.backend_pid
    fired = []

    def wrapper(execute, sql, params, many, context):
        if not fired and sql.lstrip().upper().startswith(sql_prefix):
            fired.append(sql)
            with psycopg.connect(process_database_url(), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)

    return wrapper, fired


def test_postgres_connection_dropped_mid_apply_gives_503_and_writes_nothing(user):
    effect = EffectFactory(credits=1)
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    body = json.dumps({"effectId": effect.slug, "imageUrl": "https://8.8.8.8/photo.jpg"})
    # The connection dies as the ledger row is written: after the job INSERT, before the commit.
    wrapper, fired = _terminate_own_backend_on('INSERT INTO "BILLING_CREDITTRANSACTION"')

    with connection.execute_wrapper(wrapper):
        response = client.post("/api/effects/apply", body, content_type="application/json")

    connection.close()
    user.refresh_from_db()
    assert fired, "the apply never reached the ledger write"
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert not Job.objects.filter(user=user).exists()
    assert user.credits == ledger_sum(user) == 10
