"""Jobs whose engine runs at a provider (``RunMode.REMOTE``): the run started once, its status acted on
(found by polling, or nudged by the provider's webhook), and a deleted job's run cancelled.

A file uploaded to the provider for a run (its source, when it cannot go inline or as a URL) is
deleted there once the run ends, whatever the outcome: the provider's own copy of a run's inputs
names them (``RemoteRun.files``), so nothing of ours has to remember them.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.urls import reverse

from core.errors import ApplicationError
from effects.engines import (
    EngineConfigError,
    EngineFailure,
    RemoteEngine,
    RemoteRun,
    RemoteRunTimeout,
    RunMode,
    get_engine,
    parse_model_id,
    remote_run_wait,
)
from effects.ingestion import image_fetch
from effects.jobs.dispatch import remote_cancel_enqueue, remote_files_delete_enqueue
from effects.jobs.files import job_source_load
from effects.jobs.steps import JobOutcome, JobStep
from effects.jobs.transitions import engine_error_code, job_complete, job_mark_failed, job_stage_set
from effects.models import Job, JobErrorCode, JobStage, JobStatus

logger = logging.getLogger(__name__)


def remote_run_cancel(*, model_id: str, run_id: str) -> bool:
    """Stop a provider run nobody waits for any more (its job was deleted); False when the provider refuses.

    A transient provider error is raised (``EngineFailure``, ``transient``) for the caller to retry.
    Cancelling a run that has already ended changes nothing at the provider, so running this again
    is harmless.
    """
    try:
        run = _remote_engine(model_id).cancel(run_id)
    except EngineFailure as exc:
        if exc.transient:
            raise
        logger.warning("the provider run %s (%s) could not be cancelled: %s", run_id, model_id, exc.message)
        return False
    logger.info("the provider run %s (%s) was cancelled", run_id, model_id)
    if run is not None and run.files:
        # Nobody waits for this run: the files it was given go now, even if it is still stopping.
        remote_files_delete_enqueue(model_id=model_id, file_ids=list(run.files))
    return True


def remote_files_delete(*, model_id: str, file_ids: list[str]) -> list[str]:
    """Delete files uploaded to the provider for a run that ended; returns the ids to try again.

    A file the provider no longer has (or refuses to delete) counts as gone; only transient errors
    (network, 5xx, 429) leave an id to retry.
    """
    engine = _remote_engine(model_id)
    remaining = []
    for file_id in file_ids:
        try:
            engine.delete_file(file_id)
        except EngineFailure as exc:
            if exc.transient:
                remaining.append(file_id)
            else:
                logger.info("the provider file %s (%s) was not deleted: %s", file_id, model_id, exc.message)
            continue
        logger.info("the provider file %s (%s) was deleted", file_id, model_id)
    return remaining


def _remote_webhook_url() -> str | None:
    if not settings.REPLICATE_WEBHOOK_SECRET:
        return None
    return settings.SITE_URL + reverse("webhook-replicate")


def _poll_step(job: Job) -> JobStep:
    return JobStep(JobOutcome.WAIT, countdown=settings.REPLICATE_POLL_INTERVAL, queue=job.queue)


def _remote_source_url(*, job: Job, size: int, engine: RemoteEngine) -> str | None:
    """A short-lived signed URL of the stored source, for sources too large to send inline.

    Only object storage (S3/R2) gives a URL the provider can fetch; otherwise None, and the engine
    uploads the bytes through the provider's files API instead.
    """
    if size <= engine.inline_limit() or not job.source:
        return None
    try:
        url = job.source.storage.url(job.source.name, expire=settings.REPLICATE_INPUT_URL_EXPIRY)
    except TypeError:  # a storage without expiring URLs of its own (the local signed storage)
        return None
    return url if url.startswith(("https://", "http://")) else None


def _remote_engine(model_id: str) -> RemoteEngine:
    """The engine of a run already started remotely (an effect whose engine changed since is misconfigured)."""
    engine = get_engine(parse_model_id(model_id).engine)
    if engine.run_mode != RunMode.REMOTE:
        raise EngineConfigError("the effect's engine changed while the job was running remotely")
    return engine


def job_remote_start(*, job: Job, engine: RemoteEngine, model: str, config: dict) -> JobStep:
    """Start the remote run once (its id is saved at once), or resume the one already started."""
    if job.provider_prediction_id:
        run = engine.status(job.provider_prediction_id)
    else:
        source = job_source_load(job=job)
        # A source over the model's input limits goes resized / converted (and then never as the
        # stored file's URL); one within them goes exactly as stored.
        fitted = engine.fit_input(config, image=source.data)
        if fitted is not None:
            image, content_type, image_url = fitted.data, fitted.content_type, None
        else:
            image, content_type = source.data, source.content_type
            image_url = _remote_source_url(job=job, size=len(source.data), engine=engine)
        run = engine.start(
            model,
            config,
            image=image,
            content_type=content_type,
            webhook_url=_remote_webhook_url(),
            image_url=image_url,
            # Past our deadline the job fails as TIMEOUT: Replicate stops (and bills) no longer than that.
            cancel_after=_remote_deadline(job) - time.time(),
        )
        if not Job.objects.filter(pk=job.pk).update(provider_prediction_id=run.id):
            # Deleted while the run was being created: nobody will look at this run.
            remote_cancel_enqueue(model_id=job.effect.model_id, run_id=run.id)
            return JobStep(JobOutcome.DONE)
        job.provider_prediction_id = run.id
        job_stage_set(job=job, stage=JobStage.PROCESSING, progress=run.progress)
    return job_remote_update(job=job, run=run)


def job_remote_update(*, job: Job, run: RemoteRun) -> JobStep:
    """Act on a remote run's status: copy a succeeded output into our storage, fail a failed one, else wait.

    A run that ended has the files uploaded for it deleted at the provider (by a worker, retried).
    """
    if run.is_terminal and run.files:
        remote_files_delete_enqueue(model_id=job.effect.model_id, file_ids=list(run.files))
    if run.status == "succeeded":
        if not run.output_url:
            job_mark_failed(job=job, code=JobErrorCode.PROVIDER_FAILED, message="The AI provider returned no image")
            return JobStep(JobOutcome.DONE)
        # The model's declared output may be larger than an upload (an upscale of its largest input).
        limits = _remote_engine(job.effect.model_id).output_limits(job.effect.config)
        try:
            # Provider outputs expire: copy the bytes now, through the same SSRF-safe fetcher.
            output = image_fetch(run.output_url, max_bytes=limits.max_bytes, max_pixels=limits.max_pixels)
        except ApplicationError as exc:
            job_mark_failed(
                job=job,
                code=JobErrorCode.PROVIDER_FAILED,
                message=f"The AI provider's output was unusable: {exc.message}",
            )
            return JobStep(JobOutcome.DONE)
        job_complete(job=job, data=output.data, extension=output.extension)
        return JobStep(JobOutcome.DONE)
    if run.is_terminal:  # failed, canceled or aborted (its deadline passed before it started)
        detail = f": {run.error}" if run.error else ""
        job_mark_failed(
            job=job, code=JobErrorCode.PROVIDER_FAILED, message=f"The AI provider {run.status} the job{detail}"
        )
        return JobStep(JobOutcome.DONE)
    # Keep the last known percentage when this report carries none (logs are not always included).
    job_stage_set(
        job=job, stage=JobStage.PROCESSING, progress=run.progress if run.progress is not None else job.progress
    )
    return _poll_step(job)


def _remote_deadline(job: Job) -> float:
    """When the job's remote run must have ended (a ``time.time()`` value): REPLICATE_DEADLINE after it started."""
    started = job.started_at or job.created_at
    return (started + timedelta(seconds=settings.REPLICATE_DEADLINE)).timestamp()


