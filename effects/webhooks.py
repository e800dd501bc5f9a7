"""Replicate webhook intake: verify the Standard-Webhooks signature, then nudge the job's poll task.

The view that receives it is ``effects.api.ReplicateWebhookView``.

The request does no slow work: it only schedules ``effects.poll_job``, which reads the
prediction from the API (the source of truth) and copies the output into our storage.

A delivery is acted on once: its ``webhook-id`` is remembered (in the shared cache) for longer
than a signed timestamp stays acceptable, so a replay of a signed request (or a redelivery of one
already handled) is acknowledged and does nothing.
"""

import json
import logging

from django.conf import settings
from django.core.cache import cache

from core.errors import ApplicationError, ErrorCode
from core.metrics import WEBHOOK_SIGNATURE_FAILURES
from effects.engines import EngineFailure
from effects.engines.replicate import WEBHOOK_TOLERANCE, prediction_from_json, webhook_verify
from effects.jobs.dispatch import job_poll_publish
from effects.models import Job, JobStatus

logger = logging.getLogger(__name__)

# A timestamp is accepted up to WEBHOOK_TOLERANCE either side of now, so one delivery can be
# replayed for up to twice that after it first arrived; its id is kept a minute longer.
SEEN_DELIVERY_SECONDS = 2 * WEBHOOK_TOLERANCE + 60


def replicate_webhook_receive(*, body: bytes, headers) -> str:
    """Verify a delivery and schedule a poll of its job; returns what happened (for logs/tests)."""
    secret = settings.REPLICATE_WEBHOOK_SECRET
    if not secret:
        raise ApplicationError(ErrorCode.SERVICE_UNAVAILABLE, "Webhooks are not configured")
    lowered = {key.lower(): value for key, value in headers.items()}
    if not webhook_verify(secret=secret, headers=lowered, body=body):
        WEBHOOK_SIGNATURE_FAILURES.labels("replicate").inc()
        raise ApplicationError(ErrorCode.INVALID_INPUT, "Invalid signature")
    try:
        prediction = prediction_from_json(json.loads(body))
    except (ValueError, EngineFailure):
        raise ApplicationError(ErrorCode.INVALID_INPUT, "Malformed prediction")
    seen_key = f"webhooks:replicate:{lowered['webhook-id']}"
    if not cache.add(seen_key, 1, SEEN_DELIVERY_SECONDS):
        return "duplicate"
    job = Job.objects.filter(provider_prediction_id=prediction.id).only("id", "status", "queue").first()
    if job is None or job.status != JobStatus.PROCESSING:
        return "ignored"
    try:
        job_poll_publish(job_id=str(job.pk), queue=job.queue)
    except Exception:
        cache.delete(seen_key)  # not handled: the provider's redelivery must be acted on
        raise
    return "scheduled"
