"""How long a job's photos are kept: sources SOURCE_RETENTION_DAYS after the job ended, results and
their copies RESULT_RETENTION_DAYS after it completed, the source of a failed or refunded job at once.

The job row stays (history, credits, the dashboard); only the files go. ``jobs_retention_run``
is the periodic pass: bounded batches, resumable because what is left to do is read from the rows
(a file name still on a row past its date) and, for files no row names, from a cursor over the
storage's job folders.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from effects.jobs.files import RESULT_EXTENSIONS, result_storage
from effects.models import Job, JobStatus, job_result_upload_to
from effects.renditions import RENDITION_EXTENSIONS, RENDITION_SIZES

logger = logging.getLogger(__name__)

ORPHAN_CURSOR_KEY = "jobs:retention:orphan-cursor"


def job_result_expires_at(job: Job) -> datetime | None:
    """When a completed job's result is deleted (None for a job that has no result to keep)."""
    if job.status != JobStatus.COMPLETED or job.completed_at is None:
        return None
    return job.completed_at + timedelta(days=settings.RESULT_RETENTION_DAYS)


def job_result_expired(job: Job, *, now: datetime | None = None) -> bool:
    """The result's time is up: it is (or is about to be) deleted, and no link to it is given out."""
    expires_at = job_result_expires_at(job)
    return expires_at is not None and (now or timezone.now()) >= expires_at


def _copies(kind: str, job: Job) -> set[str]:
    named = {copy["name"] for copy in (job.renditions or {}).get(kind, {}).values()}
    fixed = {f"jobs/{job.pk}/{kind}-{size}.{ext}" for size in RENDITION_SIZES for ext in RENDITION_EXTENSIONS}
    return named | fixed


def job_source_discard(*, job: Job) -> None:
    """Delete the job's source photo and its copies from storage; the row forgets their names."""
    storage = result_storage()
    for name in ({job.source.name} if job.source else set()) | _copies("source", job):
        storage.delete(name)
    renditions = {kind: copies for kind, copies in (job.renditions or {}).items() if kind != "source"}
    Job.objects.filter(pk=job.pk).update(source="", renditions=renditions)
    job.source.name, job.renditions = "", renditions


def job_result_discard(*, job: Job) -> None:
    """Delete the job's result and its copies from storage; the row forgets their names."""
    storage = result_storage()
    names = {job_result_upload_to(job, f"result.{ext}") for ext in RESULT_EXTENSIONS} | _copies("result", job)
    for name in ({job.result.name} if job.result else set()) | names:
        storage.delete(name)
    renditions = {kind: copies for kind, copies in (job.renditions or {}).items() if kind != "result"}
    Job.objects.filter(pk=job.pk).update(result="", renditions=renditions)
    job.result.name, job.renditions = "", renditions


def job_source_discard_by_id(job_id) -> None:
    """After a failure or refund commits: the source goes at once (a vanished job needs nothing)."""
    job = Job.objects.filter(pk=job_id).only("id", "source", "renditions").first()
    if job is not None and job.source:
        job_source_discard(job=job)


def jobs_retention_run(*, now: datetime | None = None, batch: int = 200) -> dict[str, int]:
    """One bounded pass: sources and results past their dates, then a slice of files no job names."""
    now = now or timezone.now()
    counts = {"sources": 0, "results": 0, "orphans": 0}
    source_due = now - timedelta(days=settings.SOURCE_RETENTION_DAYS)
    ended_long_ago = Q(status=JobStatus.COMPLETED, completed_at__lt=source_due)
    # Failed jobs lose their source at once; this catches one whose clean-up did not run.
    sources = Job.objects.exclude(source="").filter(ended_long_ago | Q(status=JobStatus.FAILED))
    for job in sources.only("id", "source", "renditions").order_by("completed_at", "pk")[:batch]:
        job_source_discard(job=job)
        counts["sources"] += 1
    result_due = now - timedelta(days=settings.RESULT_RETENTION_DAYS)
    results = Job.objects.exclude(result="").filter(status=JobStatus.COMPLETED, completed_at__lt=result_due)
    for job in results.only("id", "result", "renditions").order_by("completed_at", "pk")[:batch]:
        job_result_discard(job=job)
        counts["results"] += 1
    counts["orphans"] = job_orphans_sweep(now=now, batch=batch)
    if any(counts.values()):
        logger.info("retention: %s", counts)
    return counts


def job_orphans_sweep(*, now: datetime | None = None, batch: int = 200) -> int:
    """Delete files under ``jobs/<id>/`` that no job row names (left by crashes or races).

    Looks at ``batch`` folders per call after a cursor kept in the cache, so a large bucket is
    walked over several runs. A folder younger than a day is left alone: its job may be committing.
    """
    storage = result_storage()
    try:
        folders, _files = storage.listdir("jobs")
    except FileNotFoundError:
        return 0
    cursor = cache.get(ORPHAN_CURSOR_KEY) or ""
    pending = sorted(name for name in folders if name > cursor)[:batch]
    cache.set(ORPHAN_CURSOR_KEY, pending[-1] if len(pending) == batch else "", timeout=None)
    ids = {}
    for name in pending:
        try:
            ids[uuid.UUID(name)] = name
        except ValueError:
            continue
    known = set(Job.objects.filter(pk__in=list(ids)).values_list("pk", flat=True))
    young = (now or timezone.now()) - timedelta(days=1)
    deleted = 0
    for job_id, folder in ids.items():
        if job_id in known:
            continue
        _dirs, files = storage.listdir(f"jobs/{folder}")
        for file_name in files:
            name = f"jobs/{folder}/{file_name}"
            if storage.get_modified_time(name) < young:
                storage.delete(name)
                deleted += 1
    return deleted
