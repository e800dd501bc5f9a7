"""Job lifecycle writes: create (charge + job in one transaction, enqueue after commit), delete."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import requests
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Plan as PlanCode
from billing.services import credits_charge, credits_refund
from effects.engines import EngineError, get_engine, parse_model_id, segmentation, validate_config
from effects.engines.replicate import Prediction, ReplicateClient
from effects.ingestion import ValidatedImage, image_fetch, image_validate_bytes, safe_http_request
from effects.models import Effect, Job, JobStatus, job_result_upload_to, job_source_upload_to
from photomania.api.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

PRIORITY_PLANS = {PlanCode.STARTER, PlanCode.PRO, PlanCode.ENTERPRISE}

# The engines import nothing from Django: the segmentation model's location is handed over here,
# once per process (every process that runs or validates effects imports this module).
segmentation.configure(model_path=settings.SEGMENTATION_MODEL_PATH)


def effect_catalog_changed() -> None:
    """Invalidate cached catalog reads in every process (called on every Effect write)."""
    from effects.selectors import CATALOG_VERSION_KEY

    cache.set(CATALOG_VERSION_KEY, uuid.uuid4().hex, None)


def effects_set_active(*, effects, active: bool) -> int:
    """Show or hide effects in the catalog (bulk); returns how many changed."""
    changed = effects.exclude(is_active=active).update(is_active=active, updated_at=timezone.now())
    # A bulk update sends no model signals, so say so ourselves (now, and again after commit).
    effect_catalog_changed()
    transaction.on_commit(effect_catalog_changed)
    return changed


def _unique_copy_slug(slug: str) -> str:
    base = f"{slug[:70]}-copy"
    candidate, n = base, 2
    while Effect.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def effect_duplicate(*, effect: Effect) -> Effect:
    """An inactive copy of an effect (same engine, config and price) for staff to tweak."""
    return Effect.objects.create(
        name=f"{effect.name} (copy)"[:120],
        slug=_unique_copy_slug(effect.slug),
        description=effect.description,
        credits=effect.credits,
        category=effect.category,
        model_id=effect.model_id,
        config=effect.config,
        is_active=False,
        position=effect.position,
    )


def job_queue_for(*, user) -> str:
    """Paid plans' jobs go to the priority queue, which workers drain first."""
    return "priority" if user.plan in PRIORITY_PLANS else "default"


def job_enqueue(*, job: Job) -> None:
    """Send the job's task to its queue once the current transaction commits."""
    transaction.on_commit(lambda: _publish(job), robust=True)


def _publish(job: Job, suffix: str = "0") -> None:
    from effects.tasks import process_job

    # A broker outage here must not fail the request: the job is committed and PENDING with no
    # enqueued_at, and the sweeper re-enqueues such jobs once JOB_ENQUEUE_GRACE has passed.
    process_job.apply_async(args=[str(job.pk)], queue=job.queue, task_id=f"job-{job.pk}-{suffix}")
    Job.objects.filter(pk=job.pk, status=JobStatus.PENDING, enqueued_at__isnull=True).update(enqueued_at=timezone.now())


def effect_ensure_runnable(*, effect: Effect) -> None:
    """Refuse (503, nothing charged) an effect whose engine, config or model is not usable now."""
    try:
        validate_config(effect.model_id, effect.config)
    except EngineError as exc:
        logger.error("effect %s cannot run: %s", effect.slug, exc.message)
        raise ApplicationError(
            ErrorCode.SERVICE_UNAVAILABLE, "This effect is temporarily unavailable; you were not charged"
        ) from None


def job_create(
    *,
    user,
    effect: Effect,
    source: ValidatedImage | None = None,
    image_url: str = "",
    callback_url: str = "",
) -> Job:
    """Charge the effect's credits and create a PENDING job in one transaction; enqueue after commit.

    Exactly one of ``source`` (validated uploaded bytes) or ``image_url`` (already checked by
    the caller, fetched again safely by the worker) must be given.
    """
    if (source is None) == (not image_url):
        raise ValueError("give exactly one of source or image_url")
    effect_ensure_runnable(effect=effect)
    job_id = uuid.uuid4()
    with transaction.atomic():
        job = Job(
            id=job_id,
            user=user,
            effect=effect,
            source_url=image_url,
            callback_url=callback_url,
            credits_charged=effect.credits,
            queue=job_queue_for(user=user),
        )
        if source is not None:
            # The key is fixed per job, so the row can name it before the bytes are written.
            job.source.name = job_source_upload_to(job, f"source.{source.extension}")
        job.save(force_insert=True)
        credits_charge(user=user, amount=effect.credits, reference=f"charge:{job_id}", job=job)
        if source is not None:
            # Stored inside the transaction: if the upload fails, no charge survives.
            stored = job.source.storage.save(job.source.name, ContentFile(source.data))
            if stored != job.source.name:
                job.source.name = stored
                Job.objects.filter(pk=job.pk).update(source=stored)
        job_enqueue(job=job)
    return job


