"""The audit log: one row and one structured log line per security event.

Call ``audit_record(event=AuditEvent.Event.X, user=..., request=..., **data)`` where the event
happens. Recording never breaks the caller: a failed write is logged and swallowed, and it
runs in a savepoint so an enclosing transaction stays usable.
"""

from __future__ import annotations

import logging

from django.db import transaction

from accounts.models import AuditEvent
from photomania.middleware import request_id_var

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
    level = logging.INFO if event == AuditEvent.Event.ADMIN_CREDIT_ADJUSTMENT else logging.WARNING
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
