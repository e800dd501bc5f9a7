"""Job lifecycle writes: create (charge + job in one transaction, enqueue after commit), delete."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import Plan as PlanCode
from billing.services import credits_charge
from effects.ingestion import ValidatedImage
from effects.models import Effect, Job

PRIORITY_PLANS = {PlanCode.STARTER, PlanCode.PRO, PlanCode.ENTERPRISE}


def job_queue_for(*, user) -> str:
    """Paid plans' jobs go to the priority queue, which workers drain first."""
    return "priority" if user.plan in PRIORITY_PLANS else "default"


def job_enqueue(*, job: Job) -> None:
    """Send the job's task to its queue once the current transaction commits."""
    transaction.on_commit(lambda: _publish(job), robust=True)


def _publish(job: Job) -> None:
    from effects.tasks import process_job

    # A broker outage here must not fail the request: the job is committed and PENDING, and
    # the sweeper re-enqueues PENDING jobs whose message never arrived.
    process_job.apply_async(args=[str(job.pk)], queue=job.queue, task_id=f"job-{job.pk}-0")


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
        job.save(force_insert=True)
        credits_charge(user=user, amount=effect.credits, reference=f"charge:{job_id}", job=job)
        if source is not None:
            # Stored inside the transaction: if the upload fails, no charge survives.
            job.source.save(f"source.{source.extension}", ContentFile(source.data), save=False)
            Job.objects.filter(pk=job.pk).update(source=job.source.name)
        job_enqueue(job=job)
    return job


def job_delete(*, job: Job) -> None:
    """Delete a job and its stored files (the seed's DELETE /api/effects/{id})."""
    names = [f.name for f in (job.source, job.result) if f]
    storage = job.source.storage
    job.delete()
    for name in names:
        transaction.on_commit(lambda n=name: storage.delete(n))
