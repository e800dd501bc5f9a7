"""Accounts' periodic tasks (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from accounts.audit import audit_ip_addresses_forget


@shared_task(name="accounts.audit_ip_addresses_forget")
def audit_ip_addresses_forget_task() -> int:
    """Every few hours: audit rows past AUDIT_IP_RETENTION_DAYS forget their IP address."""
    return audit_ip_addresses_forget()
