"""A job's life in the database: create (charge + row), claim, run, complete, fail (+ refund once),
retry, delete, and the process/poll steps the worker tasks call.

How an effect runs is the engine's to declare (``RunMode``): a synchronous engine returns the image
now; a remote engine starts work at a provider that completes later, found by polling (or nudged
by the provider's webhook). Publishing tasks is ``effects.jobs.dispatch``'s job.
"""

from __future__ import annotations

import contextlib
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

import requests
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from billing.models import CreditTransaction
from billing.selectors import credit_refund_for_job
from billing.services import credits_charge, credits_refund
from core.errors import AlreadyRefunded, ApplicationError, ErrorCode, InsufficientCredits
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
    validate_config,
)
from effects.ingestion import ValidatedImage, image_fetch, image_validate_bytes
from effects.jobs.dispatch import (
    DEFAULT_QUEUE,
    job_callback_enqueue,
    job_enqueue,
    job_queue_for,
    remote_cancel_enqueue,
)
from effects.jobs.metrics import job_claimed_record, job_finished_record, job_retry_record
from effects.models import (
    Effect,
    Job,
    JobErrorCode,
    JobStage,
    JobStatus,
    job_result_upload_to,
    job_source_upload_to,
)
from effects.renditions import RENDITION_EXTENSIONS, RENDITION_SIZES, renditions_from_bytes, renditions_make
from effects.selectors.catalog import effect_unavailable_reason

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)

# The extensions an engine's output may have (the fixed result key ends with one of them).
RESULT_EXTENSIONS = ("jpg", "jpeg", "png", "webp")


# --- Create, delete ----------------------------------------------------------------------------


def effect_ensure_runnable(*, effect: Effect) -> None:
    """Refuse (SERVICE_UNAVAILABLE, nothing charged) an effect whose engine, config or model is not usable now."""
    reason = effect_unavailable_reason(effect=effect)
    if reason:
        logger.error("effect %s cannot run: %s", effect.slug, reason)
        raise ApplicationError(
            ErrorCode.SERVICE_UNAVAILABLE, "This effect is temporarily unavailable; you were not charged"
        )
    try:
        validate_config(effect.model_id, effect.config)
    except EngineFailure as exc:
        logger.error("effect %s cannot run: %s", effect.slug, exc.message)
        raise ApplicationError(
            ErrorCode.SERVICE_UNAVAILABLE, "This effect is temporarily unavailable; you were not charged"
        ) from None


def job_affordable_check(*, user, effect: Effect) -> None:
    """Refuse early (InsufficientCredits) when the balance read with the request cannot pay for
    ``effect``, before any image work; ``job_create`` re-checks under the row lock."""
    if user.credits < effect.credits:
        raise InsufficientCredits(needed=effect.credits, available=user.credits)


def job_create(
    *,
    user,
    effect: Effect,
    source: ValidatedImage | None = None,
    image_url: str = "",
    callback_url: str = "",
) -> Job:
    """Charge the effect's credits and create a PENDING job in one transaction; enqueue after commit.

    Exactly one of ``source`` (validated uploaded bytes) or ``image_url`` (already checked by
    the caller, fetched again safely by the worker) must be given.
    """
    if (source is None) == (not image_url):
        raise ValueError("give exactly one of source or image_url")
    effect_ensure_runnable(effect=effect)
    job_id = uuid.uuid4()
    with transaction.atomic():
        job = Job(
            id=job_id,
            user=user,
            effect=effect,
            source_url=image_url,
            callback_url=callback_url,
            credits_charged=effect.credits,
            queue=job_queue_for(user=user),
        )
        if source is not None:
            # The key is fixed per job, so the row can name it before the bytes are written.
            job.source.name = job_source_upload_to(job, f"source.{source.extension}")
        job.save(force_insert=True)
        # The job row was inserted just above: no ledger row can name it yet, and any error
        # raised here rolls this whole transaction back.
        credits_charge(user=user, amount=effect.credits, reference=f"charge:{job_id}", job=job, reference_is_new=True)
        if source is not None:
            # Stored inside the transaction: if the upload fails, no charge survives.
            stored = job.source.storage.save(job.source.name, ContentFile(source.data))
            if stored != job.source.name:
                job.source.name = stored
                Job.objects.filter(pk=job.pk).update(source=stored)
        job_enqueue(job=job)
    return job


