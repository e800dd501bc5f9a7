"""A user's jobs as personal data: erased when the account is deleted, exported on request.

Registered with ``accounts.personal_data`` in ``EffectsConfig.ready()``. Photos of people are the
most sensitive data PhotoMania keeps, so erasure deletes every job: its provider run is cancelled,
every stored object (source, result, every rendition, under every name a worker may have written)
is deleted from the storage, then the row. An unfinished job's charge is refunded first, through
the ledger, so the balance still equals the sum of the ledger rows; the ledger rows themselves
stay (their job link becomes empty).
"""

from __future__ import annotations

import logging

from django.db import transaction

from effects.jobs.files import job_file_names, result_storage
from effects.jobs.refunds import job_refund
from effects.jobs.remote import remote_run_cancel
from effects.models import IdempotencyKey, Job, JobStatus

logger = logging.getLogger(__name__)

_UNFINISHED = (JobStatus.PENDING, JobStatus.PROCESSING)
# Leading bytes of the formats a source or result can have, for the exported file's extension.
_SIGNATURES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG", "png"), (b"GIF8", "gif"), (b"RIFF", "webp"))


def jobs_erase_for_user(*, user) -> int:
    """Cancel the user's unfinished jobs and delete every job with all its stored files; returns how many.

    Idempotent: a run interrupted half-way leaves rows whose files may already be gone, and the next
    run deletes them again. A provider that cannot be reached raises (``EngineFailure``, transient)
    before the job is touched, so the run is retried with the prediction still known.
    """
    storage = result_storage()
    erased = 0
    for job in Job.objects.filter(user=user).select_related("effect").order_by("created_at").iterator():
        if job.status in _UNFINISHED and job.provider_prediction_id:
            remote_run_cancel(model_id=job.effect.model_id, run_id=job.provider_prediction_id)
        for name in job_file_names(job):
            storage.delete(name)
        with transaction.atomic():
            locked = Job.objects.select_for_update().select_related("user").filter(pk=job.pk).first()
            if locked is None:
                continue
            if locked.status in _UNFINISHED:
                job_refund(job=locked, note=f"Refund for job {locked.pk}, cancelled with the account")
            names = job_file_names(locked)
            locked.delete()
            # A worker that finished between the deletions above and the lock wrote its result: gone too.
            transaction.on_commit(lambda names=names: [storage.delete(name) for name in names])
        erased += 1
    IdempotencyKey.objects.filter(user=user).delete()
    logger.info("erased %s job(s) of user %s", erased, user.pk)
    return erased


def _extension(head: bytes) -> str:
    for signature, extension in _SIGNATURES:
        if head.startswith(signature):
            return extension
    return "bin"


def _export_file(*, archive, storage, stored_name: str, folder: str, stem: str) -> str | None:
    """Stream one stored file into the archive; returns its name there (None when it is missing)."""
    try:
        source = storage.open(stored_name, "rb")
    except (FileNotFoundError, OSError):
        logger.warning("stored file %s is missing; left out of the export", stored_name)
        return None
    with source:
        head = source.read(12)
        source.seek(0)
        name = f"{folder}/{stem}.{_extension(head)}"
        archive.write_stream(name, source)
    return name


def jobs_export_for_user(*, user, archive) -> None:
    """``jobs.json`` (every job the user still has) and each job's source and result image under ``images/``."""
    storage = result_storage()
    jobs = []
    for job in Job.objects.filter(user=user).select_related("effect").order_by("created_at").iterator():
        files = {}
        for kind in ("source", "result"):
            field = getattr(job, kind)
            if field and field.name:
                files[kind] = _export_file(
                    archive=archive, storage=storage, stored_name=field.name, folder=f"images/{job.pk}", stem=kind
                )
        jobs.append(
            {
                "id": str(job.pk),
                "effect": {"slug": job.effect.slug, "name": job.effect.name},
                "status": job.status,
                "errorCode": job.error_code or None,
                "creditsCharged": job.credits_charged,
                "sourceUrl": job.source_url or None,
                "callbackUrl": job.callback_url or None,
                "createdAt": job.created_at,
                "completedAt": job.completed_at,
                "files": {kind: name for kind, name in files.items() if name},
            }
        )
    archive.write_json("jobs.json", jobs)
