"""Retention: sources go SOURCE_RETENTION_DAYS after a job ends (at once when it failed or was
refunded), results and their copies RESULT_RETENTION_DAYS after; files no job names are swept."""

import os
import time
import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from core.errors import ApplicationError
from effects.jobs.refunds import job_goodwill_refund
from effects.jobs.retention import (
    ORPHAN_CURSOR_KEY,
    job_orphans_sweep,
    job_result_expired,
    job_result_expires_at,
    jobs_retention_run,
)
from effects.jobs.run import job_process
from effects.jobs.transitions import job_mark_failed, job_retry
from effects.models import Job, JobErrorCode, JobStatus
from tests.effects.jobs.support import pending_job
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def stored_keys(storage, prefix: str = "jobs") -> set[str]:
    """Every object under ``prefix`` in the storage in use, listed through the storage API."""
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return set()
    keys = {f"{prefix}/{name}" for name in files}
    for folder in folders:
        keys |= stored_keys(storage, f"{prefix}/{folder}")
    return keys


def completed_job() -> Job:
    job = pending_job(model_id="local:grayscale")
    job_process(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED and set(job.renditions) == {"result", "source"}
    return job


def test_a_completed_job_loses_its_source_after_7_days_and_its_result_after_30(settings):
    settings.SOURCE_RETENTION_DAYS, settings.RESULT_RETENTION_DAYS = 7, 30
    job = completed_job()
    storage = job.result.storage
    before = stored_keys(storage, f"jobs/{job.pk}")
    assert len(before) == 6  # source, result and two copies of each

    jobs_retention_run(now=job.completed_at + timedelta(days=6))
    assert stored_keys(storage, f"jobs/{job.pk}") == before

    week = jobs_retention_run(now=job.completed_at + timedelta(days=7, minutes=1))
    after_week = stored_keys(storage, f"jobs/{job.pk}")
    assert week["sources"] == 1
    assert after_week == {name for name in before if "/source" not in name}

    month = jobs_retention_run(now=job.completed_at + timedelta(days=30, minutes=1))
    job.refresh_from_db()
    assert month["results"] == 1
    assert stored_keys(storage, f"jobs/{job.pk}") == set()
    assert (job.source.name, job.result.name, job.renditions) == ("", "", {})
    assert job.status == JobStatus.COMPLETED  # the row and its history stay


def test_retention_works_through_s3_too(s3_storage, settings):
    settings.SOURCE_RETENTION_DAYS, settings.RESULT_RETENTION_DAYS = 7, 30
    job = completed_job()
    storage = job.result.storage
    assert len(stored_keys(storage, f"jobs/{job.pk}")) == 6

    jobs_retention_run(now=job.completed_at + timedelta(days=31))

    assert stored_keys(storage, f"jobs/{job.pk}") == set()


def test_a_result_expires_30_days_after_the_job_completed(settings):
    settings.RESULT_RETENTION_DAYS = 30
    job = completed_job()

    assert job_result_expires_at(job) == job.completed_at + timedelta(days=30)
    assert not job_result_expired(job, now=job.completed_at + timedelta(days=29))
    assert job_result_expired(job, now=job.completed_at + timedelta(days=30))


def test_a_failed_job_loses_its_source_as_soon_as_the_failure_commits(django_capture_on_commit_callbacks):
    job = pending_job(model_id="local:grayscale")
    name = job.source.name

    with django_capture_on_commit_callbacks(execute=True):
        job_mark_failed(job=job, code=JobErrorCode.ENGINE_ERROR, message="boom")

    job.refresh_from_db()
    assert job.source.name == "" and not job.source.storage.exists(name)


def test_a_goodwill_refunded_job_keeps_its_result_and_loses_its_source(staff_user, django_capture_on_commit_callbacks):
    job = completed_job()
    job.credits_charged = 2
    job.save(update_fields=["credits_charged"])
    source, result = job.source.name, job.result.name

    with django_capture_on_commit_callbacks(execute=True):
        job_goodwill_refund(job=job, actor=staff_user, note="rough edges")

    storage = job.result.storage
    assert not storage.exists(source) and storage.exists(result)


def test_a_failed_upload_whose_photo_is_gone_cannot_be_retried(django_capture_on_commit_callbacks):
    job = pending_job(model_id="local:grayscale")
    with django_capture_on_commit_callbacks(execute=True):
        job_mark_failed(job=job, code=JobErrorCode.ENGINE_ERROR, message="boom")

    with pytest.raises(ApplicationError, match="no longer stored"):
        job_retry(job=job)


def test_retention_goes_in_bounded_batches_and_resumes(settings):
    settings.SOURCE_RETENTION_DAYS = 7
    jobs = [completed_job() for _ in range(3)]
    later = max(job.completed_at for job in jobs) + timedelta(days=8)

    counts = [jobs_retention_run(now=later, batch=2)["sources"] for _ in range(3)]

    assert counts == [2, 1, 0]
    assert not Job.objects.exclude(source="").exists()


def _orphan(storage, folder: str, age: timedelta) -> str:
    name = storage.save(f"jobs/{folder}/result.png", ContentFile(image_bytes("PNG")))
    stamp = time.time() - age.total_seconds()
    os.utime(storage.path(name), (stamp, stamp))
    return name


def test_files_no_job_names_are_swept_once_they_are_a_day_old(media_storage):
    from django.core.files.storage import default_storage

    job = completed_job()
    old_orphan = _orphan(default_storage, str(uuid.uuid4()), timedelta(days=2))
    young_orphan = _orphan(default_storage, str(uuid.uuid4()), timedelta(hours=1))
    not_a_job = _orphan(default_storage, "not-a-job-id", timedelta(days=2))

    deleted = job_orphans_sweep(now=timezone.now())

    assert deleted == 1
    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(young_orphan) and default_storage.exists(not_a_job)
    assert default_storage.exists(job.result.name) and default_storage.exists(job.source.name)


def test_the_orphan_sweep_walks_a_large_bucket_over_several_runs(media_storage):
    from django.core.cache import cache
    from django.core.files.storage import default_storage

    folders = sorted(str(uuid.uuid4()) for _ in range(5))
    for folder in folders:
        _orphan(default_storage, folder, timedelta(days=2))

    first = job_orphans_sweep(batch=2)
    assert cache.get(ORPHAN_CURSOR_KEY) == folders[1]
    rest = job_orphans_sweep(batch=2) + job_orphans_sweep(batch=2)

    assert (first, rest) == (2, 3)
    assert stored_keys(default_storage) == set()
    assert cache.get(ORPHAN_CURSOR_KEY) == ""


def test_retention_runs_on_a_schedule(settings):
    from effects.tasks import jobs_retention

    assert settings.CELERY_BEAT_SCHEDULE["effects-retention"]["task"] == jobs_retention.name


def test_the_job_json_says_when_the_result_expires_and_then_gives_no_link(user_client, user, settings):
    settings.RESULT_RETENTION_DAYS = 30
    job = completed_job()
    Job.objects.filter(pk=job.pk).update(user=user)

    fresh = user_client.get(f"/api/jobs/{job.pk}").json()["data"]
    Job.objects.filter(pk=job.pk).update(completed_at=timezone.now() - timedelta(days=31))
    old = user_client.get(f"/api/jobs/{job.pk}").json()["data"]

    assert fresh["expired"] is False and fresh["resultUrl"] and fresh["expiresAt"]
    assert old["expired"] is True and old["resultUrl"] is None
    assert "result" not in (old["renditions"] or {})
    assert old["expiresAt"] < timezone.now().isoformat()


def test_the_job_and_history_pages_say_when_a_result_expired(client, user, settings):
    settings.RESULT_RETENTION_DAYS = 30
    job = completed_job()
    completed = timezone.now() - timedelta(days=40)
    Job.objects.filter(pk=job.pk).update(user=user, completed_at=completed)
    client.force_login(user)
    expired_on = f"Expired on {(completed + timedelta(days=30)):%b}"

    page = client.get(f"/jobs/{job.pk}/").content.decode()
    history = client.get("/jobs/").content.decode()

    assert "data-job-expired" in page and expired_on in page
    assert "Download result" not in page
    assert "data-job-expired" in history