def job_delete(*, job: Job) -> None:
    """Delete a job and its stored files (DELETE /api/effects/{id} or /api/jobs/{id}).

    A job that has not finished (PENDING or PROCESSING) is cancelled: its charge is refunded once
    (``refund:<job>``) and a worker cancels its provider run after commit (the request never waits
    on the provider). A worker still running it finds the row gone before it writes, and removes
    whatever it wrote if it lost that race.
    """
    with transaction.atomic():
        # The lock orders this against a worker's terminal transition: either the worker finished
        # first (its result is deleted below) or the row is gone when it tries.
        locked = Job.objects.select_for_update().select_related("user", "effect").filter(pk=job.pk).first()
        if locked is None:
            return
        unfinished = locked.status in (JobStatus.PENDING, JobStatus.PROCESSING)
        if unfinished:
            job_refund(job=locked, note=f"Refund for cancelled job {locked.pk}")
        prediction_id = locked.provider_prediction_id if unfinished else ""
        names = _job_file_names(locked)
        locked.delete()
        storage = _result_storage()
        for name in names:
            transaction.on_commit(lambda n=name: storage.delete(n))
        if prediction_id:
            remote_cancel_enqueue(model_id=locked.effect.model_id, run_id=prediction_id)


def _job_file_names(job: Job) -> set[str]:
    """Every name a job's files may have: the ones on the row and the fixed keys a worker writes."""
    names = {f.name for f in (job.source, job.result) if f}
    names |= {job_result_upload_to(job, f"result.{ext}") for ext in RESULT_EXTENSIONS}
    names.add(job_source_upload_to(job, "source"))
    names |= set(job_rendition_names(job))
    names |= {
        f"jobs/{job.pk}/{kind}-{size}.{ext}"
        for kind in ("result", "source")
        for size in RENDITION_SIZES
        for ext in RENDITION_EXTENSIONS
    }
    return names


def _job_files_delete_if_gone(*, job: Job) -> bool:
    """A worker's clean-up after losing a race with a delete: True (and files removed) if the row is gone."""
    if Job.objects.filter(pk=job.pk).exists():
        return False
    storage = _result_storage()
    for name in _job_file_names(job):
        storage.delete(name)
    logger.info("job %s was deleted while it ran; its files are removed", job.pk)
    return True


def remote_run_cancel(*, model_id: str, run_id: str) -> bool:
    """Stop a provider run nobody waits for any more (its job was deleted); False when the provider refuses.

    A transient provider error is raised (``EngineFailure``, ``transient``) for the caller to retry.
    Cancelling a run that has already ended changes nothing at the provider, so running this again
    is harmless.
    """
    try:
        _remote_engine(model_id).cancel(run_id)
    except EngineFailure as exc:
        if exc.transient:
            raise
        logger.warning("the provider run %s (%s) could not be cancelled: %s", run_id, model_id, exc.message)
        return False
    logger.info("the provider run %s (%s) was cancelled", run_id, model_id)
    return True


# --- Processing --------------------------------------------------------------------------------


class JobOutcome(StrEnum):
    SKIPPED = "skipped"  # not ours to run (duplicate delivery, already terminal, unknown id)
    DONE = "done"  # reached a terminal status
    RETRY = "retry"  # transient failure: run process_job again after ``countdown``
    WAIT = "wait"  # waiting on the provider: poll again after ``countdown``


@dataclass(frozen=True)
class JobStep:
    outcome: JobOutcome
    countdown: float = 0.0
    queue: str = DEFAULT_QUEUE


def _result_storage():
    return Job._meta.get_field("result").storage


def _engine_error_code(exc: EngineFailure) -> JobErrorCode:
    # Engines are pure and name their codes as strings; every code they use is a JobErrorCode.
    try:
        return JobErrorCode(exc.code)
    except ValueError:
        return JobErrorCode.ENGINE_ERROR


def job_source_load(*, job: Job) -> ValidatedImage:
    """The job's source image: the stored upload, or the URL fetched again SSRF-safely (then stored)."""
    if job.source:
        with job.source.open("rb") as handle:
            return image_validate_bytes(handle.read(), decode=False)
    # Checked again here, not only at apply time: DNS may now answer with a private address.
    source = image_fetch(job.source_url)
    job.source.save(f"source.{source.extension}", ContentFile(source.data), save=False)
    Job.objects.filter(pk=job.pk).update(source=job.source.name)
    return source


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


