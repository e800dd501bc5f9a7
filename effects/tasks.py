"""Celery tasks for jobs: thin wrappers that load by id, call a service and decide what runs next.

The task names are part of the messages in flight: never rename them.
"""

import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from effects.engines import EngineFailure
from effects.jobs.callbacks import CallbackDeliveryError, job_callback_send
from effects.jobs.dispatch import job_poll_publish, job_retry_publish
from effects.jobs.remote import job_poll, remote_files_delete, remote_run_cancel
from effects.jobs.run import job_process, job_timeout
from effects.jobs.steps import JobOutcome, JobStep, retry_countdown
from effects.jobs.sweep import jobs_sweep


def _follow_up(job_id: str, step: JobStep) -> None:
    if step.outcome == JobOutcome.RETRY:
        job_retry_publish(job_id=job_id, queue=step.queue, countdown=step.countdown)
    elif step.outcome == JobOutcome.WAIT:
        job_poll_publish(job_id=job_id, queue=step.queue, countdown=step.countdown)


@shared_task(name="effects.process_job", acks_late=True, reject_on_worker_lost=True)
def process_job(job_id: str) -> str:
    """Run one job; a transient failure schedules the next attempt (the job is PENDING meanwhile)."""
    try:
        step = job_process(job_id=job_id)
    except SoftTimeLimitExceeded:
        job_timeout(job_id=job_id)
        return "timeout"
    # If this publish is lost, the sweeper re-enqueues the PENDING job once it is overdue.
    _follow_up(job_id, step)
    return str(step.outcome)


@shared_task(name="effects.poll_job", acks_late=True, reject_on_worker_lost=True)
def poll_job(job_id: str) -> str:
    """Check a provider job: the polling fallback, re-scheduled with a countdown (never sleeps)."""
    step = job_poll(job_id=job_id)
    _follow_up(job_id, step)
    return str(step.outcome)


@shared_task(name="effects.cancel_prediction", bind=True, acks_late=True, max_retries=settings.JOB_MAX_RETRIES)
def cancel_prediction(self, model_id: str, run_id: str) -> bool:
    """Cancel a deleted job's provider run; a transient provider error is retried with backoff + jitter."""
    try:
        return remote_run_cancel(model_id=model_id, run_id=run_id)
    except EngineFailure as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries + 1)) from None


@shared_task(name="effects.delete_provider_files", bind=True, acks_late=True, max_retries=settings.JOB_MAX_RETRIES)
def delete_provider_files(self, model_id: str, file_ids: list[str]) -> int:
    """Delete the files uploaded to a provider for a run that ended; the ones that fail are retried
    with backoff + jitter. Returns how many were deleted (or already gone) this time."""
    remaining = remote_files_delete(model_id=model_id, file_ids=file_ids)
    if remaining:
        raise self.retry(args=[model_id, remaining], countdown=retry_countdown(self.request.retries + 1))
    return len(file_ids)


@shared_task(name="effects.sweep_jobs")
def sweep_jobs() -> dict:
    """Periodic (celery beat): recover lost messages and stuck jobs."""
    return jobs_sweep()


@shared_task(
    name="effects.send_job_callback",
    bind=True,
    acks_late=True,
    max_retries=settings.CALLBACK_MAX_RETRIES,
)
def send_job_callback(self, job_id: str) -> bool:
    """POST a finished job to the client's callbackUrl; retried with exponential backoff + jitter."""
    try:
        return job_callback_send(job_id=job_id)
    except CallbackDeliveryError as exc:
        countdown = min(settings.CALLBACK_RETRY_BACKOFF * 2**self.request.retries, 3600)
        raise self.retry(exc=exc, countdown=random.uniform(countdown / 2, countdown)) from None


@shared_task(name="effects.jobs_retention")
def jobs_retention() -> dict:
    """Periodic (celery beat): delete job photos past their retention and files no job names."""
    from effects.jobs.retention import jobs_retention_run

    return jobs_retention_run()


@shared_task(name="effects.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Periodic (celery beat): forget Idempotency-Keys older than IDEMPOTENCY_KEY_TTL."""
    from effects.idempotency import idempotency_keys_purge

    return idempotency_keys_purge()
