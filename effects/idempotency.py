"""Idempotency-Key for POST /api/effects/apply (Stripe's semantics, per user).

The first request with a key runs and its response is stored with the key, in the same
transaction as the job and its charge. A repeat with the same body gets the stored response;
the same key with another body is refused (422). Two concurrent requests with one key are
serialised by the (user, key) unique constraint: the second INSERT waits for the first
transaction and then replays its response, so the work (and the charge) happens once. A
failed first attempt stores nothing (the transaction rolls back), so the client may retry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ApplicationError, ErrorCode
from effects.models import IdempotencyKey, Job

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class IdempotentResult:
    status: int
    body: dict
    replayed: bool


def idempotency_fingerprint(*, parts: Iterable[str | bytes]) -> str:
    """A SHA-256 over the request's meaningful parts (length-prefixed, so parts cannot run together)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def idempotency_key_validate(key: str) -> str:
    """Refuse empty, overlong or non-printable keys with a VALIDATION_ERROR."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApplicationError(
            ErrorCode.VALIDATION_ERROR,
            "Invalid input",
            details={"idempotencyKey": [f"Must be 1 to {MAX_KEY_LENGTH} printable characters."]},
        )
    return key


def _claim(*, user, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, request_fingerprint=fingerprint), True
    except IntegrityError:
        # Another transaction holds (or held) this key; PostgreSQL made our INSERT wait until
        # it finished, so its row and response are committed and visible now.
        return IdempotencyKey.objects.select_for_update().get(user=user, key=key), False


def idempotent_replay(*, user, key: str, fingerprint: str) -> IdempotentResult | None:
    """The stored response of a finished earlier request with this key, or None to go on.

    Looked up before anything that depends on the account's state now (its balance, for one), so
    a client that repeats a request after losing the answer always gets the answer it was charged
    for. The same key with another body is refused (422) here too.
    """
    idempotency_key_validate(key)
    record = (
        IdempotencyKey.objects.filter(user=user, key=key, created_at__gte=timezone.now() - settings.IDEMPOTENCY_KEY_TTL)
        .only("request_fingerprint", "response_status", "response_body")
        .first()
    )
    if record is None or record.response_status is None:
        return None
    if record.request_fingerprint != fingerprint:
        raise ApplicationError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "This Idempotency-Key was already used with a different request",
        )
    return IdempotentResult(status=record.response_status, body=record.response_body, replayed=True)


def idempotent_run(
    *, user, key: str, fingerprint: str, action: Callable[[], tuple[int, dict, Job | None]]
) -> IdempotentResult:
    """Run ``action`` at most once per (user, key) within the TTL; replay its stored response otherwise."""
    idempotency_key_validate(key)
    now = timezone.now()
    with transaction.atomic():
        record, created = _claim(user=user, key=key, fingerprint=fingerprint)
        if not created:
            if record.created_at < now - settings.IDEMPOTENCY_KEY_TTL:
                # Expired: the key starts a new life, as Stripe does after 24 hours.
                record.request_fingerprint = fingerprint
                record.created_at = now
                record.response_status = None
                record.response_body = None
                record.job = None
            elif record.request_fingerprint != fingerprint:
                raise ApplicationError(
                    ErrorCode.IDEMPOTENCY_CONFLICT,
                    "This Idempotency-Key was already used with a different request",
                )
            elif record.response_status is not None:
                return IdempotentResult(status=record.response_status, body=record.response_body, replayed=True)
        status, body, job = action()
        record.response_status = status
        record.response_body = body
        record.job = job
        record.save()
    return IdempotentResult(status=status, body=body, replayed=False)


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete keys older than IDEMPOTENCY_KEY_TTL; returns how many (for a periodic task)."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
