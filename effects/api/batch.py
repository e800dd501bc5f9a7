"""POST /api/effects/apply/batch: one effect applied to up to 20 photos, all charged or none.

Every item is checked before anything is charged; the uploads are validated one at a time and
spooled (``_upload_sources``), so twenty full-size photos are never held in memory at once.
"""

from __future__ import annotations

import tempfile

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.parsers import SafeJSONParser
from core.api.schema import envelope_example
from core.api.views import ApiView
from core.errors import ApplicationError, ErrorCode
from core.throttles import DEFAULT_THROTTLES, ApplyThrottle, UploadThrottle
from effects.api import _JOB_ID_EXAMPLE
from effects.api.apply import (
    IDEMPOTENCY_PARAMETER,
    ApplyOutput,
    OutputOptionsInput,
    callback_url_check,
    credit_headers,
    effect_for,
    is_multipart,
    output_parts,
    replayed_answer,
    upload_sha256,
)
from effects.idempotency import idempotency_fingerprint, idempotent_replay, idempotent_run
from effects.ingestion import image_from_upload, image_url_check
from effects.jobs.create import JobSource, job_affordable_check, job_output_check, jobs_create_batch

BATCH_MAX_ITEMS = 20
# A validated upload of a batch is kept in memory up to this size, on disk beyond it, until it is stored.
_SPOOL_BYTES = 1024 * 1024


class BatchItemInput(serializers.Serializer):
    imageUrl = serializers.URLField(max_length=2048, help_text="http(s) URL of the photo")


class BatchJsonInput(OutputOptionsInput):
    """Apply one effect to up to 20 photos at URLs (JSON body)."""

    effectId = serializers.CharField(max_length=80, help_text="The effect's id or slug")
    items = BatchItemInput(many=True, help_text=f"1 to {BATCH_MAX_ITEMS} photos, each a job, in this order")
    callbackUrl = serializers.URLField(max_length=2048, required=False, allow_blank=True)

    def validate_items(self, items):
        if not 1 <= len(items) <= BATCH_MAX_ITEMS:
            raise serializers.ValidationError(f"Give 1 to {BATCH_MAX_ITEMS} items.")
        return items


class BatchUploadInput(OutputOptionsInput):
    """Apply one effect to up to 20 uploaded photos (multipart: repeat the ``image`` part)."""

    effectId = serializers.CharField(max_length=80, help_text="The effect's id or slug")
    image = serializers.ListField(
        child=serializers.FileField(),
        min_length=1,
        max_length=BATCH_MAX_ITEMS,
        help_text=f"1 to {BATCH_MAX_ITEMS} photos (JPEG, PNG or WEBP): repeat the part; one job each, in this order",
    )
    callbackUrl = serializers.URLField(max_length=2048, required=False, allow_blank=True)


BatchOutput = inline_serializer(
    "BatchApplyResult",
    fields={"jobs": ApplyOutput.__class__(many=True, help_text="One job per item, in the items' order")},
)


