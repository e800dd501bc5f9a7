"""/api/effects and /api/jobs: the catalog and the caller's jobs (applying an effect: ``effects.api.apply``).

The job JSON (``job_payload``, documented by ``JobSerializer``) lives in ``effects.jobs.payloads``:
the pipeline POSTs the same payload to a client's ``callbackUrl``.
"""

from __future__ import annotations

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
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core.api.renderers import EnvelopeJSONRenderer
from core.api.schema import envelope_example
from core.api.views import ApiView, not_found
from core.cache import BoundedCache
from core.errors import ApplicationError, ErrorCode
from core.throttles import AnonThrottle
from effects.jobs.delete import job_delete
from effects.jobs.payloads import (
    JobSerializer,
    RenditionSetSerializer,
    file_url,
    job_payload,
    rendition_set,
)
from effects.models import Effect
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