def job_delete(*, job: Job) -> None:
    """Delete a job and its stored files (DELETE /api/effects/{id} or /api/jobs/{id})."""
    names = [f.name for f in (job.source, job.result) if f]
    storage = job.source.storage
    job.delete()
    for name in names:
        transaction.on_commit(lambda n=name: storage.delete(n))


# --- Processing ---------------------------------------------------------------------------------


class JobOutcome(StrEnum):
    SKIPPED = "skipped"  # not ours to run (duplicate delivery, already terminal, unknown id)
    DONE = "done"  # reached a terminal status
    RETRY = "retry"  # transient failure: run process_job again after ``countdown``
    WAIT = "wait"  # waiting on the provider: poll again after ``countdown``


@dataclass(frozen=True)
class JobStep:
    outcome: JobOutcome
    countdown: float = 0.0
    queue: str = "default"


def _result_storage():
    return Job._meta.get_field("result").storage


def job_source_load(*, job: Job) -> ValidatedImage:
    """The job's source image: the stored upload, or the URL fetched again SSRF-safely (then stored)."""
    if job.source:
        with job.source.open("rb") as handle:
            return image_validate_bytes(handle.read(), decode=False)
    # Checked again here, not only at apply time: DNS may now answer with a private address.
    source = image_fetch(job.source_url)
    job.source.save(f"source.{source.extension}", ContentFile(source.data), save=False)
    Job.objects.filter(pk=job.pk).update(source=job.source.name)
    return source


def job_process(*, job_id) -> JobStep:
    """Run a PENDING job once: claim it (PENDING→PROCESSING), apply its effect, finish or reschedule.

    A duplicate delivery finds the job already claimed and does nothing.
    """
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.PROCESSING, started_at=now, updated_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return JobStep(JobOutcome.SKIPPED)
    job = Job.objects.select_related("effect", "user").get(pk=job_id)
    try:
        ref = parse_model_id(job.effect.model_id)
        config = validate_config(job.effect.model_id, job.effect.config)
        if ref.engine == "replicate":
            return _job_start_prediction(job=job, model=ref.model, config=config)
        source = job_source_load(job=job)
        output = get_engine(ref.engine).apply(ref.model, config, source.data, max_side=settings.IMAGE_MAX_SIDE)
        job_complete(job=job, data=output.data, extension=output.extension)
        return JobStep(JobOutcome.DONE)
    except ApplicationError as exc:
        # The image itself is unusable (bad bytes, refused URL): permanent.
        _job_fail(job=job, code=ErrorCode.INVALID_INPUT, message=exc.message)
    except EngineError as exc:
        if exc.transient:
            return _job_retry_later(job=job, code=exc.code, message=exc.message)
        _job_fail(job=job, code=exc.code, message=_engine_message(exc))
    except (OSError, requests.RequestException) as exc:
        # Storage or network hiccups: try again later.
        logger.warning("job %s: transient error %r", job.pk, exc)
        return _job_retry_later(job=job, code="TRANSIENT_ERROR", message="A temporary error occurred")
    except SoftTimeLimitExceeded:
        _job_fail(job=job, code="TIMEOUT", message="The effect took too long to run")
    except Exception:
        logger.exception("job %s: unexpected error", job.pk)
        return _job_retry_later(job=job, code=ErrorCode.INTERNAL_ERROR, message="An internal error occurred")
    return JobStep(JobOutcome.DONE)


def _engine_message(exc: EngineError) -> str:
    if exc.code == "INVALID_IMAGE":
        return f"The image could not be processed: {exc.message}"
    if exc.code == "EFFECT_MISCONFIGURED":
        return "This effect is misconfigured; our team has been notified"
    return exc.message[:500]


def _retry_countdown(attempt: int) -> float:
    """Exponential backoff with full jitter, bounded by JOB_RETRY_BACKOFF_MAX."""
    ceiling = min(settings.JOB_RETRY_BACKOFF_MAX, settings.JOB_RETRY_BACKOFF_BASE * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)


