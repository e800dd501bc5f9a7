"""Stripe webhook intake: verify the signature, then let dj-stripe store and dispatch the event.

Verification always uses STRIPE_WEBHOOK_SECRET with Stripe's own verifier (HMAC-SHA256, several
``v1`` values accepted, 300 s tolerance); no header or DEBUG flag can replace the secret. Only
verified deliveries are recorded (as dj-stripe WebhookEventTrigger rows). An event that can never
succeed (Stripe does not know its customer or object, no user, an amount that does not match) is
rolled back, acknowledged (2xx), recorded as an UnprocessableStripeEvent for staff and logged at
ERROR; any other failure is recorded on its trigger row and answered 5xx so Stripe retries.
dj-stripe's Event.process skips an event id it already stored, so replays change nothing.
"""

import json
import logging
from traceback import format_exc

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import F
from djstripe.models import WebhookEventTrigger

from billing.handlers import EventUnprocessable
from billing.models import UnprocessableStripeEvent
from core.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

WEBHOOK_TOLERANCE_SECONDS = 300
# Headers worth keeping with a delivery; anything else (cookies, auth) is not stored.
_KEPT_HEADERS = ("Stripe-Signature", "User-Agent", "Content-Type", "Content-Length")


class WebhookSignatureInvalid(ApplicationError):
    """Missing, wrong or stale ``Stripe-Signature``: answered 400, nothing is stored or processed."""

    def __init__(self, message: str = "Invalid signature"):
        super().__init__(ErrorCode.INVALID_INPUT, message)


class WebhookProcessingFailed(ApplicationError):
    """A handler raised: the delivery is answered 500 so Stripe sends it again."""

    def __init__(self):
        super().__init__(ErrorCode.INTERNAL_ERROR, "Webhook handler failed")


def stripe_event_verify(*, payload: bytes, signature: str | None) -> dict:
    """Check ``Stripe-Signature`` against STRIPE_WEBHOOK_SECRET and return the parsed event.

    Missing/bad signature, stale timestamp or a body that is not a Stripe event → INVALID_INPUT (400).
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret or not settings.STRIPE_SECRET_KEY:
        # An empty secret would let anyone sign; refuse rather than accept.
        raise ApplicationError(ErrorCode.SERVICE_UNAVAILABLE, "Webhooks are not configured")
    if not signature:
        raise WebhookSignatureInvalid("Missing Stripe-Signature header")
    try:
        body = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ApplicationError(ErrorCode.INVALID_INPUT, "Malformed event")
    try:
        stripe.Webhook.construct_event(body, signature, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        logger.warning("stripe webhook rejected: %s", exc.__class__.__name__)
        raise WebhookSignatureInvalid()
    except ValueError:
        raise ApplicationError(ErrorCode.INVALID_INPUT, "Malformed event")
    try:
        event = json.loads(body)
    except ValueError:
        raise ApplicationError(ErrorCode.INVALID_INPUT, "Malformed event")
    if (
        not isinstance(event, dict)
        or event.get("object") != "event"
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not isinstance(event.get("data"), dict)
        or not isinstance(event["data"].get("object"), dict)
        or "livemode" not in event
    ):
        raise ApplicationError(ErrorCode.INVALID_INPUT, "Malformed event")
    return event


def stripe_webhook_process(
    *, payload: bytes, signature: str | None, headers, remote_ip: str
) -> UnprocessableStripeEvent | None:
    """Verify one delivery and feed it through dj-stripe (its tables sync, our receivers run).

    Returns the UnprocessableStripeEvent when the event can never succeed (the caller alerts);
    None when it was applied.
    """
    stripe_event_verify(payload=payload, signature=signature)
    trigger = WebhookEventTrigger.objects.create(
        headers={name: headers[name] for name in _KEPT_HEADERS if name in headers},
        body=payload.decode("utf-8"),
        remote_ip=remote_ip,
        valid=True,
    )
    try:
        with transaction.atomic():
            trigger.process(save=False, api_key=settings.STRIPE_SECRET_KEY)
    except (EventUnprocessable, stripe.InvalidRequestError) as exc:
        if isinstance(exc, stripe.InvalidRequestError) and exc.http_status not in (400, 404):
            return _retry_later(trigger, exc)
        trigger.exception = str(exc)[: WebhookEventTrigger._meta.get_field("exception").max_length]
        trigger.processed = False
        trigger.event = None
        trigger.save()
        return stripe_event_unprocessable_record(event=trigger.json_body, reason=_reason(exc))
    except Exception as exc:
        _retry_later(trigger, exc)
    trigger.save()
    return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, stripe.InvalidRequestError):
        return f"Stripe answered {exc.http_status}: {exc.user_message or exc}"
    return str(exc)


def _retry_later(trigger: WebhookEventTrigger, exc: Exception) -> None:
    """A transient failure: everything the handlers did is rolled back, the row keeps the traceback, 5xx."""
    trigger.exception = str(exc)[: WebhookEventTrigger._meta.get_field("exception").max_length]
    trigger.traceback = format_exc()
    trigger.processed = False
    trigger.event = None
    trigger.save()
    logger.exception("stripe webhook %s failed", trigger.json_body.get("id"))
    raise WebhookProcessingFailed()


def stripe_event_unprocessable_record(*, event: dict, reason: str) -> UnprocessableStripeEvent:
    """Keep an event that can never succeed for staff (one row per event id) and log it at ERROR."""
    reason = reason[:500]
    obj = (event.get("data") or {}).get("object") or {}
    record, created = UnprocessableStripeEvent.objects.get_or_create(
        event_id=str(event.get("id")),
        defaults={
            "event_type": str(event.get("type"))[:100],
            "object_id": str(obj.get("id") or "")[:255],
            "reason": reason,
            "body": event,
        },
    )
    if not created:
        UnprocessableStripeEvent.objects.filter(pk=record.pk).update(deliveries=F("deliveries") + 1, reason=reason)
    logger.error("stripe event %s (%s) cannot be processed: %s", record.event_id, record.event_type, reason)
    record.reason = reason
    return record
