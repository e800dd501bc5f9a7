"""POST /api/effects/apply: one photo, optionally waiting for the result (the batch: ``effects.api.batch``).

Both answer with the credit headers (``X-Credits-Charged``, ``X-Credits-Remaining``: the balance
read when the charge was written, in the same transaction). ``Prefer: wait=N`` (RFC 7240, as
Replicate uses it) holds a single apply until its job finishes, for up to N seconds: see
``effects.jobs.waiters`` for how the request is woken and how many may wait at once.
"""

from __future__ import annotations

import hashlib
import re

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.parsers import SafeJSONParser
from core.api.schema import envelope_example
from core.api.views import ApiView, not_found
from core.errors import ApplicationError, ErrorCode
from core.throttles import DEFAULT_THROTTLES, ApplyThrottle, UploadThrottle
from effects.api import _JOB_EXAMPLE, _JOB_ID_EXAMPLE
from effects.idempotency import idempotency_fingerprint, idempotent_replay, idempotent_run
from effects.ingestion import image_from_upload, image_url_check
from effects.jobs.create import job_affordable_check, job_create, job_output_check
from effects.jobs.payloads import JobSerializer, job_payload
from effects.jobs.waiters import MAX_WAIT_SECONDS, job_wait_finished, waiter_slot
from effects.models import JobStatus, OutputFormat
from effects.selectors.catalog import effect_catalog_version, effect_get_active
from effects.selectors.jobs import job_get_for_user

# --- Serializers -----------------------------------------------------------------------------

_OUTPUT_FORMAT_HELP = (
    "The result's format: png, jpeg or webp (default: the effect's own). An effect with a transparent "
    "result (a cut-out such as remove-background) cannot be delivered as jpeg."
)
_MAX_SIDE_HELP = (
    "The result's longest side at most, in pixels: 64 up to the effect's largest (IMAGE_MAX_SIDE, 2048 by "
    "default); never enlarged"
)


class OutputOptionsInput(serializers.Serializer):
    outputFormat = serializers.ChoiceField(choices=OutputFormat.choices, required=False, help_text=_OUTPUT_FORMAT_HELP)
    maxSide = serializers.IntegerField(required=False, help_text=_MAX_SIDE_HELP)


class ApplyInputSerializer(OutputOptionsInput):
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
            field = "image" if is_multipart(request) else "imageUrl"
            raise serializers.ValidationError({field: ["Give exactly one of imageUrl or an image file."]})
        return attrs


class ApplyJsonInput(OutputOptionsInput):
    """Apply an effect to a photo at a URL (JSON body)."""

    effectId = serializers.CharField(max_length=80, help_text="The effect's id or slug")
    imageUrl = serializers.URLField(max_length=2048, help_text="http(s) URL of the photo")
    callbackUrl = serializers.URLField(max_length=2048, required=False, allow_blank=True)


class ApplyUploadInput(OutputOptionsInput):
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
AppliedOrFinished = PolymorphicProxySerializer(
    component_name="ApplyAnswer",
    serializers=[ApplyOutput, JobSerializer],
    resource_type_field_name=None,
)

# --- Headers (their schema: core.api.schema.SUCCESS_HEADERS) ---------------------------------

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    description="Repeat a request safely: the same key and body return the same job(s) (kept 24 h)",
    examples=[OpenApiExample("Key", value="apply-2f6d1c9e")],
)
_PREFER_PARAMETER = OpenApiParameter(
    "Prefer",
    str,
    location=OpenApiParameter.HEADER,
    description=(
        "`wait=N` (1 to 60) or `wait` (60): answer once the job has finished, for up to N seconds (RFC 7240). "
        "Other preferences and invalid values are ignored."
    ),
    examples=[OpenApiExample("Wait", value="wait=10")],
)

_WAIT_RE = re.compile(r"^wait(?:\s*=\s*\"?(\d{1,3})\"?)?$", re.IGNORECASE)