def job_stage_set(*, job: Job, stage: JobStage, progress: int | None = None) -> bool:
    """Record where a running job is (and its percent done, when known); a finished job is left alone.

    False when the job is no longer PROCESSING (deleted, or finished elsewhere).
    """
    if progress is not None:
        progress = max(0, min(100, int(progress)))
    running = Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING).update(
        stage=stage, progress=progress, updated_at=timezone.now()
    )
    job.stage, job.progress = stage, progress
    return bool(running)


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
            _job_files_delete_if_gone(job=job)


def _job_run(*, job: Job) -> JobStep:
    try:
        ref = parse_model_id(job.effect.model_id)
        config = validate_config(job.effect.model_id, job.effect.config)
        engine = get_engine(ref.engine)
        if engine.run_mode == RunMode.REMOTE:
            return _job_start_remote(job=job, engine=engine, model=ref.model, config=config)
        source = job_source_load(job=job)
        job_stage_set(job=job, stage=JobStage.PROCESSING)
        output = engine.apply(ref.model, config, source.data, max_side=settings.IMAGE_MAX_SIDE)
        job_complete(
            job=job, data=output.data, extension=output.extension, image=output.image, source_image=output.source
        )
        return JobStep(JobOutcome.DONE)
    except ApplicationError as exc:
        # The image itself is unusable (bad bytes, refused URL): permanent.
        job_mark_failed(job=job, code=JobErrorCode.INVALID_INPUT, message=exc.message)
    except EngineFailure as exc:
        if exc.transient:
            return _job_retry_later(job=job, code=_engine_error_code(exc), message=exc.message)
        job_mark_failed(job=job, code=_engine_error_code(exc), message=_engine_message(exc, job=job))
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


def retry_countdown(attempt: int) -> float:
    """Exponential backoff with full jitter, bounded by JOB_RETRY_BACKOFF_MAX."""
    ceiling = min(settings.JOB_RETRY_BACKOFF_MAX, settings.JOB_RETRY_BACKOFF_BASE * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)


def _job_retry_later(*, job: Job, code: JobErrorCode, message: str) -> JobStep:
    """Put a PROCESSING job back to PENDING for another attempt, or fail it when attempts are used up."""
    job.refresh_from_db(fields=["attempts", "status"])
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


# --- Terminal transitions ----------------------------------------------------------------------


def job_complete(
    *,
    job: Job,
    data: bytes,
    extension: str,
    image: Image.Image | None = None,
    source_image: Image.Image | None = None,
) -> bool:
    """Store the result at the job's fixed key and mark it COMPLETED (once). False if it was already terminal.

    ``image`` and ``source_image`` are the decoded result and source when the worker has them (a
    local effect): the smaller copies are made from them instead of decoding the files again.
    """
    if not job_stage_set(job=job, stage=JobStage.STORING, progress=job.progress):
        # Deleted (or finished elsewhere) while the effect ran: nothing to write.
        return False
    name = job_result_upload_to(job, f"result.{extension}")
    storage = _result_storage()
    stored = storage.save(name, ContentFile(data))
    renditions = job_renditions_store(job=job, result=data, image=image, source_image=source_image)
    now = timezone.now()
    completed = {
        "status": JobStatus.COMPLETED,
        "progress": 100,
        "result": stored,
        "renditions": renditions,
        "error_code": "",
        "error_message": "",
        "completed_at": now,
        "updated_at": now,
    }
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING).update(**completed)
        if updated:
            job_finished_record(job=job, status=JobStatus.COMPLETED, finished_at=now)
            _job_terminal_hooks(job=job)
    if updated:
        logger.info("job %s completed", job.pk)
        for field, value in completed.items():  # the row as written, without reading it back
            setattr(job, field, value)
        return True
    if _job_files_delete_if_gone(job=job) or stored != name:
        # The job was deleted meanwhile, or storage kept an extra copy beside the fixed key.
        storage.delete(stored)
    _refresh_if_exists(job)
    return False


