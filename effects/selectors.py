"""Reads of the effect catalog and of a user's jobs, shaped for the API and pages."""

import functools
import json
import statistics
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
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
from core.cache import BoundedCache
from core.timeseries import bucket_counts, time_buckets, truncate
from effects.models import Effect, Job, JobErrorCode, JobStatus

_MAX_PK = 2**63 - 1


PROVIDER_MODEL_PREFIX = "replicate:"


def provider_effects_enabled() -> bool:
    """Provider (Replicate) effects are offered only when the API token is configured."""
    return bool(settings.REPLICATE_API_TOKEN)


def effect_unavailable_reason(*, effect: Effect) -> str | None:
    """Why an effect is neither shown nor runnable whatever its ``is_active`` says (None when it can be)."""
    if effect.model_id.startswith(PROVIDER_MODEL_PREFIX) and not provider_effects_enabled():
        return "REPLICATE_API_TOKEN is not set: provider effects are hidden from the catalog and cannot run"
    return None


def _offered(effects: QuerySet[Effect]) -> QuerySet[Effect]:
    effects = effects.filter(is_active=True)
    if not provider_effects_enabled():
        effects = effects.exclude(model_id__startswith=PROVIDER_MODEL_PREFIX)
    return effects


def effect_list_active(*, category: str | None = None, q: str | None = None) -> QuerySet[Effect]:
    """Offered effects (active, and runnable here) in catalog order, optionally by category and search text."""
    effects = _offered(Effect.objects.all()).order_by("position", "name", "pk")
    if "\x00" in (category or "") + (q or ""):
        # PostgreSQL text cannot hold NUL: nothing matches, and sending it would fail the query.
        return effects.none()
    if category:
        effects = effects.filter(category__iexact=category)
    if q:
        effects = effects.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(category__icontains=q))
    return effects


def rendition_picture(copies: dict | None, storage) -> dict | None:
    """An <img>'s ``src`` (the display copy), ``thumbnail``, ``srcset``, ``width`` and ``height`` from stored
    renditions ({"thumbnail": {"name", "width", "height"}, "display": {...}}), or None without them."""
    if not copies or not {"thumbnail", "display"} <= copies.keys():
        return None
    thumbnail, display = copies["thumbnail"], copies["display"]
    thumbnail_url, display_url = storage.url(thumbnail["name"]), storage.url(display["name"])
    return {
        "src": display_url,
        "thumbnail": thumbnail_url,
        "thumbnail_width": thumbnail["width"],
        "thumbnail_height": thumbnail["height"],
        "srcset": f"{thumbnail_url} {thumbnail['width']}w, {display_url} {display['width']}w",
        "width": display["width"],
        "height": display["height"],
    }


def effect_preview_picture(*, effect: Effect) -> dict | None:
    """The effect preview's renditions for an <img> (see ``rendition_picture``), or None without them."""
    if not effect.preview:
        return None
    return rendition_picture(effect.preview_renditions, Effect._meta.get_field("preview").storage)


CATALOG_VERSION_KEY = "effects:catalog-version"


def effect_catalog_version(*, stored: str | None = None) -> str:
    """A token that changes whenever any effect changes (see effects.catalog.effect_catalog_changed),
    or whether provider effects are offered. ``stored`` is the cached value of CATALOG_VERSION_KEY
    when the caller has already read it (None: read it here, and create it if missing)."""
    version = stored or cache.get_or_set(CATALOG_VERSION_KEY, lambda: uuid.uuid4().hex, None)
    return f"{version}:{int(provider_effects_enabled())}"


# Offered effects by (catalog version, ref), kept per process: a new version (any Effect write)
# makes every entry unreachable. Bounded, so unknown refs cannot grow it without limit.
_ACTIVE_BY_REF = BoundedCache(1024)


