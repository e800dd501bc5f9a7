"""Billing's periodic tasks (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from billing.services import free_credits_refill_due


@shared_task(name="billing.free_credits_refill")
def free_credits_refill() -> int:
    """Daily: top FREE users back up to the FREE quota once per FREE_REFILL_DAYS."""
    return free_credits_refill_due()
