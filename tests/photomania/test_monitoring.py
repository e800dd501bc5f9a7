"""GET /metrics: who may scrape it, and the gauges read from the broker and the database when scraped."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from celery_app import app
from effects.models import JobStatus
from tests.support.factories import JobFactory, UserFactory, staff_force_login, totp_activate
from tests.support.metrics import METRICS_TOKEN, parse_samples, sample_value, scrape


@pytest.fixture(autouse=True)
def _metrics_token(settings):
    settings.HEALTH_TOKEN = METRICS_TOKEN


def test_anonymous_scrape_is_refused_with_401_and_a_bearer_challenge(client, db):
    response = client.get("/metrics")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"photomania_" not in response.content


def test_scrape_with_a_wrong_token_is_refused_with_403(client, db):
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")

    assert response.status_code == 403
    assert b"photomania_" not in response.content


def test_signed_in_non_staff_user_is_refused_with_403(client, user):
    client.force_login(user)

    response = client.get("/metrics")

    assert response.status_code == 403


def test_staff_session_may_scrape(client, db):
    staff = UserFactory(is_staff=True)
    totp_activate(user=staff)
    staff_force_login(client, staff)

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"
    assert b"photomania_http_request_duration_seconds" in response.content


def test_token_scrape_is_refused_when_no_token_is_configured(client, settings, db):
    settings.HEALTH_TOKEN = ""

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 403


def test_metrics_answer_only_get(client, db):
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")

    assert response.status_code == 405


def test_queue_depths_are_read_per_queue_when_scraped(client, db, empty_broker):
    for _ in range(3):
        app.send_task("effects.process_job", args=["00000000-0000-0000-0000-000000000000"], queue="default")
    app.send_task("effects.process_job", args=["00000000-0000-0000-0000-000000000000"], queue="priority")

    samples = scrape(client)

    assert sample_value(samples, "photomania_queue_messages", queue="default") == 3
    assert sample_value(samples, "photomania_queue_messages", queue="priority") == 1
    assert ("photomania_queue_messages", frozenset({("queue", "sweep")})) in samples


def test_messages_held_by_workers_are_reported_as_unacked(client, db, empty_broker):
    empty_broker.hset("unacked", "tag-1", json.dumps([{"headers": {}}, "", "default"]))

    samples = scrape(client)

    assert sample_value(samples, "photomania_queue_unacked_messages") == 1


def test_oldest_waiting_job_age_and_stall_are_reported(client, settings, db, empty_broker):
    settings.PIPELINE_MAX_WAIT = 60
    waiting_since = timezone.now() - timedelta(seconds=300)
    JobFactory(status=JobStatus.PENDING, created_at=waiting_since, enqueued_at=waiting_since)

    samples = scrape(client)

    assert 299 <= sample_value(samples, "photomania_job_oldest_pending_age_seconds") <= 330
    assert sample_value(samples, "photomania_worker_consumers") == 0
    assert sample_value(samples, "photomania_pipeline_stalled") == 1


def test_a_job_past_its_time_limit_is_reported_and_stalls_once_the_sweeper_should_have_ended_it(
    client, settings, db, empty_broker
):
    settings.PIPELINE_MAX_WAIT = 60
    settings.JOB_TIME_LIMIT = 150
    JobFactory(status=JobStatus.PROCESSING, started_at=timezone.now() - timedelta(seconds=150 + 200))

    samples = scrape(client)

    assert 199 <= sample_value(samples, "photomania_job_oldest_overdue_processing_seconds") <= 230
    assert sample_value(samples, "photomania_pipeline_stalled") == 1


def test_live_worker_heartbeats_are_counted_as_consumers(client, db, empty_broker):
    from core.watchdog import heartbeat_key

    empty_broker.set(heartbeat_key("celery@worker-a"), json.dumps({"at": 0, "queues": ["default"]}), ex=30)

    samples = scrape(client)

    assert sample_value(samples, "photomania_worker_consumers") == 1
    assert sample_value(samples, "photomania_pipeline_stalled") == 0


def test_an_unreachable_broker_leaves_its_gauges_out_and_the_rest_is_answered(client, settings, db):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")

    samples = parse_samples(response.content.decode())
    assert response.status_code == 200
    assert not any(name == "photomania_queue_messages" for name, _ in samples)
    assert ("photomania_job_oldest_pending_age_seconds", frozenset()) in samples