class BatchApplyView(ApiView):
    """Apply one effect to several photos: one job each, charged together or not at all."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser, MultiPartParser]
    # Each item counts as one apply (and one upload, for files) in the same budgets as single applies.
    throttle_classes = [*DEFAULT_THROTTLES, ApplyThrottle, UploadThrottle]
    documented_error_statuses = ["402", "422"]
    api_key_scope = "apply"

    def throttle_cost(self, request) -> int:
        """How many applies the request counts as in the apply and upload throttles: its items (at most
        one more than allowed, which is refused anyway)."""
        if is_multipart(request):
            count = len(request.FILES.getlist("image"))
        else:
            items = request.data.get("items") if isinstance(request.data, dict) else None
            count = len(items) if isinstance(items, list) else 1
        return max(1, min(count, BATCH_MAX_ITEMS + 1))

    @extend_schema(
        operation_id="effects_apply_batch",
        summary="Apply an effect to several photos",
        description=(
            f"One effect, 1 to {BATCH_MAX_ITEMS} photos: photo URLs as `items` in a JSON body, or files as "
            "repeated `image` parts of a multipart body. Every item is checked first; a bad one is reported "
            "by its index (`details`: `items.<i>.imageUrl` or `image.<i>` -> messages) and nothing is "
            "charged. The credits of the whole batch are checked at once: too few for all of them is 402 "
            "(`needed` is the batch's total) and no job is created. Otherwise one job per photo is queued, "
            "each charged like a single apply, and the answer lists them in the items' order. Each item "
            "counts as one apply (and one upload) in the rate limits. `outputFormat`, `maxSide` and "
            "`callbackUrl` apply to every job. With an `Idempotency-Key`, a repeat returns the same jobs "
            "and charges nothing; the same key with another body is 422."
        ),
        tags=["effects"],
        examples=[
            OpenApiExample(
                "Two URLs",
                value={
                    "effectId": "sepia",
                    "items": [{"imageUrl": "https://example.com/a.jpg"}, {"imageUrl": "https://example.com/b.jpg"}],
                },
                request_only=True,
                media_type="application/json",
            ),
            envelope_example(
                "Queued",
                {"jobs": [{"jobId": _JOB_ID_EXAMPLE, "status": "PENDING"}]},
                status=202,
            ),
        ],
        request={"application/json": BatchJsonInput, "multipart/form-data": BatchUploadInput},
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={202: OpenApiResponse(BatchOutput, description="The jobs, queued, in the items' order")},
    )
    def post(self, request):
        multipart = is_multipart(request)
        if multipart:
            payload = {key: request.data.get(key) for key in ("effectId", "callbackUrl", "outputFormat", "maxSide")}
            payload = {key: value for key, value in payload.items() if value is not None}
            payload["image"] = request.FILES.getlist("image")
            params = BatchUploadInput(data=payload)
        else:
            params = BatchJsonInput(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        effect = effect_for(data["effectId"])
        output = job_output_check(effect=effect, output_format=data.get("outputFormat"), max_side=data.get("maxSide"))
        uploads = data.get("image") or []
        urls = [item["imageUrl"] for item in data.get("items") or []]
        key = request.headers.get("Idempotency-Key")
        fingerprint = None
        if key is not None:
            fingerprint = idempotency_fingerprint(
                parts=[
                    "apply-batch",
                    str(effect.pk),
                    data.get("callbackUrl") or "",
                    *output_parts(data),
                    *urls,
                    *(upload_sha256(upload) for upload in uploads),
                ]
            )
            replay = idempotent_replay(user=request.user, key=key, fingerprint=fingerprint)
            if replay is not None:
                return replayed_answer(Response(replay.body, status=replay.status), request)
        job_affordable_check(user=request.user, effect=effect, count=len(uploads) or len(urls))
        callback_url = callback_url_check(data.get("callbackUrl") or "", request=request)
        sources = _upload_sources(uploads) if multipart else _url_sources(urls, request=request)
        charged = {}

        def action():
            jobs = jobs_create_batch(
                user=request.user, effect=effect, sources=sources, callback_url=callback_url, output=output
            )
            charged.update(charged=sum(job.credits_charged for job in jobs), remaining=jobs[-1].credits_remaining)
            return 202, {"jobs": [{"jobId": str(job.pk), "status": job.status} for job in jobs]}, None

        try:
            if key is None:
                status, body, _none = action()
                return credit_headers(Response(body, status=status), **charged)
            result = idempotent_run(user=request.user, key=key, fingerprint=fingerprint, action=action)
        finally:
            for source in sources:
                if source.file is not None:
                    source.file.close()
        if result.replayed:
            return replayed_answer(Response(result.body, status=result.status), request)
        return credit_headers(Response(result.body, status=result.status), **charged)


def _upload_sources(uploads) -> list[JobSource]:
    """Validate each upload in turn (one decoded at a time) and spool its cleaned bytes; every bad
    one is reported by its index, and nothing is kept when any is bad."""
    sources, errors = [], {}
    for index, upload in enumerate(uploads):
        try:
            image = image_from_upload(upload)
        except ApplicationError as exc:
            errors[f"image.{index}"] = [exc.message]
            continue
        spooled = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (closed by the view)
        spooled.write(image.data)
        sources.append(JobSource(file=spooled, extension=image.extension))
        del image  # one decoded upload at a time
    if errors:
        for source in sources:
            source.file.close()
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, "Invalid input", details=errors)
    return sources


def _url_sources(urls: list[str], *, request) -> list[JobSource]:
    sources, errors = [], {}
    for index, url in enumerate(urls):
        try:
            sources.append(JobSource(url=image_url_check(url, request=request)))
        except ApplicationError as exc:
            errors[f"items.{index}.imageUrl"] = [exc.message]
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, "Invalid input", details=errors)
    return sources