def job_renditions_store(
    *,
    job: Job,
    result: bytes,
    image: Image.Image | None = None,
    source_image: Image.Image | None = None,
) -> dict:
    """Store thumbnail and display copies of the result and the source beside them; their names and sizes.

    Made from the decoded images when given, else from the stored bytes. A copy that cannot be made
    is left out (pages then fall back to the full image), never failing the job.
    """
    storage = _result_storage()
    renditions: dict = {}
    for kind, decoded in (("result", image), ("source", source_image)):
        try:
            if decoded is not None:
                made = renditions_make(decoded)
            elif kind == "result":
                made = renditions_from_bytes(result)
            elif job.source:
                with job.source.open("rb") as handle:
                    made = renditions_from_bytes(handle.read())
            else:
                continue
        except (OSError, ValueError):  # an image Pillow cannot re-read still completes the job
            logger.warning("job %s: no renditions of the %s", job.pk, kind, exc_info=True)
            continue
        renditions[kind] = {
            rendition.name: {
                "name": storage.save(
                    f"jobs/{job.pk}/{kind}-{rendition.name}.{rendition.extension}", ContentFile(rendition.data)
                ),
                "width": rendition.width,
                "height": rendition.height,
            }
            for rendition in made
        }
    return renditions


def job_rendition_names(job: Job) -> list[str]:
    """The stored names of the job's renditions (to delete with it)."""
    return [rendition["name"] for kind in (job.renditions or {}).values() for rendition in kind.values()]


def _refresh_if_exists(job: Job) -> None:
    # A job deleted meanwhile keeps its in-memory values.
    with contextlib.suppress(Job.DoesNotExist):
        job.refresh_from_db()


def job_mark_failed(
    *,
    job: Job,
    code: JobErrorCode | str,
    message: str,
    from_statuses=(JobStatus.PENDING, JobStatus.PROCESSING),
) -> bool:
    """FAILED with an error, and the charge refunded exactly once (``refund:<job>``). False if no transition."""
    with transaction.atomic():
        now = timezone.now()
        updated = Job.objects.filter(pk=job.pk, status__in=from_statuses).update(
            status=JobStatus.FAILED,
            error_code=str(code)[:40],
            error_message=message[:500],
            completed_at=now,
            updated_at=now,
        )
        if updated:
            job_refund(job=job)
            job_finished_record(job=job, status=JobStatus.FAILED, finished_at=now, error_code=str(code)[:40])
            _job_terminal_hooks(job=job)
    _refresh_if_exists(job)
    return bool(updated)


def job_refund(*, job: Job, note: str = "") -> None:
    """Give the job's credits back through the ledger; the reference makes it happen at most once.

    A job staff already refunded as goodwill (then failed or cancelled) gets nothing more.
    """
    if job.credits_charged:
        try:
            credits_refund(
                user=job.user,
                amount=job.credits_charged,
                reference=f"refund:{job.pk}",
                job=job,
                note=note or f"Refund for failed job {job.pk}",
            )
        except AlreadyRefunded as exc:
            logger.info("job %s was already refunded (%s); not refunded again", job.pk, exc.reference)


def job_goodwill_refund(*, job: Job, actor, note: str, ip: str | None = None) -> CreditTransaction:
    """Refund a COMPLETED job's charge as a goodwill gesture (``goodwill:<job>``); the result stays.

    Once per job in total: a replay returns the first row, a job refunded for a failure (or with
    nothing charged) and a job that is not COMPLETED are refused. The actor is on the ledger row
    and in the audit log.
    """
    from accounts.audit import audit_record
    from accounts.models import AuditEvent

    reference = f"goodwill:{job.pk}"
    with transaction.atomic():
        # The job lock orders this against a concurrent fail or delete of the same job.
        locked = Job.objects.select_for_update().select_related("user").filter(pk=job.pk).first()
        if locked is None:
            raise ApplicationError(ErrorCode.NOT_FOUND, "This job no longer exists")
        earlier = credit_refund_for_job(job=locked)
        if earlier is not None and earlier.kind == CreditTransaction.Kind.GOODWILL_REFUND:
            return earlier
        if locked.status != JobStatus.COMPLETED:
            raise ApplicationError(
                ErrorCode.VALIDATION_ERROR,
                f"Only completed jobs get a goodwill refund (this one is {locked.get_status_display().lower()})",
            )
        if not locked.credits_charged:
            raise ApplicationError(ErrorCode.VALIDATION_ERROR, "Nothing was charged for this job")
        row = credits_refund(
            user=locked.user,
            amount=locked.credits_charged,
            reference=reference,
            job=locked,
            kind=CreditTransaction.Kind.GOODWILL_REFUND,
            note=note,
            created_by=actor,
        )
        audit_record(
            event=AuditEvent.Event.JOB_GOODWILL_REFUND,
            user=locked.user,
            actor=actor,
            ip=ip,
            job=str(locked.pk),
            amount=row.amount,
            balance_after=row.balance_after,
            reference=row.reference,
            note=row.note,
        )
    return row


