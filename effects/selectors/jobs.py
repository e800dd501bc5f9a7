"""Reads of a user's jobs, shaped for the API and pages."""

import functools
import json
import uuid

from django.contrib.auth import get_user_model
from django.db import connection
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

from billing.models import JOB_REFUND_KINDS, CreditTransaction
from effects.models import Effect, Job, JobStatus


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


# Job payloads and pages show the effect's id, slug and name (and cost); its engine config and
# copy are not needed and are the bulk of the row.
_JOB_EFFECT_UNUSED = ("effect__config", "effect__description", "effect__model_id")


def _with_queue_ahead(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Annotate ``queue_ahead``: for a waiting job, how many jobs wait before it in its queue (else None)."""
    ahead = (
        Job.objects.filter(status=JobStatus.PENDING, queue=OuterRef("queue"), created_at__lt=OuterRef("created_at"))
        .order_by()
        .values("queue")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return jobs.annotate(
        queue_ahead=Case(
            When(status=JobStatus.PENDING, then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0))),
            default=None,
            output_field=IntegerField(),
        )
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


def job_list_for_user(*, user, status: str | None = None) -> QuerySet[Job]:
    """The user's jobs, newest first, with their effect joined (one query per page)."""
    jobs = Job.objects.filter(user=user).select_related("effect").defer(*_JOB_EFFECT_UNUSED)
    jobs = _with_refund(_with_queue_ahead(jobs)).order_by("-created_at", "-pk")
    if status:
        jobs = jobs.filter(status=status)
    return jobs


def job_get_for_user(*, user, job_id) -> Job | None:
    """The user's job with this id; None for unknown ids, malformed ids and other users' jobs."""
    pk = _as_uuid(job_id)
    if pk is None:
        return None
    jobs = Job.objects.filter(user=user, pk=pk).select_related("effect").defer(*_JOB_EFFECT_UNUSED)
    return _with_refund(_with_queue_ahead(jobs)).first()


# What the job JSON shows, as one flat row (``.values()``: no model instances, no deferred loads).
JOB_ROW_FIELDS = (
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
    "effect_id",
    "effect__slug",
    "effect__name",
)


# The same row as ``_with_refund(_with_queue_ahead(...)).values(*JOB_ROW_FIELDS, "queue_ahead", "refund_credits",
# "refund_kind")``, written out:
# building that query through the ORM (the annotation's Case/Subquery, compiling) cost more CPU
# than running it. The test suite checks the two give the same JSON in every job state.
# A job has at most one refund row (the ledger's ``ledger_one_refund_per_job`` unique index), so
# a plain LEFT JOIN reads its amount and kind at once, on PostgreSQL and SQLite alike.
_JOB_ROW_COLUMNS = """j.id, j.status, j.stage, j.progress, j.queue, j.source, j.source_url, j.result, j.renditions,
       j.error_code, j.error_message, j.credits_charged, j.created_at, j.started_at, j.completed_at,
       j.effect_id, e.slug, e.name,
       CASE WHEN j.status = %(pending)s THEN (
           SELECT count(*) FROM {job} w WHERE w.status = %(pending)s AND w.queue = j.queue AND w.created_at < j.created_at
       ) END,
       r.amount, r.kind"""
_JOB_REFUND_JOIN = "LEFT JOIN {ledger} r ON r.job_id = j.id AND r.kind IN (%(refund)s, %(goodwill)s)"
_JOB_ROW_SQL = """
SELECT {job_columns}
FROM {job} j JOIN {effect} e ON e.id = j.effect_id
{refund_join}
WHERE j.id = %(id)s AND j.user_id = %(user)s
"""
# The user row (every column, as Django's ``get_user`` loads it) and, when it is theirs, the job.
_USER_JOB_ROW_SQL = """
SELECT {user_columns},
       {job_columns}
FROM {user} u
LEFT JOIN {job} j ON j.id = %(id)s AND j.user_id = u.id
LEFT JOIN {effect} e ON e.id = j.effect_id
{refund_join}
WHERE u.id = %(user)s
"""
_JOB_ROW_KEYS = (*JOB_ROW_FIELDS, "queue_ahead", "refund_credits", "refund_kind")


def _job_sql(template: str, **names: str) -> str:
    """``template`` with the job columns, the refund join and the table names filled in."""
    names = {
        "job": Job._meta.db_table,
        "effect": Effect._meta.db_table,
        "ledger": CreditTransaction._meta.db_table,
        **names,
    }
    return template.format(
        job_columns=_JOB_ROW_COLUMNS.format(**names), refund_join=_JOB_REFUND_JOIN.format(**names), **names
    )


def _job_row_params(*, user_id: int, job_id: uuid.UUID | None) -> dict:
    return {
        "pending": JobStatus.PENDING.value,
        # As the database stores it (a uuid on PostgreSQL, 32 hex characters on SQLite).
        "id": Job._meta.pk.get_db_prep_value(job_id, connection),
        "user": user_id,
        "refund": CreditTransaction.Kind.REFUND.value,
        "goodwill": CreditTransaction.Kind.GOODWILL_REFUND.value,
    }


def _job_row(values) -> dict:
    row = dict(zip(_JOB_ROW_KEYS, values, strict=True))
    if not isinstance(row["id"], uuid.UUID):  # SQLite keeps 32 hex characters
        row["id"] = uuid.UUID(row["id"])
    if isinstance(row["renditions"], str):  # Django loads jsonb as text and decodes it in the field
        row["renditions"] = json.loads(row["renditions"])
    return row


def job_row_for_user(*, user_id: int, job_id) -> dict | None:
    """The user's job as a dict of ``JOB_ROW_FIELDS`` plus ``queue_ahead`` in one narrow query (the
    polled GET /api/jobs/{id}); None for unknown ids, malformed ids and other users' jobs."""
    pk = _as_uuid(job_id)
    if pk is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_job_sql(_JOB_ROW_SQL), _job_row_params(user_id=user_id, job_id=pk))
        values = cursor.fetchone()
    return None if values is None else _job_row(values)


def user_and_job_row_supported() -> bool:
    """Whether ``user_and_job_row`` can run here: PostgreSQL returns every user column already in
    its Python type; other databases (SQLite in development) read the user through the ORM."""
    return connection.vendor == "postgresql"


@functools.cache
def _user_job_row_sql() -> tuple[list[str], str]:
    fields = get_user_model()._meta.concrete_fields
    sql = _job_sql(
        _USER_JOB_ROW_SQL,
        user_columns=", ".join(f"u.{connection.ops.quote_name(field.column)}" for field in fields),
        user=get_user_model()._meta.db_table,
    )
    return [field.attname for field in fields], sql


def user_and_job_row(*, user_id: int, job_id) -> tuple[object | None, dict | None]:
    """The user (a model instance with every field loaded, as Django's ``get_user`` reads it) and
    their job's row (as ``job_row_for_user`` gives it) in one query: ``(None, None)`` when the user
    is gone, ``(user, None)`` when the job is unknown, malformed or someone else's. PostgreSQL only
    (see ``user_and_job_row_supported``); the caller still checks the user as ``get_user`` does."""
    user_model = get_user_model()
    user_fields, sql = _user_job_row_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, _job_row_params(user_id=user_id, job_id=_as_uuid(job_id)))
        values = cursor.fetchone()
    if values is None:
        return None, None
    user = user_model.from_db(connection.alias, user_fields, values[: len(user_fields)])
    job_values = values[len(user_fields) :]
    return user, (None if job_values[0] is None else _job_row(job_values))


JOB_STATUSES = [choice for choice, _label in JobStatus.choices]
