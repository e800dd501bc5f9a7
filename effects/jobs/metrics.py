"""The job metrics, recorded where a job changes state (see ``core/metrics.py`` for where they live).

Terminal transitions are recorded once their transaction commits, so a rolled-back transition
is never counted; a duplicate delivery changes no row and records nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from core.metrics import JOB_PROCESSING_SECONDS, JOB_QUEUE_WAIT_SECONDS, JOB_RETRIES, JOBS_FINISHED
from effects.models import Job, JobStatus


def _effect_slug(job: Job) -> str:
    return job.effect.slug


def job_claimed_record(*, job: Job) -> None:
    """How long the claimed job waited in its queue since it was due (its first publish or its retry's due time)."""
    due = job.enqueued_at or job.created_at
    if job.started_at and due:
        JOB_QUEUE_WAIT_SECONDS.observe(max((job.started_at - due).total_seconds(), 0.0), queue=job.queue)


def job_finished_record(*, job: Job, status: JobStatus, finished_at: datetime, error_code: str = "") -> None:
    """Count a terminal transition (and a completed job's processing time) once the transaction commits."""
    effect = _effect_slug(job)
    started_at = job.started_at

    def record() -> None:
        JOBS_FINISHED.inc(effect=effect, status=str(status), error_code=str(error_code))
        if status == JobStatus.COMPLETED and started_at is not None:
            JOB_PROCESSING_SECONDS.observe(max((finished_at - started_at).total_seconds(), 0.0), effect=effect)

    transaction.on_commit(record)


def job_retry_record(*, job: Job, error_code: str) -> None:
    """Count an attempt that failed transiently and was scheduled again."""
    JOB_RETRIES.inc(effect=_effect_slug(job), error_code=str(error_code))
