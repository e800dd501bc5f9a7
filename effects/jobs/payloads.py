"""The job JSON (GET /api/jobs/{id} of the PhotoMania API, and the body of client callbacks).

The API returns it and the callback sender posts it, so it lives below both: nothing here imports
the API layer.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.models import CreditTransaction
from billing.selectors import credit_refund_for_job
from effects.models import TERMINAL_STATUSES, Effect, Job, JobErrorCode, JobStage, JobStatus


def absolute_url(url: str, request=None) -> str:
    """Make a storage URL absolute: against the request's host if given, else SITE_URL."""
    if not url or not url.startswith("/"):
        return url
    if request is not None:
        return request.build_absolute_uri(url)
    return settings.SITE_URL + url


def file_url(field, request) -> str | None:
    """A stored file's absolute (signed, for private storage) URL, or None when there is no file."""
    if not field:
        return None
    return absolute_url(field.url, request)


# The job JSON's ``stage``: the stored stage of an unfinished job, or ``done`` once its status is terminal.
STAGE_DONE = "done"
JOB_JSON_STAGES = [*JobStage.choices, (STAGE_DONE, "Finished (completed or failed)")]


def job_json_stage(job: Job) -> str:
    """Where the job is, as the job JSON says it: derived from its status once it has finished."""
    return STAGE_DONE if job.is_terminal else job.stage


def job_queue_position(job: Job) -> int | None:
    """A waiting job's place in its queue (1 = next to run), or None when it is not waiting.

    Uses the ``queue_ahead`` annotation of the job selectors when present (no query per job).
    """
    if job.status != JobStatus.PENDING:
        return None
    ahead = getattr(job, "queue_ahead", None)
    if ahead is None:
        ahead = Job.objects.filter(status=JobStatus.PENDING, queue=job.queue, created_at__lt=job.created_at).count()
    return ahead + 1


REFUND_REASONS = (
    ("FAILURE", "The job (or an earlier run of it) failed or was cancelled: its charge came back"),
    ("GOODWILL", "Staff refunded the completed job as a goodwill gesture: the result is kept"),
)


def _credits(n: int) -> str:
    return f"{n} credit{'' if n == 1 else 's'}"


def job_refund(job: Job) -> dict | None:
    """What was refunded for the job and why, worded for the user: ``{"credits", "reason", "message"}`` or None.

    Reads the ``refund_credits``/``refund_kind`` annotations of the job selectors when present.
    """
    if hasattr(job, "refund_credits"):
        credits, kind = job.refund_credits, job.refund_kind
    else:
        row = credit_refund_for_job(job=job)
        credits, kind = (row.amount, row.kind) if row is not None else (None, None)
    return refund_payload(credits=credits, kind=kind, status=job.status)


def refund_payload(*, credits: int | None, kind: str | None, status: str) -> dict | None:
    """The job JSON's ``refund`` from the job's refund ledger row (its amount and kind) and its status."""
    if not credits:
        return None
    if kind == CreditTransaction.Kind.GOODWILL_REFUND:
        return {
            "credits": credits,
            "reason": "GOODWILL",
            "message": f"{_credits(credits)} refunded as a goodwill gesture",
        }
    verb = "was" if credits == 1 else "were"
    message = f"Your {_credits(credits)} {verb} refunded"
    if status == JobStatus.COMPLETED:
        message += " when an earlier run failed: this run was free"
    return {"credits": credits, "reason": "FAILURE", "message": message}


class JobRefundSerializer(serializers.Serializer):
    credits = serializers.IntegerField(min_value=1, help_text="Credits given back to the user")
    reason = serializers.ChoiceField(choices=REFUND_REASONS, help_text="Why they were given back")
    message = serializers.CharField(help_text="What to tell the user, e.g. “3 credits refunded as a goodwill gesture”")


class JobEffectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Effect
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class JobErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=JobErrorCode.choices, help_text="Why the job failed")
    message = serializers.CharField()


class RenditionSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Signed like resultUrl; expires")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class RenditionSetSerializer(serializers.Serializer):
    thumbnail = RenditionSerializer(help_text="JPEG (WebP when transparent), at most 320 px on its longest side")
    display = RenditionSerializer(help_text="JPEG (WebP when transparent), at most 1024 px on its longest side")


class JobRenditionsSerializer(serializers.Serializer):
    result = RenditionSetSerializer(required=False, help_text="Copies of the result (resultUrl is the full size)")
    source = RenditionSetSerializer(required=False, help_text="Copies of the source image")


def rendition_set(copies: dict, storage, request=None) -> dict:
    """Stored renditions ({"thumbnail": {"name", "width", "height"}, ...}) with absolute, signed URLs."""
    return {
        name: {"url": absolute_url(storage.url(r["name"]), request), "width": r["width"], "height": r["height"]}
        for name, r in copies.items()
    }


