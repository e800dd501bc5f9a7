"""Credits given back for a job: the refund of a failed or cancelled job, and staff's goodwill refund
of a completed one. Each at most once per job, through the ledger."""

from __future__ import annotations

import logging
from functools import partial
from typing import NamedTuple

from django.db import transaction

from billing.models import CreditTransaction
from billing.selectors import credit_refund_for_job
from billing.services import credits_refund
from core.errors import AlreadyRefunded, ApplicationError, ErrorCode
from effects.jobs.retention import job_source_discard_by_id
from effects.models import Job, JobStatus

logger = logging.getLogger(__name__)


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


class GoodwillRefund(NamedTuple):
    """The goodwill refund's ledger row, and whether this call wrote it (False: an earlier call did)."""

    row: CreditTransaction
    created: bool


def job_goodwill_refund(*, job: Job, actor, note: str, ip: str | None = None) -> GoodwillRefund:
    """Refund a COMPLETED job's charge as a goodwill gesture (``goodwill:<job>``); the result stays.

    Once per job in total: a replay returns the first row with ``created=False``, a job refunded for
    a failure (or with nothing charged) and a job that is not COMPLETED are refused. The actor is on
    the ledger row and in the audit log.
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
            return GoodwillRefund(row=earlier, created=False)
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
        # The result stays; the photo it was made from has no more use.
        transaction.on_commit(partial(job_source_discard_by_id, locked.pk))
    return GoodwillRefund(row=row, created=True)
