"""/api/effects and /api/jobs: the catalog, applying an effect, and the caller's jobs.

The job JSON (``job_payload``, documented by ``JobSerializer``) lives in ``effects.jobs.payloads``:
the pipeline POSTs the same payload to a client's ``callbackUrl``.
"""

from __future__ import annotations

import hashlib
import time

from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core.api.parsers import SafeJSONParser
from core.api.renderers import EnvelopeJSONRenderer
from core.api.schema import envelope_example
from core.api.views import ApiView, not_found
from core.cache import BoundedCache
from core.errors import ApplicationError, ErrorCode
from core.throttles import DEFAULT_THROTTLES, AnonThrottle, ApplyThrottle, UploadThrottle
from effects.idempotency import idempotency_fingerprint, idempotent_replay, idempotent_run
from effects.ingestion import image_from_upload, image_url_check
from effects.jobs.create import job_affordable_check, job_create
from effects.jobs.delete import job_delete
from effects.jobs.payloads import (
    JobSerializer,
    RenditionSetSerializer,
    file_url,
    job_payload,
    rendition_set,
)
from effects.models import Effect, JobStatus
from effects.selectors.catalog import (
    effect_catalog_version,
    effect_get_active,
    effect_list_active,
)
from effects.selectors.jobs import (
    JOB_STATUSES,
    job_get_for_user,
    job_list_for_user,
)
from effects.webhooks import replicate_webhook_receive

# --- Serializers -----------------------------------------------------------------------------


