"""The effect catalog and jobs (a job is a user's applied effect)."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone


def preview_upload_to(instance: "Effect", filename: str) -> str:
    return f"previews/{instance.slug}-{uuid.uuid4().hex[:8]}.jpg"


def job_source_upload_to(instance: "Job", filename: str) -> str:
    return f"jobs/{instance.pk}/source"


def job_result_upload_to(instance: "Job", filename: str) -> str:
    # A fixed key per job: a duplicate delivery overwrites, never piles up results.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"jobs/{instance.pk}/result.{ext}"


class Category(models.Model):
    """A gallery section; staff keep the list, so a typo in an effect cannot open a new public section."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    position = models.PositiveIntegerField(default=0, help_text="Lower comes first in the gallery")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Effect(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    preview = models.ImageField(upload_to=preview_upload_to, blank=True)
    # Smaller copies (JPEG, WebP when transparent) of the preview for pages and the API, stored beside it:
    # {"thumbnail": {"name", "width", "height"}, "display": {...}}; empty when there is no preview.
    preview_renditions = models.JSONField(default=dict, blank=True, editable=False)
    # The "before" of a preview rendered on a bundled sample photo (effects.previews), stored beside it:
    # {"photo": sample file name, "preview": the preview file it belongs to, "renditions": {"thumbnail": {...},
    # "display": {...}}}; empty for an uploaded preview (or one rendered before it was kept).
    preview_source = models.JSONField(default=dict, blank=True, editable=False)
    credits = models.PositiveSmallIntegerField(default=1)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="effects")
    model_id = models.CharField(
        max_length=200, help_text="Engine and model, e.g. local:sepia or replicate:owner/model[:version]"
    )
    config = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0, help_text="Lower comes first")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        indexes = [models.Index(fields=["is_active", "position"], name="effect_active_position")]
        constraints = [models.CheckConstraint(condition=models.Q(credits__gte=1), name="effect_credits_min_1")]

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    PROCESSING = "PROCESSING", "Processing"
    COMPLETED = "COMPLETED", "Completed"
    FAILED = "FAILED", "Failed"


TERMINAL_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED)


class OutputFormat(models.TextChoices):
    """A result format a client may ask for (``outputFormat``)."""

    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"
    WEBP = "webp", "WebP"


class JobStage(models.TextChoices):
    """Where a job is (or was last) in its run, finer than its status (``Job.stage``).

    A finished job keeps the stage it reached; that it is finished is its status's to say (the job
    JSON reports such a job's stage as ``done``).
    """

    QUEUED = "queued", "Waiting in its queue"
    FETCHING = "fetching", "Loading the source image"
    PROCESSING = "processing", "Applying the effect"
    STORING = "storing", "Saving the result"


class JobErrorCode(models.TextChoices):
    """Why a job failed (or why its last attempt did): ``Job.error_code`` and the job JSON's ``error.code``."""

    INVALID_INPUT = "INVALID_INPUT", "The image is unusable (bad bytes, refused URL)"
    INVALID_IMAGE = "INVALID_IMAGE", "The engine could not decode the image"
    EFFECT_MISCONFIGURED = "EFFECT_MISCONFIGURED", "The effect's engine, model or config is invalid"
    MODEL_UNAVAILABLE = "MODEL_UNAVAILABLE", "A model file the effect needs is missing"
    NO_SUBJECT = "NO_SUBJECT", "No person found in the photo"
    ENGINE_ERROR = "ENGINE_ERROR", "The engine failed"
    PROVIDER_ERROR = "PROVIDER_ERROR", "The AI provider answered something malformed"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE", "The AI provider could not be reached"
    PROVIDER_REJECTED = "PROVIDER_REJECTED", "The AI provider refused the request"
    PROVIDER_FAILED = "PROVIDER_FAILED", "The AI provider failed the job"
    TRANSIENT_ERROR = "TRANSIENT_ERROR", "A temporary storage or network error"
    TIMEOUT = "TIMEOUT", "The job took too long"
    INTERNAL_ERROR = "INTERNAL_ERROR", "An unexpected error"
    ADMIN_FAILED = "ADMIN_FAILED", "Failed by staff"


# Failures the user's photo caused (no person in it, a file that is not an image): the service
# worked; the staff dashboard counts them apart from the failures of the system.
USER_CAUSED_ERROR_CODES = frozenset({JobErrorCode.INVALID_INPUT, JobErrorCode.INVALID_IMAGE, JobErrorCode.NO_SUBJECT})


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    effect = models.ForeignKey(Effect, on_delete=models.PROTECT, related_name="jobs")

    source = models.FileField(upload_to=job_source_upload_to, blank=True, max_length=255)
    source_url = models.URLField(max_length=2048, blank=True, help_text="The URL the user gave, if any")
    result = models.FileField(upload_to=job_result_upload_to, blank=True, max_length=255)
    # Smaller copies (JPEG, WebP when transparent): {"result": {"thumbnail": {"name", "width", "height"},
    # "display": {...}}, "source": {...}}, stored beside the files they copy.
    renditions = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    stage = models.CharField(max_length=16, choices=JobStage.choices, default=JobStage.QUEUED)
    progress = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="Percent done (0-100) when the engine reports one; empty when unknown",
    )
    error_code = models.CharField(max_length=40, blank=True, choices=JobErrorCode.choices)
    error_message = models.CharField(max_length=500, blank=True)
    credits_charged = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    queue = models.CharField(max_length=20, default="default")
    provider_prediction_id = models.CharField(max_length=100, blank=True)
    callback_url = models.URLField(max_length=2048, blank=True)
    # The output the client asked for, applied when the result is stored (blank/None: as the effect makes it).
    output_format = models.CharField(max_length=8, blank=True, choices=OutputFormat.choices)
    output_max_side = models.PositiveSmallIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # Staff actions that move credits or run paid work again (admin → Jobs).
        permissions = [
            ("refund_job", "Can fail in-flight jobs and refund them, or refund completed ones as goodwill"),
            ("retry_job", "Can run failed or stuck jobs again free of charge"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__isnull=True) | models.Q(progress__lte=100), name="job_progress_percent"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="job_user_created"),
            models.Index(fields=["status", "updated_at"], name="job_status_updated"),
            # A waiting job's place in its queue (the job JSON's queuePosition).
            models.Index(
                fields=["queue", "created_at"], name="job_pending_queue", condition=models.Q(status="PENDING")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effect_id}:{self.pk} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class IdempotencyKey(models.Model):
    """A remembered apply request: same key + same body → same response, charged once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return self.key
