"""Deleting a job: an unfinished one is cancelled and refunded once, its provider run cancelled by a
worker, and its files removed after commit."""

from __future__ import annotations

from django.db import transaction

from effects.jobs.dispatch import remote_cancel_enqueue
from effects.jobs.files import job_file_names, result_storage
from effects.jobs.refunds import job_refund
from effects.models import Job, JobStatus


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
        names = job_file_names(locked)
        locked.delete()
        storage = result_storage()
        for name in names:
            transaction.on_commit(lambda n=name: storage.delete(n))
        if prediction_id:
            remote_cancel_enqueue(model_id=locked.effect.model_id, run_id=prediction_id)