def effect_get_active(*, ref: str, catalog_version: str | None = None) -> Effect | None:
    """An offered effect by id or slug; None when unknown, inactive or not runnable here.

    With ``catalog_version`` (from ``effect_catalog_version``) the answer is kept in this process
    for that version, so a repeated lookup costs no query; treat the effect as read-only.
    """
    if catalog_version is None:
        return _effect_get_active(ref)
    return _ACTIVE_BY_REF.get_or_set((catalog_version, str(ref)), lambda: _effect_get_active(ref))


def _effect_get_active(ref: str) -> Effect | None:
    ref = str(ref).strip()
    if not ref or "\x00" in ref:  # no slug holds NUL (PostgreSQL text cannot)
        return None
    match = Q(slug=ref)
    if ref.isascii() and ref.isdigit() and int(ref) <= _MAX_PK:
        match |= Q(pk=int(ref))
    return _offered(Effect.objects.filter(match)).order_by("pk").first()


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


# --- Staff dashboard (time-bounded aggregates; one query each) -------------------------------


def job_counts_over_time(*, since: datetime, until: datetime, bucket: str) -> dict:
    """Jobs created per hour (or day) and status: ``{"buckets": [...], "counts": {status: [n, ...]}}``."""
    rows = list(
        Job.objects.filter(created_at__gte=since, created_at__lte=until)
        .annotate(period=truncate("created_at", bucket))
        .values("period", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    buckets = time_buckets(since=since, until=until, bucket=bucket)
    counts = {
        status: bucket_counts([row for row in rows if row["status"] == status], buckets=buckets)
        for status in JOB_STATUSES
    }
    return {"buckets": buckets, "counts": counts}


def job_failure_summary(*, since: datetime, until: datetime, top: int = 6) -> dict:
    """Finished jobs, how many failed, the failure rate and the most frequent error codes (with their labels)."""
    finished = Job.objects.filter(
        completed_at__gte=since, completed_at__lte=until, status__in=[JobStatus.COMPLETED, JobStatus.FAILED]
    )
    totals = finished.aggregate(total=Count("pk"), failed=Count("pk", filter=Q(status=JobStatus.FAILED)))
    labels = dict(JobErrorCode.choices)
    codes = (
        finished.filter(status=JobStatus.FAILED)
        .values("error_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "error_code")[:top]
    )
    total, failed = totals["total"], totals["failed"]
    return {
        "finished": total,
        "failed": failed,
        "rate": failed / total if total else None,
        "error_codes": [
            {
                "code": row["error_code"] or "UNKNOWN",
                "label": labels.get(row["error_code"], "Unknown"),
                "jobs": row["n"],
            }
            for row in codes
        ],
    }


class _Median(Aggregate):
    """PostgreSQL's exact median of an interval expression, in seconds."""

    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def job_processing_time_by_effect(*, since: datetime, until: datetime) -> list[dict]:
    """Median seconds from start to result of the jobs completed per effect, slowest first.

    PostgreSQL computes the medians; other databases (SQLite in development) get the durations
    of the period and the median is taken here.
    """
    completed = Job.objects.filter(
        status=JobStatus.COMPLETED,
        completed_at__gte=since,
        completed_at__lte=until,
        started_at__isnull=False,
    )
    if connection.vendor == "postgresql":
        rows = (
            completed.values("effect__name")
            .annotate(jobs=Count("pk"), median=_Median(F("completed_at") - F("started_at")))
            .order_by()
        )
        result = [{"effect": r["effect__name"], "jobs": r["jobs"], "median_seconds": r["median"]} for r in rows]
    else:
        durations: dict[str, list[float]] = {}
        for name, started, finished in completed.values_list("effect__name", "started_at", "completed_at"):
            durations.setdefault(name, []).append((finished - started).total_seconds())
        result = [
            {"effect": name, "jobs": len(values), "median_seconds": statistics.median(values)}
            for name, values in durations.items()
        ]
    for row in result:
        row["median_seconds"] = round(max(row["median_seconds"], 0.0), 2)
    return sorted(result, key=lambda row: (-row["median_seconds"], row["effect"]))
