"""Client callbacks: POST a finished job's JSON to its callbackUrl, signed as Stripe signs webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from core.errors import ApplicationError
from effects.ingestion import safe_http_request
from effects.jobs.payloads import job_payload
from effects.models import Job

logger = logging.getLogger(__name__)


class CallbackDeliveryError(Exception):
    """The client's endpoint did not accept the callback (worth retrying)."""


def callback_signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    """``t=<unix>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>``, as Stripe does."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def job_callback_body(*, job: Job) -> bytes:
    """The job JSON the API returns for GET /api/jobs/{id}."""
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
            "POST",
            job.callback_url,
            data=body,
            headers=headers,
            max_bytes=64 * 1024,
            timeout=settings.CALLBACK_TIMEOUT,
            user=job.user,
        )
    except ApplicationError as exc:
        logger.info("job %s: callback URL refused: %s", job.pk, exc.message)
        return False
    except (requests.RequestException, TimeoutError, OSError) as exc:
        raise CallbackDeliveryError(f"callback failed: {type(exc).__name__}") from None
    if not 200 <= response.status < 300:
        raise CallbackDeliveryError(f"callback answered HTTP {response.status}")
    return True
