"""Running a job in the worker: claim it (PENDING -> PROCESSING once), apply its effect, then finish it,
hand it to its provider, or put it back for another attempt.

How an effect runs is the engine's to declare (``RunMode``): a synchronous engine returns the image
now; a remote engine starts work at a provider that completes later (``effects.jobs.remote``).
Publishing tasks is ``effects.jobs.dispatch``'s job.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import requests
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from core.errors import ApplicationError
from effects.engines import EngineFailure, RunMode, get_engine, parse_model_id, validate_config
from effects.jobs.files import job_files_delete_if_gone, job_source_load
from effects.jobs.metrics import job_claimed_record, job_retry_record
from effects.jobs.remote import job_remote_start
from effects.jobs.steps import JobOutcome, JobStep, retry_countdown
from effects.jobs.transitions import engine_error_code, job_complete, job_mark_failed, job_stage_set
from effects.models import Job, JobErrorCode, JobStage, JobStatus

logger = logging.getLogger(__name__)


def job_claim(*, job_id) -> Job | None:
    """PENDING → PROCESSING (stage: fetching) for exactly one caller; None when the job is not PENDING."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.PROCESSING,
        stage=JobStage.FETCHING,
        progress=None,
        started_at=now,
        updated_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    job = Job.objects.select_related("effect", "user").get(pk=job_id)
    job_claimed_record(job=job)
    return job


def job_process(*, job_id) -> JobStep:
    """Run a PENDING job once: claim it (PENDING→PROCESSING), apply its effect, finish or reschedule.

    A duplicate delivery finds the job already claimed and does nothing. A job deleted while it
    ran leaves no file behind.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return JobStep(JobOutcome.SKIPPED)
    try:
        return _job_run(job=job)
    finally:
        # A completed job's row named its files when it committed, so a later delete removes them.
        if job.status != JobStatus.COMPLETED:
            job_files_delete_if_gone(job=job)


def _job_run(*, job: Job) -> JobStep:
    try:
        ref = parse_model_id(job.effect.model_id)
        config = validate_config(job.effect.model_id, job.effect.config)
        engine = get_engine(ref.engine)
        if engine.run_mode == RunMode.REMOTE:
            return job_remote_start(job=job, engine=engine, model=ref.model, config=config)
        source = job_source_load(job=job)
        job_stage_set(job=job, stage=JobStage.PROCESSING)
        if job.output_format and "format" in config:
            # The engine encodes in the asked format itself (once), rather than being converted after.
            config = {**config, "format": job.output_format}
        # A smaller asked side is applied to the source: the effect runs on fewer pixels.
        max_side = min(settings.IMAGE_MAX_SIDE, job.output_max_side or settings.IMAGE_MAX_SIDE)
        output = engine.apply(ref.model, config, source.data, max_side=max_side)
        job_complete(
            job=job, data=output.data, extension=output.extension, image=output.image, source_image=output.source
        )
        return JobStep(JobOutcome.DONE)
    except ApplicationError as exc:
        # The image itself is unusable (bad bytes, refused URL): permanent.
        job_mark_failed(job=job, code=JobErrorCode.INVALID_INPUT, message=exc.message)
    except EngineFailure as exc:
        if exc.transient:
            return _job_retry_later(job=job, code=engine_error_code(exc), message=exc.message)
        job_mark_failed(job=job, code=engine_error_code(exc), message=_engine_message(exc, job=job))
    except (OSError, requests.RequestException) as exc:
        # Storage or network hiccups: try again later.
        logger.warning("job %s: transient error %r", job.pk, exc)
        return _job_retry_later(job=job, code=JobErrorCode.TRANSIENT_ERROR, message="A temporary error occurred")
    except SoftTimeLimitExceeded:
        job_mark_failed(job=job, code=JobErrorCode.TIMEOUT, message="The effect took too long to run")
    except Exception:
        logger.exception("job %s: unexpected error", job.pk)
        return _job_retry_later(job=job, code=JobErrorCode.INTERNAL_ERROR, message="An internal error occurred")
    return JobStep(JobOutcome.DONE)


def _engine_message(exc: EngineFailure, *, job: Job) -> str:
    if exc.code == JobErrorCode.NO_SUBJECT:
        return no_subject_message(credits=job.credits_charged)
    if exc.code == JobErrorCode.INVALID_IMAGE:
        return f"The image could not be processed: {exc.message}"
    if exc.code == JobErrorCode.EFFECT_MISCONFIGURED:
        return "This effect is misconfigured; our team has been notified"
    return exc.message[:500]


def no_subject_message(*, credits: int) -> str:
    """What the job page and the API say when the photo has no person (the charge is refunded with it)."""
    if not credits:
        return "We couldn't find a person in this photo"
    noun, verb = ("credit", "was") if credits == 1 else ("credits", "were")
    return f"We couldn't find a person in this photo — your {credits} {noun} {verb} refunded"


def _job_retry_later(*, job: Job, code: JobErrorCode, message: str) -> JobStep:
    """Put a PROCESSING job back to PENDING for another attempt, or fail it when attempts are used up.

    A job deleted meanwhile (its owner cancelled it; the delete refunded it) is done: nothing to retry.
    """
    try:
        job.refresh_from_db(fields=["attempts", "status"])
    except Job.DoesNotExist:
        logger.info("job %s was deleted while it ran; not retried", job.pk)
        return JobStep(JobOutcome.DONE)
    if job.attempts > settings.JOB_MAX_RETRIES:
        job_mark_failed(job=job, code=code, message=f"{message} (gave up after {job.attempts} attempts)")
        return JobStep(JobOutcome.DONE)
    countdown = retry_countdown(job.attempts)
    retried = Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING).update(
        status=JobStatus.PENDING,
        stage=JobStage.QUEUED,
        progress=None,
        error_code=code,
        error_message=message[:500],
        # When the retry is due: the sweeper treats the job as lost only well after this.
        enqueued_at=timezone.now() + timedelta(seconds=countdown),
        updated_at=timezone.now(),
    )
    if retried:
        job_retry_record(job=job, error_code=code)
    return JobStep(JobOutcome.RETRY, countdown=countdown, queue=job.queue)


def job_timeout(*, job_id) -> None:
    """The worker's soft time limit hit mid-job: fail it (and refund) rather than leave it PROCESSING."""
    job = Job.objects.select_related("user", "effect").filter(pk=job_id).first()
    if job is not None:
        job_mark_failed(
            job=job,
            code=JobErrorCode.TIMEOUT,
            message="The effect took too long to run",
            from_statuses=(JobStatus.PROCESSING,),
        )