class EffectSerializer(serializers.ModelSerializer):
    """A catalog entry as the PhotoMania API shows it (never the engine's modelId or config)."""

    previewUrl = serializers.SerializerMethodField()
    previewRenditions = serializers.SerializerMethodField()
    category = serializers.CharField(source="category.name", read_only=True)  # the name, as before categories were rows

    class Meta:
        model = Effect
        fields = ["id", "name", "slug", "description", "previewUrl", "previewRenditions", "credits", "category"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_previewUrl(self, effect: Effect) -> str:
        return file_url(effect.preview, self.context.get("request")) or ""

    @extend_schema_field(
        RenditionSetSerializer(
            allow_null=True,
            help_text="Smaller copies (JPEG, or WebP when transparent) of the preview (previewUrl is the full size); null without",
        )
    )
    def get_previewRenditions(self, effect: Effect) -> dict | None:
        if not effect.preview or not effect.preview_renditions:
            return None
        storage = Effect._meta.get_field("preview").storage
        return rendition_set(effect.preview_renditions, storage, self.context.get("request"))


class ApplyInputSerializer(serializers.Serializer):
    effectId = serializers.CharField(max_length=80, help_text="The effect's id or slug")
    imageUrl = serializers.URLField(max_length=2048, required=False, help_text="http(s) URL of the photo")
    image = serializers.FileField(required=False, help_text="The photo (JPEG, PNG or WEBP), multipart only")
    callbackUrl = serializers.URLField(
        max_length=2048,
        required=False,
        allow_blank=True,
        help_text="Optional https URL that receives the job JSON when it finishes (signed with your callback secret)",
    )

    def validate(self, attrs):
        if bool(attrs.get("imageUrl")) == bool(attrs.get("image")):
            # Named after the field the client's kind of body carries the photo in.
            request = self.context.get("request")
            multipart = request is not None and (request.content_type or "").startswith("multipart/")
            field = "image" if multipart else "imageUrl"
            raise serializers.ValidationError({field: ["Give exactly one of imageUrl or an image file."]})
        return attrs


class ApplyJsonInput(serializers.Serializer):
    """Apply an effect to a photo at a URL (JSON body)."""

    effectId = serializers.CharField(max_length=80, help_text="The effect's id or slug")
    imageUrl = serializers.URLField(max_length=2048, help_text="http(s) URL of the photo")
    callbackUrl = serializers.URLField(max_length=2048, required=False, allow_blank=True)


class ApplyUploadInput(serializers.Serializer):
    """Apply an effect to an uploaded photo (multipart)."""

    effectId = serializers.CharField(max_length=80, help_text="The effect's id or slug")
    image = serializers.FileField(help_text="The photo (JPEG, PNG or WEBP)")
    callbackUrl = serializers.URLField(max_length=2048, required=False, allow_blank=True)


ApplyOutput = inline_serializer(
    "ApplyResult",
    fields={
        "jobId": serializers.UUIDField(),
        "status": serializers.ChoiceField(choices=JobStatus.choices),
    },
)

Deleted = inline_serializer("Deleted", fields={"id": serializers.CharField(), "deleted": serializers.BooleanField()})

_EFFECT_EXAMPLE = {
    "id": 3,
    "name": "Sepia",
    "slug": "sepia",
    "description": "Warm brown tones of old prints.",
    "previewUrl": "https://media.photomania.example/previews/sepia.jpg",
    "previewRenditions": {
        "thumbnail": {
            "url": "https://media.photomania.example/previews/sepia-thumbnail.jpg",
            "width": 320,
            "height": 240,
        },
        "display": {
            "url": "https://media.photomania.example/previews/sepia-display.jpg",
            "width": 640,
            "height": 480,
        },
    },
    "credits": 1,
    "category": "Classic",
}
_JOB_ID_EXAMPLE = "7f3e2a41-5c1d-4b8e-9a0f-2d6c8b1e4f37"
_JOB_EXAMPLE = {
    "id": "7f3e2a41-5c1d-4b8e-9a0f-2d6c8b1e4f37",
    "status": "COMPLETED",
    "effect": {"id": 3, "slug": "sepia", "name": "Sepia"},
    "sourceUrl": "https://media.photomania.example/sources/7f3e2a41.jpg?X-Amz-Signature=...",
    "resultUrl": "https://media.photomania.example/results/7f3e2a41.jpg?X-Amz-Signature=...",
    "error": None,
    "creditsCharged": 1,
    "createdAt": "2026-11-27T10:00:00Z",
    "startedAt": "2026-11-27T10:00:01Z",
    "completedAt": "2026-11-27T10:00:04Z",
}
_DELETED_EXAMPLE = envelope_example("Deleted", {"id": _JOB_ID_EXAMPLE, "deleted": True})
_JOB_ID_PARAMETER = OpenApiParameter(
    "jobId", OpenApiTypes.UUID, location=OpenApiParameter.PATH, description="The job's id (from apply)"
)

# --- Views -------------------------------------------------------------------------------------


# Signed preview URLs in a cached page stay valid far longer than this (MEDIA_URL_EXPIRY).
CATALOG_CACHE_SECONDS = 60
CATALOG_CACHE_MAX_PAGES = 256


class EffectListView(ApiView, generics.ListAPIView):
    """The public catalog. Each page's rendered response bytes are kept per process for
    CATALOG_CACHE_SECONDS, keyed by the catalog version (which every Effect write changes), so
    staff edits show on the next request: a repeated page costs the throttle's Redis round trip
    and the version's, and no SQL, serializer or JSON encoding."""

    api_key_scope = "read"

    permission_classes = [AllowAny]
    # The catalog is the same for everyone: no session or token lookup, throttled per client IP.
    authentication_classes: list = []
    throttle_classes = [AnonThrottle]
    serializer_class = EffectSerializer
    _pages = BoundedCache(CATALOG_CACHE_MAX_PAGES)

    def get_queryset(self):
        params = self.request.query_params
        return effect_list_active(category=params.get("category"), q=params.get("q"))

    def list(self, request, *args, **kwargs):
        version = effect_catalog_version()
        key = (version, request.scheme, request.get_host(), request.META.get("QUERY_STRING", ""))
        now = time.monotonic()
        hit = self._pages.get(key)
        if hit is not None and hit[0] > now:
            return HttpResponse(hit[1], content_type="application/json")
        page = super().list(request, *args, **kwargs)
        body = EnvelopeJSONRenderer().render(page.data, "application/json", {"response": page})
        self._pages.set(key, (now + CATALOG_CACHE_SECONDS, body))
        return HttpResponse(body, content_type="application/json")

    @extend_schema(
        operation_id="effects_list",
        summary="List the effect catalog",
        description="Active effects, in catalog order; public (no token needed).",
        tags=["effects"],
        examples=[OpenApiExample("Catalog page", value=_EFFECT_EXAMPLE, response_only=True)],
        parameters=[
            OpenApiParameter("category", str, description="Only effects in this category"),
            OpenApiParameter("q", str, description="Search name, description and category"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EffectDetailView(ApiView):
    """GET an active effect by id or slug; DELETE the caller's saved effect (a job) by id."""

    api_key_scope = {"GET": "read", "DELETE": "apply"}

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        operation_id="effects_retrieve",
        summary="Read an effect",
        description="An active effect by its id or slug; public (no token needed).",
        tags=["effects"],
        parameters=[OpenApiParameter("ref", str, location=OpenApiParameter.PATH, description="Effect id or slug")],
        responses=EffectSerializer,
        examples=[envelope_example("Effect", _EFFECT_EXAMPLE)],
    )
    def get(self, request, ref: str):
        effect = effect_get_active(ref=ref)
        if effect is None:
            raise not_found("Effect not found")
        return Response(EffectSerializer(effect, context={"request": request}).data)

    # A bare serializer on DELETE would be documented as 204; the view answers 200 with the envelope.
    @extend_schema(
        operation_id="effects_saved_destroy",
        summary="Delete a saved effect (a job) by its job id",
        description=(
            "On this path GET reads an *effect* by id or slug, but DELETE deletes one of the caller's "
            "*jobs* (a saved, applied effect): `ref` is the job id. It does exactly what "
            "DELETE /api/jobs/{jobId} does (prefer that one); no effect is ever deleted. A job that "
            "does not exist or belongs to someone else is 404."
        ),
        tags=["effects"],
        parameters=[
            OpenApiParameter("ref", str, location=OpenApiParameter.PATH, description="Here: the job's id (a uuid)")
        ],
        responses={200: Deleted},
        examples=[_DELETED_EXAMPLE],
    )
    def delete(self, request, ref: str):
        return _delete_job(request, ref)


def _delete_job(request, job_id: str) -> Response:
    job = job_get_for_user(user=request.user, job_id=job_id)
    if job is None:
        raise not_found("Job not found")
    with transaction.atomic():
        job_delete(job=job)
    return Response({"id": str(job_id), "deleted": True})


class ApplyView(ApiView):
    api_key_scope = "apply"
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser, MultiPartParser]
    throttle_classes = [*DEFAULT_THROTTLES, ApplyThrottle, UploadThrottle]
    documented_error_statuses = ["402", "422"]

    @extend_schema(
        operation_id="effects_apply",
        summary="Apply an effect to a photo",
        description=(
            "Charges the effect's credits and queues a job for the photo: a URL in a JSON body, or an "
            "uploaded file in a multipart body. Poll GET /api/jobs/{jobId} until COMPLETED or FAILED, "
            "or pass a `callbackUrl` to be told (see callbacks). A failed job is refunded. "
            "With an `Idempotency-Key`, repeating the same request returns the same job "
            "(`Idempotent-Replayed: true`) and charges once; the same key with another body is 422."
        ),
        tags=["effects"],
        examples=[
            OpenApiExample(
                "From a URL",
                value={"effectId": "sepia", "imageUrl": "https://example.com/photo.jpg"},
                request_only=True,
                media_type="application/json",
            ),
            envelope_example("Queued", {"jobId": _JOB_ID_EXAMPLE, "status": "PENDING"}),
        ],
        request={
            "application/json": ApplyJsonInput,
            "multipart/form-data": ApplyUploadInput,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                location=OpenApiParameter.HEADER,
                description="Repeat a request safely: the same key and body return the same job (kept 24 h)",
                examples=[OpenApiExample("Key", value="apply-2f6d1c9e")],
            )
        ],
        responses={200: ApplyOutput},
    )
    def post(self, request):
        """Charge the effect's credits and queue a job for the photo; returns the job id (status PENDING)."""
        params = ApplyInputSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        # With the catalog version a known effect is found without a query.
        effect = effect_get_active(ref=data["effectId"], catalog_version=effect_catalog_version())
        if effect is None:
            raise not_found("Effect not found")
        key = request.headers.get("Idempotency-Key")
        fingerprint = None
        if key is not None:
            # A repeat replays the answer it was charged for, whatever the balance is now.
            fingerprint = idempotency_fingerprint(
                parts=[
                    "apply",
                    str(effect.pk),
                    data.get("imageUrl") or "",
                    data.get("callbackUrl") or "",
                    _upload_sha256(data["image"]) if data.get("image") else "",
                ]
            )
            replay = idempotent_replay(user=request.user, key=key, fingerprint=fingerprint)
            if replay is not None:
                response = Response(replay.body, status=replay.status)
                response["Idempotent-Replayed"] = "true"
                return response
        # Before the image is read: an account that cannot pay never costs us a decode.
        job_affordable_check(user=request.user, effect=effect)
        source = image_from_upload(data["image"]) if data.get("image") else None
        image_url = image_url_check(data["imageUrl"], request=request) if data.get("imageUrl") else ""
        callback_url = _callback_url_check(data.get("callbackUrl") or "", request=request)

        def action():
            job = job_create(
                user=request.user, effect=effect, source=source, image_url=image_url, callback_url=callback_url
            )
            return 200, {"jobId": str(job.pk), "status": job.status}, job

        if key is None:
            status, body, _job = action()
            return Response(body, status=status)
        result = idempotent_run(user=request.user, key=key, fingerprint=fingerprint, action=action)
        response = Response(result.body, status=result.status)
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _upload_sha256(upload) -> str:
    """The uploaded file's SHA-256, read in chunks (the size cap is checked when it is validated)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _callback_url_check(url: str, *, request) -> str:
    if not url:
        return ""
    try:
        return image_url_check(url, request=request)
    except ApplicationError as exc:
        raise ApplicationError(ErrorCode.INVALID_INPUT, exc.message.replace("image URL", "callback URL")) from None


class JobListView(ApiView, generics.ListAPIView):
    api_key_scope = "read"
    permission_classes = [IsAuthenticated]
    serializer_class = JobSerializer

    def get_queryset(self):
        status = self.request.query_params.get("status") or None
        if status is not None and status not in JOB_STATUSES:
            raise ApplicationError(
                ErrorCode.VALIDATION_ERROR,
                "Invalid input",
                details={"status": [f"Must be one of {', '.join(JOB_STATUSES)}."]},
            )
        return job_list_for_user(user=self.request.user, status=status)

    @extend_schema(
        operation_id="jobs_list",
        summary="List the caller's jobs",
        description="Newest first, paginated.",
        tags=["jobs"],
        examples=[OpenApiExample("Jobs page", value=_JOB_EXAMPLE, response_only=True)],
        parameters=[OpenApiParameter("status", str, enum=JOB_STATUSES, description="Only jobs in this status")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class JobDetailView(ApiView):
    api_key_scope = {"GET": "read", "DELETE": "apply"}
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jobs_retrieve",
        summary="Read a job",
        description=(
            "The job's status, and once COMPLETED its signed `resultUrl` (it expires: read the job again "
            "for a fresh one). A FAILED job carries `error` and was refunded."
        ),
        tags=["jobs"],
        parameters=[_JOB_ID_PARAMETER],
        responses=JobSerializer,
        examples=[envelope_example("Completed", _JOB_EXAMPLE)],
    )
    def get(self, request, jobId: str):
        job = job_get_for_user(user=request.user, job_id=jobId)
        if job is None:
            raise not_found("Job not found")
        return Response(job_payload(job, request))

    @extend_schema(
        operation_id="jobs_destroy",
        summary="Delete a job",
        description="Deletes the job, its photo and its result. Credits already spent are not refunded.",
        tags=["jobs"],
        parameters=[_JOB_ID_PARAMETER],
        responses={200: Deleted},
        examples=[_DELETED_EXAMPLE],
    )
    def delete(self, request, jobId: str):
        return _delete_job(request, jobId)


@extend_schema(exclude=True)
class ReplicateWebhookView(ApiView):
    """POST /api/webhooks/replicate: Replicate's prediction webhook (signed, no user auth)."""

    api_key_scope = "apply"  # signed by Replicate; no user credentials

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Signed deliveries from the provider: a throttle would only make it retry later.
    throttle_classes: list = []

    def post(self, request):
        outcome = replicate_webhook_receive(body=request.body, headers=request.headers)
        return Response({"received": True, "outcome": outcome})