def _job_retry_later(*, job: Job, code: str, message: str) -> JobStep:
    """Put a PROCESSING job back to PENDING for another attempt, or fail it when attempts are used up."""
    job.refresh_from_db(fields=["attempts", "status"])
    if job.attempts > settings.JOB_MAX_RETRIES:
        _job_fail(job=job, code=code, message=f"{message} (gave up after {job.attempts} attempts)")
        return JobStep(JobOutcome.DONE)
    countdown = _retry_countdown(job.attempts)
    Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING).update(
        status=JobStatus.PENDING,
        error_code=code,
        error_message=message[:500],
        # When the retry is due: the sweeper treats the job as lost only well after this.
        enqueued_at=timezone.now() + timedelta(seconds=countdown),
        updated_at=timezone.now(),
    )
    return JobStep(JobOutcome.RETRY, countdown=countdown, queue=job.queue)


def job_complete(*, job: Job, data: bytes, extension: str) -> bool:
    """Store the result at the job's fixed key and mark it COMPLETED (once). False if it was already terminal."""
    name = job_result_upload_to(job, f"result.{extension}")
    storage = _result_storage()
    stored = storage.save(name, ContentFile(data))
    with transaction.atomic():
        now = timezone.now()
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING).update(
            status=JobStatus.COMPLETED,
            result=stored,
            error_code="",
            error_message="",
            completed_at=now,
            updated_at=now,
        )
        if updated:
            _job_terminal_hooks(job=job)
    if updated:
        logger.info("job %s completed", job.pk)
    job.refresh_from_db()
    return bool(updated)


def _job_fail(*, job: Job, code: str, message: str, from_statuses=(JobStatus.PENDING, JobStatus.PROCESSING)) -> bool:
    """FAILED with an error, and the charge refunded exactly once (``refund:<job>``)."""
    with transaction.atomic():
        now = timezone.now()
        updated = Job.objects.filter(pk=job.pk, status__in=from_statuses).update(
            status=JobStatus.FAILED,
            error_code=str(code)[:40],
            error_message=message[:500],
            completed_at=now,
            updated_at=now,
        )
        if updated:
            job_refund(job=job)
            _job_terminal_hooks(job=job)
    job.refresh_from_db()
    return bool(updated)


def job_refund(*, job: Job) -> None:
    """Give the job's credits back through the ledger; the reference makes it happen at most once."""
    if job.credits_charged:
        credits_refund(
            user=job.user,
            amount=job.credits_charged,
            reference=f"refund:{job.pk}",
            job=job,
            note=f"Refund for failed job {job.pk}",
        )


def job_fail(*, job: Job, code: str, message: str) -> Job:
    """Fail a job (admin action) and refund it once; a COMPLETED job can be failed too."""
    _job_fail(
        job=job,
        code=code,
        message=message,
        from_statuses=(JobStatus.PENDING, JobStatus.PROCESSING, JobStatus.COMPLETED),
    )
    return job


def job_retry(*, job: Job) -> Job:
    """Run a FAILED or stuck job again (admin action). A refunded job is re-run free of charge."""
    with transaction.atomic():
        updated = Job.objects.filter(
            pk=job.pk, status__in=(JobStatus.FAILED, JobStatus.PENDING, JobStatus.PROCESSING)
        ).update(
            status=JobStatus.PENDING,
            error_code="",
            error_message="",
            attempts=0,
            provider_prediction_id="",
            completed_at=None,
            updated_at=timezone.now(),
        )
        if updated:
            job.refresh_from_db()
            job_enqueue(job=job)
    job.refresh_from_db()
    return job


def _job_terminal_hooks(*, job: Job) -> None:
    """After a terminal transition commits: the client callback, if the job asked for one."""
    job_id = job.pk
    if job.callback_url:
        transaction.on_commit(lambda: _publish_callback(job_id=str(job_id)), robust=True)


def _publish_callback(*, job_id: str) -> None:
    from effects.tasks import send_job_callback

    send_job_callback.apply_async(args=[job_id], queue="default")


# --- Replicate ----------------------------------------------------------------------------------


def _replicate_client() -> ReplicateClient:
    return ReplicateClient(
        base=settings.REPLICATE_API_BASE, token=settings.REPLICATE_API_TOKEN, timeout=settings.REPLICATE_TIMEOUT
    )


def _replicate_webhook_url() -> str | None:
    if not settings.REPLICATE_WEBHOOK_SECRET:
        return None
    return settings.SITE_URL + reverse("webhook-replicate")


def _poll_step(job: Job) -> JobStep:
    return JobStep(JobOutcome.WAIT, countdown=settings.REPLICATE_POLL_INTERVAL, queue=job.queue)


