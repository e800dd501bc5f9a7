"""GET /api/health: each dependency checked for real; 503 names what is down, never why."""

import pytest

from tests.support.api import assert_error


@pytest.mark.django_db
def test_health_is_200_when_everything_is_up(anon_client):
    response = anon_client.get("/api/health")

    assert response.status_code == 200
    assert response.json()["data"] == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", "storage": "ok"},
    }


@pytest.mark.django_db(transaction=True)
def test_health_is_503_when_the_database_is_down(anon_client, database_down):
    response = anon_client.get("/api/health")

    body = assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["database"] == "unavailable"
    assert body["error"]["details"]["cache"] == "ok"


@pytest.mark.django_db
def test_health_is_503_when_redis_is_down(anon_client, settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = anon_client.get("/api/health")

    body = assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["cache"] == "unavailable"
    assert body["error"]["details"]["broker"] == "unavailable"
    assert b"127.0.0.1:1" not in response.content


@pytest.mark.django_db
def test_health_is_503_when_storage_is_unwritable(anon_client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "effects.storage.SignedFileSystemStorage", "OPTIONS": {"location": str(blocker)}},
    }

    body = assert_error(anon_client.get("/api/health"), 503, "SERVICE_UNAVAILABLE")

    assert body["error"]["details"]["storage"] == "unavailable"


@pytest.mark.django_db
def test_health_with_the_filesystem_broker_checks_its_folder(anon_client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}

    body = assert_error(anon_client.get("/api/health"), 503, "SERVICE_UNAVAILABLE")

    assert body["error"]["details"]["broker"] == "unavailable"
