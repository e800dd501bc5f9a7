"""Celery tasks for jobs: thin wrappers that load by id, call a service and decide what runs next."""

import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings


def _follow_up(job_id: str, step) -> None:
    from effects.services import JobOutcome

    if step.outcome == JobOutcome.RETRY:
        process_job.apply_async(args=[job_id], queue=step.queue, countdown=step.countdown)
    elif step.outcome == JobOutcome.WAIT:
        poll_job.apply_async(args=[job_id], queue=step.queue, countdown=step.countdown)


@shared_task(name="effects.process_job", acks_late=True, reject_on_worker_lost=True)
def process_job(job_id: str) -> str:
    """Run one job; a transient failure schedules the next attempt (the job is PENDING meanwhile)."""
    from effects.services import job_process, job_timeout

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
    from effects.services import job_poll

    step = job_poll(job_id=job_id)
    _follow_up(job_id, step)
    return str(step.outcome)


@shared_task(name="effects.sweep_jobs")
def sweep_jobs() -> dict:
    """Periodic (celery beat): recover lost messages and stuck jobs."""
    from effects.services import jobs_sweep

    return jobs_sweep()


@shared_task(
    name="effects.send_job_callback",
    bind=True,
    acks_late=True,
    max_retries=settings.CALLBACK_MAX_RETRIES,
)
def send_job_callback(self, job_id: str) -> bool:
    """POST a finished job to the client's callbackUrl; retried with exponential backoff + jitter."""
    from effects.services import CallbackDeliveryError, job_callback_send

    try:
        return job_callback_send(job_id=job_id)
    except CallbackDeliveryError as exc:
        countdown = min(settings.CALLBACK_RETRY_BACKOFF * 2**self.request.retries, 3600)
        raise self.retry(exc=exc, countdown=random.uniform(countdown / 2, countdown)) from None


@shared_task(name="effects.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Periodic (celery beat): forget Idempotency-Keys older than IDEMPOTENCY_KEY_TTL."""
    from effects.idempotency import idempotency_keys_purge

    return idempotency_keys_purge()