def _job_start_prediction(*, job: Job, model: str, config: dict) -> JobStep:
    """Create the prediction once (its id is saved at once), or resume the one already created."""
    client = _replicate_client()
    if job.provider_prediction_id:
        prediction = client.get_prediction(job.provider_prediction_id)
    else:
        source = job_source_load(job=job)
        prediction = client.create_prediction(
            model=model,
            config=config,
            image=source.data,
            content_type=source.content_type,
            webhook_url=_replicate_webhook_url(),
        )
        Job.objects.filter(pk=job.pk).update(provider_prediction_id=prediction.id)
        job.provider_prediction_id = prediction.id
    return job_prediction_update(job=job, prediction=prediction)


def job_prediction_update(*, job: Job, prediction: Prediction) -> JobStep:
    """Act on a prediction's status: copy a succeeded output into our storage, fail a failed one, else wait."""
    if prediction.status == "succeeded":
        if not prediction.output_url:
            _job_fail(job=job, code="PROVIDER_FAILED", message="The AI provider returned no image")
            return JobStep(JobOutcome.DONE)
        try:
            # Provider outputs expire: copy the bytes now, through the same SSRF-safe fetcher.
            output = image_fetch(prediction.output_url)
        except ApplicationError as exc:
            _job_fail(job=job, code="PROVIDER_FAILED", message=f"The AI provider's output was unusable: {exc.message}")
            return JobStep(JobOutcome.DONE)
        job_complete(job=job, data=output.data, extension=output.extension)
        return JobStep(JobOutcome.DONE)
    if prediction.status in ("failed", "canceled"):
        detail = f": {prediction.error}" if prediction.error else ""
        _job_fail(job=job, code="PROVIDER_FAILED", message=f"The AI provider {prediction.status} the job{detail}")
        return JobStep(JobOutcome.DONE)
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now())
    return _poll_step(job)


def job_poll(*, job_id) -> JobStep:
    """Check a PROCESSING provider job (polling fallback, or nudged by the webhook)."""
    job = Job.objects.select_related("effect", "user").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.PROCESSING or not job.provider_prediction_id:
        return JobStep(JobOutcome.SKIPPED)
    started = job.started_at or job.created_at
    if timezone.now() - started > timedelta(seconds=settings.REPLICATE_DEADLINE):
        with contextlib.suppress(EngineError):
            _replicate_client().cancel_prediction(job.provider_prediction_id)
        _job_fail(job=job, code="TIMEOUT", message="The AI provider took too long")
        return JobStep(JobOutcome.DONE)
    try:
        prediction = _replicate_client().get_prediction(job.provider_prediction_id)
    except EngineError as exc:
        if not exc.transient:
            _job_fail(job=job, code=exc.code, message=exc.message)
            return JobStep(JobOutcome.DONE)
        return _poll_step(job)
    try:
        return job_prediction_update(job=job, prediction=prediction)
    except (OSError, requests.RequestException):
        return _poll_step(job)


# --- Sweeper ------------------------------------------------------------------------------------


def jobs_sweep(*, now: datetime | None = None) -> dict:
    """Recover lost work: re-enqueue PENDING jobs whose message never ran; retry or fail PROCESSING jobs
    past the time limit (a killed worker); nudge provider jobs that went quiet."""
    now = now or timezone.now()
    counts = {"requeued": 0, "restarted": 0, "failed": 0, "polled": 0}
    grace = timedelta(seconds=settings.JOB_ENQUEUE_GRACE)
    lost = Job.objects.filter(status=JobStatus.PENDING).filter(
        Q(enqueued_at__isnull=True, created_at__lt=now - grace)
        | Q(enqueued_at__lt=now - timedelta(seconds=settings.JOB_PENDING_STALE))
    )
    for job in lost.only("id", "queue")[:500]:
        if Job.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(enqueued_at=None):
            _publish(job, suffix=f"s{int(now.timestamp())}")
            counts["requeued"] += 1
    stale = now - timedelta(seconds=settings.JOB_TIME_LIMIT + settings.JOB_ENQUEUE_GRACE)
    stuck = Job.objects.filter(status=JobStatus.PROCESSING, provider_prediction_id="", started_at__lt=stale)
    for job in stuck.select_related("user")[:500]:
        if job.attempts > settings.JOB_MAX_RETRIES:
            if _job_fail(
                job=job, code="TIMEOUT", message="The job did not finish in time", from_statuses=(JobStatus.PROCESSING,)
            ):
                counts["failed"] += 1
        elif Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING, started_at__lt=stale).update(
            status=JobStatus.PENDING, enqueued_at=None, updated_at=now
        ):
            _publish(job, suffix=f"s{int(now.timestamp())}")
            counts["restarted"] += 1
    quiet = Job.objects.filter(status=JobStatus.PROCESSING).exclude(provider_prediction_id="")
    quiet = quiet.filter(updated_at__lt=now - timedelta(seconds=max(60, settings.REPLICATE_POLL_INTERVAL * 10)))
    for job in quiet.only("id", "queue")[:500]:
        _publish_poll(job=job, countdown=0)
        counts["polled"] += 1
    return counts


