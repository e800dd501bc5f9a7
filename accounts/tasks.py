"""Accounts' tasks: account deletion and data export (thin, retried, safe to run twice), and the
periodic ones scheduled in settings.CELERY_BEAT_SCHEDULE.

The task names are part of the messages in flight: never rename them.
"""

import logging
import random

from celery import shared_task

from accounts.audit import audit_ip_addresses_forget
from accounts.deletion import account_deletions_unfinished, account_erase
from accounts.export import data_export_build, data_export_fail, data_exports_purge_expired

logger = logging.getLogger(__name__)

# A failed step is retried with a growing, jittered delay; past the last retry the sweep
# (accounts.sweep_account_deletions on the beat) starts the erasure again, so it always finishes.
ERASE_MAX_RETRIES = 6
EXPORT_MAX_RETRIES = 3


def _countdown(retries: int) -> float:
    base = min(30 * 2**retries, 1800)
    return random.uniform(base / 2, base)


@shared_task(name="accounts.audit_ip_addresses_forget")
def audit_ip_addresses_forget_task() -> int:
    """Every few hours: audit rows past AUDIT_IP_RETENTION_DAYS forget their IP address."""
    return audit_ip_addresses_forget()


@shared_task(name="accounts.erase_account", bind=True, acks_late=True, max_retries=ERASE_MAX_RETRIES)
def erase_account(self, user_id: int) -> bool:
    """Run the unfinished steps of a requested account deletion; True once the account is erased."""
    try:
        user = account_erase(user_id=user_id)
    except Exception as exc:
        logger.warning("account %s: erasure step failed (%s); retrying", user_id, exc.__class__.__name__)
        raise self.retry(exc=exc, countdown=_countdown(self.request.retries)) from None
    return user is not None and user.deleted_at is not None


@shared_task(name="accounts.sweep_account_deletions")
def sweep_account_deletions() -> int:
    """Periodic (celery beat): start again every requested deletion that has not finished."""
    user_ids = account_deletions_unfinished()
    for user_id in user_ids:
        erase_account.delay(user_id)
    return len(user_ids)


@shared_task(name="accounts.build_data_export", bind=True, acks_late=True, max_retries=EXPORT_MAX_RETRIES)
def build_data_export(self, export_id: int) -> bool:
    """Build a requested data export; after the last retry it is marked FAILED (the user may ask again)."""
    try:
        export = data_export_build(export_id=export_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("data export %s failed", export_id)
            data_export_fail(export_id=export_id)
            return False
        raise self.retry(exc=exc, countdown=_countdown(self.request.retries)) from None
    return export is not None


@shared_task(name="accounts.purge_data_exports")
def purge_data_exports() -> int:
    """Periodic (celery beat): delete data export archives whose link expired."""
    return data_exports_purge_expired()
