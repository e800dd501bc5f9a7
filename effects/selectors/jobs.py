"""Reads of a user's jobs, shaped for the API and pages: one job (``job_get_for_user``) or a page of
them (``job_list_for_user``), both read by ``_jobs_for_user`` with what the job JSON shows."""

import uuid

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from billing.models import JOB_REFUND_KINDS
from effects.models import Job, JobStatus

JOB_STATUSES = [choice for choice, _label in JobStatus.choices]


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


# The columns the job JSON and the job pages show, and of the effect its id, slug and name: the
# rest (the engine config and copy, the provider's id, the callback URL, bookkeeping) stays unread.
_JOB_FIELDS = (
    "id",
    "status",
    "stage",
    "progress",
    "queue",
    "source",
    "source_url",
    "result",
    "renditions",
    "error_code",
    "error_message",
    "credits_charged",
    "created_at",
    "started_at",
    "completed_at",
    "output_format",
    "output_max_side",
    "effect__id",
    "effect__slug",
    "effect__name",
)

# For a waiting job, how many jobs wait before it in its queue (else None).
_QUEUE_AHEAD = Case(
    When(
        status=JobStatus.PENDING,
        then=Coalesce(
            Subquery(
                Job.objects.filter(
                    status=JobStatus.PENDING, queue=OuterRef("queue"), created_at__lt=OuterRef("created_at")
                )
                .order_by()
                .values("queue")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    ),
    default=None,
    output_field=IntegerField(),
)


def _with_refund(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Annotate ``refund_credits`` and ``refund_kind`` from the job's refund ledger row (None when not refunded).

    One LEFT JOIN reads both: a job has at most one refund row (the ledger's
    ``ledger_one_refund_per_job`` unique index), so the join never repeats a job.
    """
    return jobs.annotate(
        refund_row=FilteredRelation("credit_transactions", condition=Q(credit_transactions__kind__in=JOB_REFUND_KINDS)),
        refund_credits=F("refund_row__amount"),
        refund_kind=F("refund_row__kind"),
    )


# The job read's query, built once per process: a request adds only its filters to a clone (the
# expressions above are resolved here, not on every request). Never evaluated itself.
_JOBS = _with_refund(Job.objects.select_related("effect").only(*_JOB_FIELDS).annotate(queue_ahead=_QUEUE_AHEAD))


def _jobs_for_user(user) -> QuerySet[Job]:
    """The user's jobs with what the job JSON (``effects.jobs.payloads.job_payload``) and the job
    pages show, in one query: the effect joined, ``queue_ahead`` and the refund annotated."""
    return _JOBS.filter(user=user)


def job_list_for_user(*, user, status: str | None = None) -> QuerySet[Job]:
    """The user's jobs, newest first (one query per page)."""
    jobs = _jobs_for_user(user).order_by("-created_at", "-pk")
    if status:
        jobs = jobs.filter(status=status)
    return jobs


def job_get_for_user(*, user, job_id) -> Job | None:
    """The user's job with this id, in one query; None for unknown ids, malformed ids and other users' jobs."""
    pk = _as_uuid(job_id)
    if pk is None:
        return None
    try:
        # ``get`` rather than ``first``: no ORDER BY to build for a primary-key read; both filters
        # in one call, so the query is cloned and filtered once.
        return _JOBS.get(user=user, pk=pk)
    except Job.DoesNotExist:
        return None
