"""Export my data: the archive's contents, the once-a-day limit, expiry and the API around it."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from accounts.export import EXPORT_INTERVAL, data_export_build, data_export_request, data_exports_purge_expired
from accounts.models import DataExport
from accounts.tasks import purge_data_exports
from billing.models import CreditTransaction
from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.jobs.run import job_process
from tests.support.api import assert_error
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes


def finished_job(user):
    job = job_create(user=user, effect=EffectFactory(), source=image_validate_bytes(image_bytes("PNG")))
    job_process(job_id=job.pk)
    job.refresh_from_db()
    return job


def archive_of(export: DataExport) -> zipfile.ZipFile:
    with export.archive.open("rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def built(user) -> DataExport:
    export = data_export_request(user=user)
    return data_export_build(export_id=export.pk)


def test_the_archive_holds_the_account_the_credit_history_the_jobs_and_every_image(user):
    job = finished_job(user)

    export = built(user)

    assert export.status == DataExport.Status.READY
    archive = archive_of(export)
    account = json.loads(archive.read("account.json"))
    assert account["email"] == user.email and account["name"] == user.name
    rows = list(csv.DictReader(io.StringIO(archive.read("credits.csv").decode())))
    assert [int(r["amount"]) for r in rows] == list(
        CreditTransaction.objects.filter(user=user).order_by("created_at", "id").values_list("amount", flat=True)
    )
    (entry,) = json.loads(archive.read("jobs.json"))
    assert entry["id"] == str(job.pk) and entry["status"] == "COMPLETED"
    with job.source.open("rb") as source:
        assert archive.read(entry["files"]["source"]) == source.read()
    with job.result.open("rb") as result:
        assert archive.read(entry["files"]["result"]) == result.read()
    assert entry["files"]["source"].endswith(".png")


def test_the_archive_holds_nothing_of_another_user(user, other_user):
    finished_job(other_user)

    archive = archive_of(built(user))

    assert json.loads(archive.read("jobs.json")) == []
    assert other_user.email not in archive.read("account.json").decode()
    assert not [name for name in archive.namelist() if name.startswith("images/")]


def test_the_archive_is_stored_under_exports_with_an_unguessable_name_and_expires_in_a_day(user):
    export = built(user)

    # Nothing in the name but a random token: no user id, no email.
    assert export.archive.name == f"exports/{export.token}/photomania-export.zip"
    assert len(export.token) == 32
    assert timedelta(hours=23, minutes=59) < export.expires_at - export.completed_at <= timedelta(hours=24)


def test_post_starts_an_export_and_get_reports_it_ready_with_a_signed_link(user, user_client):
    started = user_client.post("/api/user/export")

    assert started.status_code == 202
    assert started.json()["data"]["status"] == "PENDING"
    data_export_build(export_id=DataExport.objects.get(user=user).pk)
    body = user_client.get("/api/user/export").json()["data"]
    assert body["status"] == "READY" and body["expiresAt"]
    download = Client().get(body["url"].replace("http://testserver", ""))
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).read("account.json")


def test_the_link_is_a_presigned_url_on_object_storage(user, user_client, s3_storage):
    finished_job(user)
    built(user)

    url = user_client.get("/api/user/export").json()["data"]["url"]

    assert "X-Amz-Signature=" in url
    response = requests.get(url, timeout=5)
    assert response.status_code == 200
    assert "jobs.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_get_without_an_export_is_404(user_client):
    assert_error(user_client.get("/api/user/export"), 404, "NOT_FOUND")


def test_a_second_export_within_a_day_is_rate_limited(user, user_client):
    assert user_client.post("/api/user/export").status_code == 202

    response = user_client.post("/api/user/export")

    body = assert_error(response, 429, "RATE_LIMITED")
    assert int(body["error"]["details"]["retryAfter"][0]) > 0
    assert DataExport.objects.filter(user=user).count() == 1


def test_a_failed_export_can_be_asked_again_at_once(user, user_client):
    user_client.post("/api/user/export")
    DataExport.objects.filter(user=user).update(status=DataExport.Status.FAILED)

    assert user_client.post("/api/user/export").status_code == 202


def test_a_day_later_a_new_export_can_be_asked(user, user_client):
    user_client.post("/api/user/export")
    DataExport.objects.filter(user=user).update(created_at=timezone.now() - EXPORT_INTERVAL - timedelta(seconds=1))

    assert user_client.post("/api/user/export").status_code == 202


def test_expired_archives_are_deleted_from_storage_and_no_longer_reported(user, user_client, media_storage):
    export = built(user)
    stored = media_storage / export.archive.name
    assert stored.exists()
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_error(user_client.get("/api/user/export"), 404, "NOT_FOUND")
    assert data_exports_purge_expired() == 1

    assert not stored.exists()
    assert not DataExport.objects.filter(pk=export.pk).exists()


def test_a_fresh_archive_survives_the_purge(user):
    export = built(user)

    assert data_exports_purge_expired() == 0

    assert DataExport.objects.filter(pk=export.pk, status=DataExport.Status.READY).exists()


def test_an_export_whose_task_was_lost_is_marked_failed_by_the_purge_so_it_can_be_asked_again(user, user_client):
    user_client.post("/api/user/export")
    DataExport.objects.filter(user=user).update(created_at=timezone.now() - timedelta(hours=7))

    data_exports_purge_expired()

    assert user_client.get("/api/user/export").json()["data"]["status"] == "FAILED"
    assert user_client.post("/api/user/export").status_code == 202


def test_expired_archives_are_purged_hourly_on_the_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-purge-data-exports"]

    assert entry["task"] == purge_data_exports.name
    assert entry["schedule"] == timedelta(hours=1)


def test_exports_need_a_signed_in_user(anon_client):
    assert_error(anon_client.post("/api/user/export"), 401, "UNAUTHORIZED")
    assert_error(anon_client.get("/api/user/export"), 401, "UNAUTHORIZED")


def test_account_deletion_deletes_the_exports_and_their_archives(user, media_storage):
    from accounts.deletion import account_deletion_request, account_erase

    export = built(user)
    stored = media_storage / export.archive.name
    account_deletion_request(user=user)

    account_erase(user_id=user.pk)

    assert not stored.exists()
    assert not DataExport.objects.filter(user=user).exists()


@pytest.mark.django_db(transaction=True)
def test_an_export_asked_through_the_api_is_built_by_a_real_worker(celery_worker_pipeline):
    from tests.support.api import token_client

    user = UserFactory()
    finished_job(user)

    token_client(user).post("/api/user/export")
    wait_for(
        lambda: DataExport.objects.filter(user=user, status=DataExport.Status.READY).exists(),
        timeout=60,
        message="the worker to build the export",
    )
    connections.close_all()

    assert "jobs.json" in archive_of(DataExport.objects.get(user=user)).namelist()
