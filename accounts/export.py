"""Export my data: a zip of everything PhotoMania keeps about a user, built by a task, kept 24 hours.

The archive holds ``account.json`` (profile, addresses, sign-in providers, security events),
``credits.csv`` (the credit ledger) and what each registered personal-data handler adds (effects:
``jobs.json`` and every source and result image under ``images/``). It is written to a temporary
file one member at a time (images are streamed, never held in memory), then saved to the default
storage under ``exports/<random>/``, and deleted once its link expires.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
import zipfile
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts import personal_data
from accounts.audit import audit_record
from accounts.credit_csv import csv_safe
from accounts.models import AuditEvent, DataExport, User
from billing.models import CreditTransaction
from core.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

# One export a day per user; an archive can be downloaded for a day after it is ready.
EXPORT_INTERVAL = timedelta(days=1)
EXPORT_LIFETIME = timedelta(hours=24)
# An export still PENDING after this long lost its task (a broker outage): it is marked FAILED.
EXPORT_STALE_AFTER = timedelta(hours=6)
# The build task (accounts.tasks.build_data_export), by name: services do not import tasks.
BUILD_TASK = "accounts.build_data_export"
CREDITS_CSV_FIELDS = ["createdAt", "kind", "amount", "purchasedAmount", "balanceAfter", "reference", "jobId", "note"]


def data_export_request(*, user: User, request=None) -> DataExport:
    """Start building an export (RATE_LIMITED when one was started in the last day and did not fail)."""
    with transaction.atomic():
        # One request at a time per user, so two clicks cannot both pass the limit.
        User.objects.select_for_update().only("id").get(pk=user.pk)
        since = timezone.now() - EXPORT_INTERVAL
        recent = (
            DataExport.objects.filter(user=user, created_at__gt=since)
            .exclude(status=DataExport.Status.FAILED)
            .order_by("-created_at")
            .first()
        )
        if recent is not None:
            retry_after = int((recent.created_at + EXPORT_INTERVAL - timezone.now()).total_seconds()) + 1
            raise ApplicationError(
                ErrorCode.RATE_LIMITED,
                "You can export your data once a day; the last export is still available or being built.",
                details={"retryAfter": [str(retry_after)]},
            )
        export = DataExport.objects.create(user=user)
        audit_record(event=AuditEvent.Event.DATA_EXPORT_REQUESTED, user=user, request=request, export=export.pk)
        transaction.on_commit(
            lambda: current_app.send_task(BUILD_TASK, args=[export.pk], queue=settings.CELERY_TASK_DEFAULT_QUEUE),
            robust=True,
        )
    return export


def data_export_latest(*, user: User) -> DataExport | None:
    """The user's most recent export that has not expired (None when there is none)."""
    return (
        DataExport.objects.filter(user=user)
        .exclude(status=DataExport.Status.READY, expires_at__lte=timezone.now())
        .order_by("-created_at", "-id")
        .first()
    )


def _account_json(user: User) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "image": user.image,
        "plan": user.plan,
        "credits": user.credits,
        "purchasedCredits": user.purchased_credits,
        "creditsRefilledAt": user.credits_refilled_at,
        "referralCode": user.referral_code,
        "referredBy": user.referred_by.referral_code if user.referred_by_id else None,
        "createdAt": user.created_at,
        "lastLogin": user.last_login,
        "emailAddresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "signInProviders": [
            {"provider": s.provider, "uid": s.uid, "dateJoined": s.date_joined, "lastLogin": s.last_login}
            for s in SocialAccount.objects.filter(user=user).order_by("id")
        ],
        "authenticators": [
            {"type": a.type, "createdAt": a.created_at, "lastUsedAt": a.last_used_at}
            for a in Authenticator.objects.filter(user=user).order_by("id")
        ],
        "securityEvents": [
            {"event": e.event, "createdAt": e.created_at, "ipAddress": e.ip_address}
            for e in AuditEvent.objects.filter(user=user).order_by("created_at", "id")
        ],
    }


def _credits_csv(user: User) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CREDITS_CSV_FIELDS)
    writer.writeheader()
    for row in CreditTransaction.objects.filter(user=user).order_by("created_at", "id").iterator():
        writer.writerow(
            {
                field: csv_safe(value)
                for field, value in {
                    "createdAt": row.created_at.isoformat(),
                    "kind": row.kind,
                    "amount": row.amount,
                    "purchasedAmount": row.purchased_amount,
                    "balanceAfter": row.balance_after,
                    "reference": row.reference,
                    "jobId": row.job_id or "",
                    "note": row.note,
                }.items()
            }
        )
    return buffer.getvalue().encode()


def data_export_build(*, export_id: int) -> DataExport | None:
    """Write the archive and make it downloadable for EXPORT_LIFETIME; only a PENDING export is built.

    Raises on a storage or handler failure (the task retries, then calls ``data_export_fail``).
    """
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return export
    user = export.user
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as zip_file:
            archive = personal_data.ExportArchive(zip_file)
            archive.write_json("account.json", _account_json(user))
            archive.write_bytes("credits.csv", _credits_csv(user))
            for handler in personal_data.handlers():
                if handler.export is not None:
                    handler.export(user=user, archive=archive)
        size = spool.tell()
        spool.seek(0)
        export.archive.save("photomania-export.zip", File(spool), save=False)
    now = timezone.now()
    updated = DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PENDING).update(
        archive=export.archive.name,
        size=size,
        status=DataExport.Status.READY,
        completed_at=now,
        expires_at=now + EXPORT_LIFETIME,
    )
    if not updated:
        # Deleted meanwhile (the account is being deleted): the archive goes too.
        export.archive.storage.delete(export.archive.name)
        return None
    export.refresh_from_db()
    return export


def data_export_fail(*, export_id: int) -> None:
    """Give up on an export (the user may ask again at once)."""
    DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.FAILED, completed_at=timezone.now()
    )


def _delete_exports(exports) -> int:
    deleted = 0
    for export in exports:
        if export.archive:
            export.archive.storage.delete(export.archive.name)
        export.delete()
        deleted += 1
    return deleted


def data_exports_purge_expired() -> int:
    """Delete archives whose link expired, and failed exports older than a day; returns how many.

    An export PENDING for longer than EXPORT_STALE_AFTER lost its task and is marked FAILED.
    """
    now = timezone.now()
    DataExport.objects.filter(status=DataExport.Status.PENDING, created_at__lte=now - EXPORT_STALE_AFTER).update(
        status=DataExport.Status.FAILED, completed_at=now
    )
    expired = DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now)
    failed = DataExport.objects.filter(status=DataExport.Status.FAILED, created_at__lte=now - EXPORT_INTERVAL)
    return _delete_exports(expired.iterator()) + _delete_exports(failed.iterator())


def data_exports_erase_for_user(*, user: User) -> int:
    """Delete every export of the user, archive included (account deletion)."""
    return _delete_exports(DataExport.objects.filter(user=user).iterator())