def wait_preference(request) -> int | None:
    """The seconds a ``Prefer: wait[=N]`` header asks to wait (``wait`` alone: 60), or None.

    A value outside 1..60 or not a number is ignored, as RFC 7240 says of preferences a server does
    not understand: the request is answered at once.
    """
    for header in request.headers.get("Prefer", "").split(","):
        preference = header.split(";", 1)[0].strip()
        match = _WAIT_RE.match(preference)
        if match is None:
            continue
        if match.group(1) is None:
            return MAX_WAIT_SECONDS
        seconds = int(match.group(1))
        return seconds if 1 <= seconds <= MAX_WAIT_SECONDS else None
    return None


def is_multipart(request) -> bool:
    return request is not None and (request.content_type or "").startswith("multipart/")


def credit_headers(response: Response, *, charged: int, remaining: int) -> Response:
    response["X-Credits-Charged"] = str(charged)
    response["X-Credits-Remaining"] = str(remaining)
    return response


def replayed_answer(response: Response, request) -> Response:
    """A stored answer for a repeated Idempotency-Key: nothing charged now; the balance as it is now."""
    response["Idempotent-Replayed"] = "true"
    return credit_headers(response, charged=0, remaining=request.user.credits)


def _answer_after_waiting(request, *, job_id: str, seconds: int, pending: dict) -> Response:
    """The finished job (200, as GET /api/jobs/{id} shows it, ``Preference-Applied``) if it ends within
    ``seconds``; otherwise, or when this process's waiting places are all taken, 202 with ``pending``."""
    with waiter_slot() as waiting:
        if waiting and job_wait_finished(job_id=job_id, timeout=seconds):
            job = job_get_for_user(user=request.user, job_id=job_id)
            if job is not None:  # deleted meanwhile: answered as pending
                response = Response(job_payload(job, request), status=200)
                response["Preference-Applied"] = f"wait={seconds}"
                return response
    return Response(pending, status=202)


def effect_for(ref: str):
    # With the catalog version a known effect is found without a query.
    effect = effect_get_active(ref=ref, catalog_version=effect_catalog_version())
    if effect is None:
        raise not_found("Effect not found")
    return effect


