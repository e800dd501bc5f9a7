"""Signals billing sends for others to act on (billing itself imports nothing from accounts)."""

from django.dispatch import Signal

# Sent by the Stripe webhook view when a delivery's signature is missing, wrong or stale.
# Arguments: ``request``, ``provider`` ("stripe"), ``reason``. The audit log records it.
webhook_signature_failed = Signal()

# Sent when a signed event can never succeed (acknowledged to Stripe, kept for staff).
# Arguments: ``provider`` ("stripe"), ``event_id``, ``reason``. The audit log records it.
webhook_event_unprocessable = Signal()
