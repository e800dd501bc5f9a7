"""Replicate webhook intake: verify the Standard-Webhooks signature, then nudge the job's poll task.

The view that receives it is ``effects.api.ReplicateWebhookView``.

The request does no slow work: it only schedules ``effects.poll_job``, which reads the
prediction from the API (the source of truth) and copies the output into our storage.
"""

import json
import logging

from django.conf import settings

from core.errors import ApplicationError, ErrorCode
from core.metrics import WEBHOOK_SIGNATURE_FAILURES
from effects.engines import EngineFailure
from effects.engines.replicate import prediction_from_json, webhook_verify
from effects.jobs.dispatch import job_poll_publish
from effects.models import Job, JobStatus

logger = logging.getLogger(__name__)


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
    job = Job.objects.filter(provider_prediction_id=prediction.id).only("id", "status", "queue").first()
    if job is None or job.status != JobStatus.PROCESSING:
        return "ignored"
    job_poll_publish(job_id=str(job.pk), queue=job.queue)
    return "scheduled"