def job_poll(*, job_id) -> JobStep:
    """Check a PROCESSING remote job (polling fallback, or nudged by the provider's webhook)."""
    job = Job.objects.select_related("effect", "user").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.PROCESSING or not job.provider_prediction_id:
        return JobStep(JobOutcome.SKIPPED)
    deadline = _remote_deadline(job)
    try:
        engine = _remote_engine(job.effect.model_id)
        # One look (wait=0): the next look is a new poll task, so no worker sleeps on a provider.
        run = remote_run_wait(engine, job.provider_prediction_id, deadline=deadline, wait=0)
    except RemoteRunTimeout:
        job_mark_failed(job=job, code=JobErrorCode.TIMEOUT, message="The AI provider took too long")
        # The wait asked once for the cancel; a worker asks again (retried) and deletes the run's files.
        remote_cancel_enqueue(model_id=job.effect.model_id, run_id=job.provider_prediction_id)
        return JobStep(JobOutcome.DONE)
    except EngineFailure as exc:
        job_mark_failed(job=job, code=engine_error_code(exc), message=exc.message)
        return JobStep(JobOutcome.DONE)
    if run is None:
        return _poll_step(job)
    try:
        return job_remote_update(job=job, run=run)
    except (OSError, requests.RequestException):
        return _poll_step(job)