def job_renditions(job: Job, request=None) -> dict:
    """The job's stored renditions with absolute, signed URLs: {"result": {"thumbnail": {...}, "display": {...}}}."""
    return job_renditions_from(job.renditions, request)


def job_renditions_from(renditions: dict | None, request=None) -> dict:
    """Stored renditions (a job's ``renditions`` value) with absolute, signed URLs."""
    storage = _file_storage()
    return {kind: rendition_set(copies, storage, request) for kind, copies in (renditions or {}).items()}


class JobStageField(serializers.ChoiceField):
    """The job JSON's ``stage`` (read-only), derived from the whole job."""

    def __init__(self, **kwargs):
        super().__init__(choices=JOB_JSON_STAGES, source="*", read_only=True, **kwargs)

    def to_representation(self, job: Job) -> str:
        return job_json_stage(job)


class JobSerializer(serializers.ModelSerializer):
    """A job (a user's applied effect). Source and result URLs are signed and expire."""

    effect = JobEffectSerializer(read_only=True)
    sourceUrl = serializers.SerializerMethodField()
    resultUrl = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    stage = JobStageField(
        help_text="Where the job is: queued, fetching (the source image), processing, storing (the result), done",
    )
    progress = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text="Percent done (0-100) when known: reported by engines that know it, 100 once completed",
    )
    renditions = serializers.SerializerMethodField(
        help_text="Smaller copies for display, once the job has completed: null before"
    )
    queuePosition = serializers.SerializerMethodField(
        help_text="While queued: the job's place in its queue (1 = next to run); otherwise null"
    )
    creditsCharged = serializers.IntegerField(source="credits_charged", read_only=True)
    refund = serializers.SerializerMethodField(
        help_text="The credits given back for this job and why (a failure, or a goodwill gesture on a completed "
        "job, which keeps its result); null when nothing was refunded"
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    startedAt = serializers.DateTimeField(source="started_at", read_only=True, allow_null=True)
    completedAt = serializers.DateTimeField(source="completed_at", read_only=True, allow_null=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "status",
            "stage",
            "progress",
            "queuePosition",
            "effect",
            "sourceUrl",
            "resultUrl",
            "renditions",
            "error",
            "creditsCharged",
            "refund",
            "createdAt",
            "startedAt",
            "completedAt",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=1))
    def get_queuePosition(self, job: Job) -> int | None:
        return job_queue_position(job)

    @extend_schema_field(JobRenditionsSerializer(allow_null=True))
    def get_renditions(self, job: Job) -> dict | None:
        return job_renditions(job, self.context.get("request")) or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sourceUrl(self, job: Job) -> str | None:
        return file_url(job.source, self.context.get("request")) or job.source_url or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_resultUrl(self, job: Job) -> str | None:
        return file_url(job.result, self.context.get("request"))

    @extend_schema_field(JobRefundSerializer(allow_null=True))
    def get_refund(self, job: Job) -> dict | None:
        return job_refund(job)

    @extend_schema_field(JobErrorSerializer(allow_null=True))
    def get_error(self, job: Job) -> dict | None:
        if not job.error_code:
            return None
        return {"code": job.error_code, "message": job.error_message}


_DATETIME = serializers.DateTimeField()


def _datetime(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _stored_url(field: str, name: str, request) -> str | None:
    return absolute_url(_file_storage(field).url(name), request) if name else None


def _file_storage(field: str = "result"):
    return Job._meta.get_field(field).storage


def job_payload_from_row(row: dict, request=None) -> dict:
    """The job JSON built from ``effects.selectors.jobs.job_row_for_user``'s flat row: the same keys and
    values ``JobSerializer`` gives for the model instance, without building one."""
    status = row["status"]
    ahead = row["queue_ahead"]
    renditions = job_renditions_from(row["renditions"], request) or None
    return {
        "id": str(row["id"]),
        "status": status,
        "stage": STAGE_DONE if status in TERMINAL_STATUSES else row["stage"],
        "progress": row["progress"],
        "queuePosition": None if status != JobStatus.PENDING else (ahead or 0) + 1,
        "effect": {"id": row["effect_id"], "slug": row["effect__slug"], "name": row["effect__name"]},
        "sourceUrl": _stored_url("source", row["source"], request) or row["source_url"] or None,
        "resultUrl": _stored_url("result", row["result"], request),
        "renditions": renditions,
        "error": {"code": row["error_code"], "message": row["error_message"]} if row["error_code"] else None,
        "creditsCharged": row["credits_charged"],
        "refund": refund_payload(credits=row["refund_credits"], kind=row["refund_kind"], status=status),
        "createdAt": _datetime(row["created_at"]),
        "startedAt": _datetime(row["started_at"]),
        "completedAt": _datetime(row["completed_at"]),
    }


def job_payload(job: Job, request=None) -> dict:
    """The job's JSON (as GET /api/jobs/{id} returns it), with absolute URLs; for callbacks too."""
    data = JobSerializer(job, context={"request": request}).data
    return {**data, "effect": dict(data["effect"])}
