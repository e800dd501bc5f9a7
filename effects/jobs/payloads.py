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
from effects.jobs.retention import job_result_expired, job_result_expires_at
from effects.models import Effect, Job, JobErrorCode, JobStage, JobStatus, OutputFormat


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


class JobOutputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=OutputFormat.choices, allow_null=True, help_text="The result's format as asked; null: the effect's own"
    )
    maxSide = serializers.IntegerField(
        allow_null=True, min_value=1, help_text="The result's longest side at most, in pixels; null: as made"
    )


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
    storage = Job._meta.get_field("result").storage
    return {kind: rendition_set(copies, storage, request) for kind, copies in (job.renditions or {}).items()}


_DATETIME = serializers.DateTimeField()


def _datetime(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def job_payload(job: Job, request=None) -> dict:
    """The job JSON, with absolute (signed) URLs: what GET /api/jobs/{id} and the job list return
    and what a client's callback receives. ``JobSerializer`` documents it.

    A job read by ``effects.selectors.jobs`` carries its queue position and refund (no query
    here); for any other job they are read as needed.
    """
    effect = job.effect
    expires_at = job_result_expires_at(job)
    expired = job_result_expired(job)
    renditions = job_renditions(job, request)
    if expired:
        renditions.pop("result", None)
    return {
        "id": str(job.pk),
        "status": str(job.status),
        "stage": job_json_stage(job),
        "progress": job.progress,
        "queuePosition": job_queue_position(job),
        "effect": {"id": effect.pk, "slug": effect.slug, "name": effect.name},
        "sourceUrl": file_url(job.source, request) or job.source_url or None,
        "resultUrl": None if expired else file_url(job.result, request),
        "renditions": renditions or None,
        "error": {"code": job.error_code, "message": job.error_message} if job.error_code else None,
        "creditsCharged": job.credits_charged,
        "refund": job_refund(job),
        "createdAt": _datetime(job.created_at),
        "startedAt": _datetime(job.started_at),
        "completedAt": _datetime(job.completed_at),
        "expiresAt": _datetime(expires_at),
        "expired": expired,
        "output": job_output(job),
    }


def job_output(job: Job) -> dict | None:
    """The output the client asked for at apply (``{"format", "maxSide"}``, each null when not asked), or
    None when it asked for neither (the result is as the effect makes it)."""
    if not job.output_format and not job.output_max_side:
        return None
    return {"format": job.output_format or None, "maxSide": job.output_max_side}


class JobJsonField(serializers.ReadOnlyField):
    """A field of the job JSON, documented in the schema as ``shown_as`` (a serializer field);
    ``job_payload`` gives its value."""

    def __init__(self, shown_as: serializers.Field, **kwargs):
        super().__init__(**kwargs)
        extend_schema_field(shown_as)(self)


# The fields document the job JSON (the OpenAPI schema); ``job_payload`` builds it.
class JobSerializer(serializers.ModelSerializer):
    """A job (a user's applied effect). Source and result URLs are signed and expire."""

    effect = JobEffectSerializer(read_only=True)
    sourceUrl = JobJsonField(serializers.CharField(allow_null=True))
    resultUrl = JobJsonField(serializers.CharField(allow_null=True))
    error = JobJsonField(JobErrorSerializer(allow_null=True))
    stage = serializers.ChoiceField(
        choices=JOB_JSON_STAGES,
        read_only=True,
        help_text="Where the job is: queued, fetching (the source image), processing, storing (the result), done",
    )
    progress = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text="Percent done (0-100) when known: reported by engines that know it, 100 once completed",
    )
    renditions = JobJsonField(
        JobRenditionsSerializer(allow_null=True),
        help_text="Smaller copies for display, once the job has completed: null before",
    )
    queuePosition = JobJsonField(
        serializers.IntegerField(allow_null=True, min_value=1),
        help_text="While queued: the job's place in its queue (1 = next to run); otherwise null",
    )
    creditsCharged = serializers.IntegerField(source="credits_charged", read_only=True)
    refund = JobJsonField(
        JobRefundSerializer(allow_null=True),
        help_text="The credits given back for this job and why (a failure, or a goodwill gesture on a completed "
        "job, which keeps its result); null when nothing was refunded",
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    startedAt = serializers.DateTimeField(source="started_at", read_only=True, allow_null=True)
    completedAt = serializers.DateTimeField(source="completed_at", read_only=True, allow_null=True)
    expiresAt = JobJsonField(
        serializers.DateTimeField(allow_null=True),
        help_text="When a completed job's result (and its smaller copies) is deleted: RESULT_RETENTION_DAYS after "
        "it completed; null for jobs without a result",
    )
    expired = JobJsonField(
        serializers.BooleanField(),
        help_text="True once the result was deleted for its age: resultUrl is then null",
    )
    output = JobJsonField(
        JobOutputSerializer(allow_null=True),
        help_text="The output asked for at apply (outputFormat, maxSide); null when neither was asked",
    )

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
            "expiresAt",
            "expired",
            "output",
        ]
        read_only_fields = fields

    def to_representation(self, job: Job) -> dict:
        return job_payload(job, self.context.get("request"))