def _publish_poll(*, job: Job, countdown: float) -> None:
    from effects.tasks import poll_job

    poll_job.apply_async(args=[str(job.pk)], queue=job.queue, countdown=countdown)


# --- Client callbacks ---------------------------------------------------------------------------


class CallbackDeliveryError(Exception):
    """The client's endpoint did not accept the callback (worth retrying)."""


def callback_signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    """``t=<unix>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>``, as Stripe does."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def job_callback_body(*, job: Job) -> bytes:
    """The job JSON the API returns for GET /api/jobs/{id}."""
    from effects.api import job_payload

    return json.dumps(job_payload(job), cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def job_callback_send(*, job_id) -> bool:
    """POST the finished job to its callbackUrl, signed; SSRF-safe, no redirects.

    Returns False when there is nothing to send or the URL is refused (not worth retrying);
    raises CallbackDeliveryError when the endpoint failed (retry with backoff).
    """
    job = Job.objects.select_related("user", "effect").filter(pk=job_id).first()
    if job is None or not job.callback_url or not job.is_terminal:
        return False
    body = job_callback_body(job=job)
    headers = {
        "Content-Type": "application/json",
        "PhotoMania-Signature": callback_signature_header(secret=job.user.callback_secret, body=body),
        "PhotoMania-Event": f"job.{job.status.lower()}",
    }
    try:
        response = safe_http_request(
            "POST", job.callback_url, data=body, headers=headers, max_bytes=64 * 1024, timeout=settings.CALLBACK_TIMEOUT
        )
    except ApplicationError as exc:
        logger.info("job %s: callback URL refused: %s", job.pk, exc.message)
        return False
    except (requests.RequestException, TimeoutError, OSError) as exc:
        raise CallbackDeliveryError(f"callback failed: {type(exc).__name__}") from None
    if not 200 <= response.status < 300:
        raise CallbackDeliveryError(f"callback answered HTTP {response.status}")
    return True


# --- Admin tools --------------------------------------------------------------------------------

SAMPLE_IMAGE = Path(__file__).resolve().parent / "samples" / "sample.jpg"


def effect_try(*, effect: Effect, source: ValidatedImage) -> bytes:
    """Run a built-in effect on the given image now, charging no one (admin "try it")."""
    try:
        ref = parse_model_id(effect.model_id)
        config = validate_config(effect.model_id, effect.config)
        if ref.engine != "local":
            raise ApplicationError(ErrorCode.INVALID_INPUT, "Only built-in effects can be tried instantly", status=400)
        return get_engine("local").apply(ref.model, config, source.data, max_side=settings.IMAGE_MAX_SIDE).data
    except EngineError as exc:
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"The effect failed: {exc.message}", status=400) from None


def effect_render_preview(*, effect: Effect) -> Effect:
    """Render the effect on the bundled sample photo and store it as the effect's preview."""
    sample = image_validate_bytes(SAMPLE_IMAGE.read_bytes())
    data = effect_try(effect=effect, source=sample)
    preview = Image.open(io.BytesIO(data)).convert("RGB")
    buffer = io.BytesIO()
    preview.save(buffer, "JPEG", quality=85)
    old = effect.preview.name if effect.preview else ""
    effect.preview.save("preview.jpg", ContentFile(buffer.getvalue()), save=False)
    Effect.objects.filter(pk=effect.pk).update(preview=effect.preview.name)
    if old and old != effect.preview.name:
        transaction.on_commit(lambda: effect.preview.storage.delete(old))
    return effect


def job_timeout(*, job_id) -> None:
    """The worker's soft time limit hit mid-job: fail it (and refund) rather than leave it PROCESSING."""
    job = Job.objects.select_related("user").filter(pk=job_id).first()
    if job is not None:
        _job_fail(
            job=job, code="TIMEOUT", message="The effect took too long to run", from_statuses=(JobStatus.PROCESSING,)
        )