def upload_sha256(upload) -> str:
    """The uploaded file's SHA-256, read in chunks (the size cap is checked when it is validated)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def callback_url_check(url: str, *, request) -> str:
    if not url:
        return ""
    try:
        return image_url_check(url, request=request)
    except ApplicationError as exc:
        raise ApplicationError(ErrorCode.INVALID_INPUT, exc.message.replace("image URL", "callback URL")) from None


def output_parts(data: dict) -> list[str]:
    return [data.get("outputFormat") or "", str(data.get("maxSide") or "")]


# --- Views -------------------------------------------------------------------------------------

_APPLY_DESCRIPTION = (
    "Charges the effect's credits and queues a job for the photo: a URL in a JSON body, or an "
    "uploaded file in a multipart body. Poll GET /api/jobs/{jobId} until COMPLETED or FAILED, "
    "or pass a `callbackUrl` to be told (see callbacks). A failed job is refunded.\n\n"
    "**Waiting for the result**: with `Prefer: wait=N` (1 to 60; `wait` alone is 60) the answer comes "
    "when the job has finished, for up to N seconds: 200 with the job exactly as GET /api/jobs/{jobId} "
    "returns it (with its `resultUrl`, or its `error`) and `Preference-Applied: wait=N`. A job still "
    "running after N seconds is answered 202 with the queued job, as is every waiting request beyond "
    "the server's waiting places (SYNC_APPLY_MAX_WAITERS per server process): then poll as usual. "
    "Without the header the answer is 200 with the queued job, at once.\n\n"
    "**Output**: `outputFormat` and `maxSide` choose the result's format and largest side.\n\n"
    "**Credits**: `X-Credits-Charged` and `X-Credits-Remaining` tell what was charged and what is left.\n\n"
    "With an `Idempotency-Key`, repeating the same request returns the same job "
    "(`Idempotent-Replayed: true`, `X-Credits-Charged: 0`) and charges once; a repeat with "
    "`Prefer: wait` waits for that job as the first request would have; the same key with another body is 422."
)


class ApplyView(ApiView):
    api_key_scope = "apply"
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser, MultiPartParser]
    throttle_classes = [*DEFAULT_THROTTLES, ApplyThrottle, UploadThrottle]
    documented_error_statuses = ["402", "422"]

    @extend_schema(
        operation_id="effects_apply",
        summary="Apply an effect to a photo",
        description=_APPLY_DESCRIPTION,
        tags=["effects"],
        examples=[
            OpenApiExample(
                "From a URL",
                value={"effectId": "sepia", "imageUrl": "https://example.com/photo.jpg"},
                request_only=True,
                media_type="application/json",
            ),
            OpenApiExample(
                "As a small JPEG",
                value={
                    "effectId": "sepia",
                    "imageUrl": "https://example.com/photo.jpg",
                    "outputFormat": "jpeg",
                    "maxSide": 512,
                },
                request_only=True,
                media_type="application/json",
            ),
            envelope_example("Queued", {"jobId": _JOB_ID_EXAMPLE, "status": "PENDING"}),
            envelope_example("Finished (Prefer: wait)", _JOB_EXAMPLE),
            envelope_example(
                "Still running (Prefer: wait)", {"jobId": _JOB_ID_EXAMPLE, "status": "PENDING"}, status=202
            ),
        ],
        request={
            "application/json": ApplyJsonInput,
            "multipart/form-data": ApplyUploadInput,
        },
        parameters=[IDEMPOTENCY_PARAMETER, _PREFER_PARAMETER],
        responses={
            200: OpenApiResponse(
                AppliedOrFinished,
                description="Queued (no Prefer: wait), or finished within the wait: the job as GET /api/jobs/{jobId}",
            ),
            202: OpenApiResponse(ApplyOutput, description="Asked to wait, but the job had not finished (poll it)"),
        },
    )
    def post(self, request):
        """Charge the effect's credits and queue a job for the photo; returns the job id (status PENDING)."""
        params = ApplyInputSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        wait = wait_preference(request)
        effect = effect_for(data["effectId"])
        output = job_output_check(effect=effect, output_format=data.get("outputFormat"), max_side=data.get("maxSide"))
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
                    upload_sha256(data["image"]) if data.get("image") else "",
                    *output_parts(data),
                ]
            )
            replay = idempotent_replay(user=request.user, key=key, fingerprint=fingerprint)
            if replay is not None:
                return replayed_answer(self._answer(request, replay.status, replay.body, wait), request)
        # Before the image is read: an account that cannot pay never costs us a decode.
        job_affordable_check(user=request.user, effect=effect)
        source = image_from_upload(data["image"]) if data.get("image") else None
        image_url = image_url_check(data["imageUrl"], request=request) if data.get("imageUrl") else ""
        callback_url = callback_url_check(data.get("callbackUrl") or "", request=request)
        charged = {}

        def action():
            job = job_create(
                user=request.user,
                effect=effect,
                source=source,
                image_url=image_url,
                callback_url=callback_url,
                output=output,
            )
            charged.update(charged=job.credits_charged, remaining=job.credits_remaining)
            return 200, {"jobId": str(job.pk), "status": job.status}, job

        if key is None:
            status, body, _job = action()
            return credit_headers(self._answer(request, status, body, wait), **charged)
        result = idempotent_run(user=request.user, key=key, fingerprint=fingerprint, action=action)
        response = self._answer(request, result.status, result.body, wait)
        if result.replayed:
            return replayed_answer(response, request)
        return credit_headers(response, **charged)

    @staticmethod
    def _answer(request, status: int, body: dict, wait: int | None) -> Response:
        """The queued job as stored (status ``status``), or with ``Prefer: wait`` the waited answer."""
        if wait is None or status != 200 or "jobId" not in body:
            return Response(body, status=status)
        return _answer_after_waiting(request, job_id=body["jobId"], seconds=wait, pending=body)
