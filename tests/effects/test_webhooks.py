"""POST /api/webhooks/replicate: Replicate's signed webhook (webhook-id/-timestamp/-signature)."""

import json
import time

import pytest
import redis
from django.conf import settings
from django.test import Client

from effects.engines.replicate import webhook_verify
from effects.models import JobStatus
from tests.fakes.replicate_server import WEBHOOK_SECRET
from tests.support.factories import JobFactory
from tests.support.metrics import METRICS_TOKEN, sample_value, scrape

pytestmark = pytest.mark.django_db
URL = "/api/webhooks/replicate"


def post(body: bytes, headers: dict):
    return Client().post(URL, data=body, content_type="application/json", headers=headers)


def test_valid_webhook_for_a_processing_job_schedules_its_poll(replicate_server):
    job = JobFactory(status=JobStatus.PROCESSING, provider_prediction_id="pred123", queue="default")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("default")
    body = json.dumps({"id": "pred123", "status": "succeeded", "output": ["http://x/y.png"]}).encode()

    response = post(body, replicate_server.webhook_headers(body))

    assert response.status_code == 200
    assert response.json()["data"]["outcome"] == "scheduled"
    message = json.loads(broker.lpop("default"))
    assert message["headers"]["task"] == "effects.poll_job"
    assert str(job.pk) in message["headers"]["argsrepr"]


def test_a_signed_webhook_replayed_twenty_times_schedules_one_poll(replicate_server):
    job = JobFactory(status=JobStatus.PROCESSING, provider_prediction_id="pred123", queue="default")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("default")
    body = json.dumps({"id": "pred123", "status": "succeeded", "output": ["http://x/y.png"]}).encode()
    headers = replicate_server.webhook_headers(body)

    responses = [post(body, headers) for _ in range(20)]

    assert [r.status_code for r in responses] == [200] * 20
    assert [r.json()["data"]["outcome"] for r in responses] == ["scheduled"] + ["duplicate"] * 19
    assert broker.llen("default") == 1
    assert str(job.pk) in json.loads(broker.lpop("default"))["headers"]["argsrepr"]


def test_two_deliveries_with_their_own_ids_each_schedule_a_poll(replicate_server):
    JobFactory(status=JobStatus.PROCESSING, provider_prediction_id="pred123", queue="default")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("default")
    body = json.dumps({"id": "pred123", "status": "processing"}).encode()

    post(body, replicate_server.webhook_headers(body))
    post(body, replicate_server.webhook_headers(body))

    assert broker.llen("default") == 2


def test_webhook_with_a_bad_signature_is_refused_with_the_error_envelope(replicate_server):
    body = json.dumps({"id": "pred123", "status": "succeeded"}).encode()
    headers = replicate_server.webhook_headers(body, secret="whsec_" + "QUJD" * 8)

    response = post(body, headers)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_INPUT"


def test_webhook_with_a_bad_signature_is_counted_in_the_metrics(replicate_server, settings):
    settings.HEALTH_TOKEN = METRICS_TOKEN
    body = json.dumps({"id": "pred123", "status": "succeeded"}).encode()
    headers = replicate_server.webhook_headers(body, secret="whsec_" + "QUJD" * 8)
    before = sample_value(scrape(Client()), "photomania_webhook_signature_failures_total", provider="replicate")

    post(body, headers)

    after = sample_value(scrape(Client()), "photomania_webhook_signature_failures_total", provider="replicate")
    assert after - before == 1


def test_webhook_with_a_tampered_body_is_refused(replicate_server):
    body = json.dumps({"id": "pred123", "status": "succeeded"}).encode()
    headers = replicate_server.webhook_headers(body)

    response = post(body.replace(b"succeeded", b"failed"), headers)

    assert response.status_code == 400


def test_webhook_with_a_stale_timestamp_is_refused(replicate_server):
    body = b'{"id":"pred123","status":"succeeded"}'

    response = post(body, replicate_server.webhook_headers(body, timestamp=int(time.time()) - 3600))

    assert response.status_code == 400


def test_webhook_for_an_unknown_prediction_is_acknowledged_and_ignored(replicate_server):
    body = b'{"id":"nope","status":"succeeded"}'

    response = post(body, replicate_server.webhook_headers(body))

    assert response.status_code == 200


def test_webhook_without_a_configured_secret_is_unavailable(settings):
    settings.REPLICATE_WEBHOOK_SECRET = ""

    response = post(b"{}", {"webhook-id": "a", "webhook-timestamp": str(int(time.time())), "webhook-signature": "v1,x"})

    assert response.status_code == 503


def test_verify_accepts_any_of_several_signatures(replicate_server):
    body = b"{}"
    headers = replicate_server.webhook_headers(body)
    headers["webhook-signature"] = "v1,bogus " + headers["webhook-signature"]

    assert webhook_verify(secret=WEBHOOK_SECRET, headers=headers, body=body)