def job_fail(*, job: Job, code: JobErrorCode | str = JobErrorCode.ADMIN_FAILED, message: str) -> Job:
    """Fail a job (admin action) and refund it once; a COMPLETED job can be failed too."""
    job_mark_failed(
        job=job,
        code=code,
        message=message,
        from_statuses=(JobStatus.PENDING, JobStatus.PROCESSING, JobStatus.COMPLETED),
    )
    return job


def job_retry(*, job: Job) -> Job:
    """Run a FAILED or stuck job again (admin action). A refunded job is re-run free of charge."""
    with transaction.atomic():
        updated = Job.objects.filter(
            pk=job.pk, status__in=(JobStatus.FAILED, JobStatus.PENDING, JobStatus.PROCESSING)
        ).update(
            status=JobStatus.PENDING,
            stage=JobStage.QUEUED,
            progress=None,
            error_code="",
            error_message="",
            attempts=0,
            provider_prediction_id="",
            completed_at=None,
            updated_at=timezone.now(),
        )
        if updated:
            job.refresh_from_db()
            job_enqueue(job=job)
    job.refresh_from_db()
    return job


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


def _job_terminal_hooks(*, job: Job) -> None:
    """After a terminal transition commits: the client callback, if the job asked for one."""
    if job.callback_url:
        job_callback_enqueue(job=job)


# --- Remote engines (work that completes later) -------------------------------------------------


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


def _job_start_remote(*, job: Job, engine: RemoteEngine, model: str, config: dict) -> JobStep:
    """Start the remote run once (its id is saved at once), or resume the one already started."""
    if job.provider_prediction_id:
        run = engine.status(job.provider_prediction_id)
    else:
        source = job_source_load(job=job)
        run = engine.start(
            model,
            config,
            image=source.data,
            content_type=source.content_type,
            webhook_url=_remote_webhook_url(),
            image_url=_remote_source_url(job=job, size=len(source.data), engine=engine),
        )
        Job.objects.filter(pk=job.pk).update(provider_prediction_id=run.id)
        job.provider_prediction_id = run.id
        job_stage_set(job=job, stage=JobStage.PROCESSING, progress=run.progress)
    return job_remote_update(job=job, run=run)


def job_remote_update(*, job: Job, run: RemoteRun) -> JobStep:
    """Act on a remote run's status: copy a succeeded output into our storage, fail a failed one, else wait."""
    if run.status == "succeeded":
        if not run.output_url:
            job_mark_failed(job=job, code=JobErrorCode.PROVIDER_FAILED, message="The AI provider returned no image")
            return JobStep(JobOutcome.DONE)
        try:
            # Provider outputs expire: copy the bytes now, through the same SSRF-safe fetcher.
            output = image_fetch(run.output_url)
        except ApplicationError as exc:
            job_mark_failed(
                job=job,
                code=JobErrorCode.PROVIDER_FAILED,
                message=f"The AI provider's output was unusable: {exc.message}",
            )
            return JobStep(JobOutcome.DONE)
        job_complete(job=job, data=output.data, extension=output.extension)
        return JobStep(JobOutcome.DONE)
    if run.status in ("failed", "canceled"):
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


def job_poll(*, job_id) -> JobStep:
    """Check a PROCESSING remote job (polling fallback, or nudged by the provider's webhook)."""
    job = Job.objects.select_related("effect", "user").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.PROCESSING or not job.provider_prediction_id:
        return JobStep(JobOutcome.SKIPPED)
    started = job.started_at or job.created_at
    deadline = (started + timedelta(seconds=settings.REPLICATE_DEADLINE)).timestamp()
    try:
        engine = _remote_engine(job.effect.model_id)
        # One look (wait=0): the next look is a new poll task, so no worker sleeps on a provider.
        run = remote_run_wait(engine, job.provider_prediction_id, deadline=deadline, wait=0)
    except RemoteRunTimeout:
        job_mark_failed(job=job, code=JobErrorCode.TIMEOUT, message="The AI provider took too long")
        return JobStep(JobOutcome.DONE)
    except EngineFailure as exc:
        job_mark_failed(job=job, code=_engine_error_code(exc), message=exc.message)
        return JobStep(JobOutcome.DONE)
    if run is None:
        return _poll_step(job)
    try:
        return job_remote_update(job=job, run=run)
    except (OSError, requests.RequestException):
        return _poll_step(job)
