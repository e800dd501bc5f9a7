"""A claimed job's status changes: its stage, COMPLETED (result stored) or FAILED (charge refunded once),
and the admin's fail and retry. Each transition happens once, however often it is asked for."""

from __future__ import annotations

import contextlib
import logging
from functools import partial
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from billing.models import CreditTransaction
from core.errors import ApplicationError, ErrorCode
from effects.engines import EngineFailure
from effects.engines.output import OutputOptions, output_conform
from effects.jobs.dispatch import job_callback_enqueue, job_enqueue
from effects.jobs.files import job_files_delete_if_gone, job_renditions_store, result_storage
from effects.jobs.metrics import job_finished_record
from effects.jobs.refunds import job_refund
from effects.jobs.retention import job_source_discard_by_id
from effects.jobs.waiters import job_finished_publish
from effects.models import Job, JobErrorCode, JobStage, JobStatus, job_result_upload_to

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)


def engine_error_code(exc: EngineFailure) -> JobErrorCode:
    """The job error code an engine's failure names (ENGINE_ERROR for one it does not)."""
    # Engines are pure and name their codes as strings; every code they use is a JobErrorCode.
    try:
        return JobErrorCode(exc.code)
    except ValueError:
        return JobErrorCode.ENGINE_ERROR


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
    # The format and size the client asked for (a provider's result, or a local one the engine
    # could not already make so); a result that matches is stored as it is.
    conformed = output_conform(data, options=job_output_options(job), image=image)
    if conformed is not None:
        data, extension, image = conformed
    name = job_result_upload_to(job, f"result.{extension}")
    storage = result_storage()
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
    if job_files_delete_if_gone(job=job) or stored != name:
        # The job was deleted meanwhile, or storage kept an extra copy beside the fixed key.
        storage.delete(stored)
    _refresh_if_exists(job)
    return False


def job_output_options(job: Job) -> OutputOptions:
    """The output the job's client asked for (``outputFormat``, ``maxSide``)."""
    return OutputOptions(format=job.output_format or None, max_side=job.output_max_side)


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
            # A failed job's photo has no more use: it goes once the failure is committed.
            transaction.on_commit(partial(job_source_discard_by_id, job.pk))
    _refresh_if_exists(job)
    return bool(updated)


def job_fail(
    *,
    job: Job,
    code: JobErrorCode | str = JobErrorCode.ADMIN_FAILED,
    message: str,
    actor=None,
    ip: str | None = None,
) -> bool:
    """Fail an in-flight (PENDING or PROCESSING) job as staff and refund it once; audited.

    A COMPLETED job delivered its result: it is not failed (a goodwill refund is the way to give
    its credits back). False when the job was not in flight.
    """
    from accounts.audit import audit_record
    from accounts.models import AuditEvent

    with transaction.atomic():
        failed = job_mark_failed(
            job=job, code=code, message=message, from_statuses=(JobStatus.PENDING, JobStatus.PROCESSING)
        )
        if failed:
            refund = CreditTransaction.objects.filter(reference=f"refund:{job.pk}").first()
            audit_record(
                event=AuditEvent.Event.ADMIN_JOB_FAILED,
                user=job.user,
                actor=actor,
                ip=ip,
                job=str(job.pk),
                message=message[:500],
                refunded=refund.amount if refund is not None else 0,
            )
    return failed


def job_retry(*, job: Job, actor=None, ip: str | None = None) -> Job:
    """Run a FAILED or stuck job again (admin action), audited. A refunded job is re-run free of charge.

    A job whose uploaded photo was already deleted (a failed job's goes at once) cannot run again.
    """
    job.refresh_from_db(fields=["source", "source_url"])
    if not job.source and not job.source_url:
        raise ApplicationError(
            ErrorCode.INVALID_INPUT, "This job's photo is no longer stored; ask the customer to apply the effect again"
        )
    from accounts.audit import audit_record
    from accounts.models import AuditEvent

    with transaction.atomic():
        previous = job.status
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
            audit_record(
                event=AuditEvent.Event.ADMIN_JOB_RETRIED,
                user=job.user,
                actor=actor,
                ip=ip,
                job=str(job.pk),
                previous_status=str(previous),
            )
    job.refresh_from_db()
    return job


def _job_terminal_hooks(*, job: Job) -> None:
    """After a terminal transition commits: wake the requests waiting for it (``Prefer: wait``), and the
    client callback, if the job asked for one."""
    transaction.on_commit(partial(job_finished_publish, job.pk))
    if job.callback_url:
        job_callback_enqueue(job=job)
