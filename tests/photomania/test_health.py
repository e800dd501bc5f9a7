"""GET /api/health: liveness for anyone; the deep check (each dependency checked for real, 503
naming what is down, never why) for staff or a HEALTH_TOKEN."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from effects.models import JobStatus
from photomania.health import health_cache_clear
from tests.support.api import assert_error
from tests.support.factories import JobFactory

TOKEN = "health-token-for-tests"


@pytest.fixture(autouse=True)
def _fresh_health(settings):
    settings.HEALTH_TOKEN = TOKEN
    health_cache_clear()
    yield
    health_cache_clear()


@pytest.fixture
def broker_without_heartbeats(empty_broker):
    """The broker's Redis with no worker heartbeat (before and after the test)."""
    from core.watchdog import HEARTBEAT_PREFIX

    def clear():
        for key in empty_broker.scan_iter(f"{HEARTBEAT_PREFIX}*"):
            empty_broker.delete(key)

    clear()
    yield empty_broker
    clear()


@pytest.fixture
def deep_client():
    """A monitor presenting the HEALTH_TOKEN."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    return client


@pytest.mark.django_db
def test_health_is_200_when_everything_is_up(deep_client):
    response = deep_client.get("/api/health")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "ok"
    assert data["checks"] == {"database": "ok", "cache": "ok", "broker": "ok", "storage": "ok", "pipeline": "ok"}
    assert data["pipeline"]["stalled"] is False


@pytest.mark.django_db(transaction=True)
def test_health_is_503_when_the_database_is_down(deep_client, database_down):
    response = deep_client.get("/api/health")

    body = assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["database"] == "unavailable"
    assert body["error"]["details"]["cache"] == "ok"


@pytest.mark.django_db
def test_health_is_503_when_redis_is_down(deep_client, settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = deep_client.get("/api/health")

    body = assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["cache"] == "unavailable"
    assert body["error"]["details"]["broker"] == "unavailable"
    assert b"127.0.0.1:1" not in response.content


@pytest.mark.django_db
def test_health_is_503_when_storage_is_unwritable(deep_client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "effects.storage.SignedFileSystemStorage", "OPTIONS": {"location": str(blocker)}},
    }

    body = assert_error(deep_client.get("/api/health"), 503, "SERVICE_UNAVAILABLE")

    assert body["error"]["details"]["storage"] == "unavailable"


@pytest.mark.django_db
def test_health_with_the_filesystem_broker_checks_its_folder(deep_client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}

    body = assert_error(deep_client.get("/api/health"), 503, "SERVICE_UNAVAILABLE")

    assert body["error"]["details"]["broker"] == "unavailable"


@pytest.mark.django_db
def test_health_for_anyone_is_a_liveness_answer_that_touches_no_storage(anon_client, media_storage):
    response = anon_client.get("/api/health")

    assert response.status_code == 200
    assert response.json()["data"] == {"status": "ok"}
    assert not list(media_storage.rglob("health*"))


@pytest.mark.django_db
def test_health_with_a_wrong_token_is_only_the_liveness_answer(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not-the-token")

    response = anon_client.get("/api/health")

    assert response.json()["data"] == {"status": "ok"}


@pytest.mark.django_db
def test_health_for_a_staff_session_is_the_deep_check(staff_client):
    response = staff_client.get("/api/health")

    assert response.status_code == 200
    assert set(response.json()["data"]["checks"]) == {"database", "cache", "broker", "storage", "pipeline"}


@pytest.mark.django_db
def test_deep_health_is_reused_for_a_few_seconds(deep_client, settings, media_storage):
    settings.HEALTH_CACHE_SECONDS = 60
    deep_client.get("/api/health")
    blocker = media_storage / "blocked"
    blocker.write_bytes(b"")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "effects.storage.SignedFileSystemStorage", "OPTIONS": {"location": str(blocker)}},
    }

    response = deep_client.get("/api/health")

    assert response.status_code == 200


@pytest.mark.django_db
def test_deep_health_is_503_when_a_job_waits_too_long_and_no_worker_consumes(
    deep_client, settings, broker_without_heartbeats
):
    settings.PIPELINE_MAX_WAIT = 30
    JobFactory(status=JobStatus.PENDING, enqueued_at=timezone.now() - timedelta(seconds=31))

    body = assert_error(deep_client.get("/api/health"), 503, "SERVICE_UNAVAILABLE")

    assert body["error"]["details"]["pipeline"] == "unavailable"
    assert body["error"]["details"]["database"] == "ok"


@pytest.mark.django_db
def test_deep_health_is_200_when_a_job_waits_but_a_worker_is_seen_consuming(
    deep_client, settings, broker_without_heartbeats
):
    from core.watchdog import heartbeat_key

    settings.PIPELINE_MAX_WAIT = 30
    JobFactory(status=JobStatus.PENDING, enqueued_at=timezone.now() - timedelta(seconds=31))
    broker_without_heartbeats.set(heartbeat_key("celery@busy"), "{}", ex=30)

    response = deep_client.get("/api/health")

    assert response.status_code == 200
    assert response.json()["data"]["pipeline"]["consumers"] == ["celery@busy"]


@pytest.mark.django_db
def test_deep_health_is_503_when_a_job_is_stuck_processing_on_a_dead_worker_even_with_consumers(
    deep_client, settings, broker_without_heartbeats
):
    from core.watchdog import heartbeat_key

    # Other workers consume, but this job's worker died mid-run: nothing ends it before the sweeper.
    settings.PIPELINE_MAX_WAIT = 30
    settings.JOB_TIME_LIMIT = 150
    JobFactory(status=JobStatus.PROCESSING, started_at=timezone.now() - timedelta(seconds=150 + 45))
    broker_without_heartbeats.set(heartbeat_key("celery@alive"), "{}", ex=30)

    body = assert_error(deep_client.get("/api/health"), 503, "SERVICE_UNAVAILABLE")

    assert body["error"]["details"]["pipeline"] == "unavailable"


@pytest.mark.django_db
def test_deep_health_reports_a_job_past_its_time_limit_before_it_counts_as_stalled(
    deep_client, settings, broker_without_heartbeats
):
    settings.PIPELINE_MAX_WAIT = 30
    settings.JOB_TIME_LIMIT = 150
    JobFactory(status=JobStatus.PROCESSING, started_at=timezone.now() - timedelta(seconds=150 + 10))
    JobFactory(status=JobStatus.PROCESSING, started_at=timezone.now() - timedelta(seconds=100))

    response = deep_client.get("/api/health")

    assert response.status_code == 200
    assert 9 <= response.json()["data"]["pipeline"]["oldestOverdueProcessingSeconds"] <= 40


@pytest.mark.django_db
def test_deep_health_ignores_provider_jobs_waiting_on_the_provider(deep_client, settings, broker_without_heartbeats):
    settings.PIPELINE_MAX_WAIT = 30
    settings.JOB_TIME_LIMIT = 150
    JobFactory(
        status=JobStatus.PROCESSING,
        provider_prediction_id="pred-1",
        started_at=timezone.now() - timedelta(seconds=600),
    )

    response = deep_client.get("/api/health")

    assert response.status_code == 200
    assert response.json()["data"]["pipeline"]["oldestOverdueProcessingSeconds"] is None
