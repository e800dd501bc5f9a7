"""The audit log: one row and one structured log line per security event.

Call ``audit_record(event=AuditEvent.Event.X, user=..., request=..., **data)`` where the event
happens; events an anonymous client can trigger at will (refused webhooks) go through
``audit_record_aggregated``, which writes one row per client address per minute with a count. Recording never breaks the caller: a failed write is logged and swallowed, and it
runs in a savepoint so an enclosing transaction stays usable.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent
from core.middleware import request_id_var

logger = logging.getLogger("photomania.audit")

_SECRET_KEYS = ("password", "token", "secret", "signature")


def client_ip(request) -> str | None:
    """The client address an audit row records for this request."""
    # The address that made the TCP connection (REMOTE_ADDR) is the only one we can trust
    # without a configured proxy count; allauth's adapter does the same for its limits.
    if request is None:
        return None
    try:
        from allauth.account.adapter import get_adapter

        return get_adapter().get_client_ip(request) or None
    except Exception:
        return request.META.get("REMOTE_ADDR") or None


def _clean(data: dict) -> dict:
    """JSON-safe values; anything that looks like a secret is masked."""
    out = {}
    for key, value in data.items():
        if any(word in key.lower() for word in _SECRET_KEYS):
            value = "********"
        elif not isinstance(value, (str, int, float, bool, type(None), list, dict)):
            value = str(value)
        out[key] = value
    return out


def audit_record(
    *, event: str, user=None, request=None, actor=None, ip: str | None = None, **data
) -> AuditEvent | None:
    """Write one AuditEvent row and log it as a structured line; returns the row (None if the write failed).

    ``actor`` (who did it) and ``ip`` default to the request's signed-in user and client address.
    """
    event = AuditEvent.Event(event)
    if actor is None:
        actor = getattr(request, "user", None) if request is not None else None
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    user_id = getattr(user, "pk", None)
    data = _clean(data)
    ip = ip or client_ip(request)
    request_id = (getattr(request, "request_id", None) or request_id_var.get() or "")[:64]
    if request_id == "-":
        request_id = ""
    row = None
    try:
        with transaction.atomic():
            row = AuditEvent.objects.create(
                event=event,
                user_id=user_id,
                actor_id=getattr(actor, "pk", None),
                ip_address=ip,
                request_id=request_id,
                data=data,
            )
    except Exception:
        # Whatever went wrong (database down, no database in this context), the caller's own
        # answer (a 400, a refused login) must not become a 500; the log line below still goes out.
        logger.exception("audit record could not be written", extra={"audit_event": str(event)})
    staff_events = (
        AuditEvent.Event.ADMIN_CREDIT_ADJUSTMENT,
        AuditEvent.Event.JOB_GOODWILL_REFUND,
        AuditEvent.Event.ADMIN_JOB_FAILED,
        AuditEvent.Event.ADMIN_JOB_RETRIED,
    )
    level = logging.INFO if event in staff_events else logging.WARNING
    logger.log(
        level,
        "audit %s",
        event.value,
        extra={
            "audit_event": event.value,
            "audit_user_id": user_id,
            "audit_actor_id": getattr(actor, "pk", None),
            "audit_ip": ip,
            "audit_data": data,
        },
    )
    return row


# Events an anonymous client can cause at will are aggregated: one row per address per window.
AGGREGATE_WINDOW_SECONDS = 60
# A row's ``count`` is brought up to date at most this often (one UPDATE, not one per event).
AGGREGATE_FLUSH_SECONDS = 5


def audit_record_aggregated(*, event: str, request=None, **data) -> AuditEvent | None:
    """Like ``audit_record``, but at most one row per (event, client address, minute).

    The first event of a window writes the row; later ones are counted in the cache and the
    row's ``data["count"]`` (present once there was more than one) is refreshed at most every
    AGGREGATE_FLUSH_SECONDS, so a flood costs a counter increment, not a database write.
    """
    ip = client_ip(request)
    now = int(time.time())
    key = f"audit:aggregate:{AuditEvent.Event(event).value}:{ip}:{now - now % AGGREGATE_WINDOW_SECONDS}"
    try:
        first = cache.add(key, 1, AGGREGATE_WINDOW_SECONDS * 2)
        if not first:
            count = cache.incr(key)
    except Exception:
        logger.exception("audit aggregation unavailable; writing the row")
        return audit_record(event=event, request=request, ip=ip, **data)
    if first:
        row = audit_record(event=event, request=request, ip=ip, **data)
        if row is not None:
            cache.set(f"{key}:row", row.pk, AGGREGATE_WINDOW_SECONDS * 2)
        return row
    if not cache.add(f"{key}:flush", 1, AGGREGATE_FLUSH_SECONDS):
        return None
    row_id = cache.get(f"{key}:row")
    if row_id is not None:
        AuditEvent.objects.filter(pk=row_id).update(data={**_clean(data), "count": count})
        logger.warning(
            "audit %s repeated",
            AuditEvent.Event(event).value,
            extra={"audit_event": AuditEvent.Event(event).value, "audit_ip": ip, "audit_count": count},
        )
    return None


def audit_ip_addresses_forget(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Clear the IP address of audit rows older than AUDIT_IP_RETENTION_DAYS, in bounded batches; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_IP_RETENTION_DAYS)
    forgotten = 0
    while True:
        ids = list(
            AuditEvent.objects.filter(created_at__lt=cutoff, ip_address__isnull=False).values_list("pk", flat=True)[
                :batch
            ]
        )
        if not ids:
            return forgotten
        forgotten += AuditEvent.objects.filter(pk__in=ids).update(ip_address=None)
