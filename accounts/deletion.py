"""Account deletion: confirmed by the user (or started by staff), then erased step by step by a task.

``account_deletion_request`` runs in the request: it marks the user (``deletion_requested_at``),
deactivates the account and makes its password unusable, which ends every session and app token
at once (a session is valid only while its hash of the password matches), and revokes its API keys. ``account_erase`` runs
in a Celery task and does the rest, one idempotent step at a time, recording each finished step
in ``deletion_steps`` so a run that crashed half-way resumes where it stopped:

1. ``billing``: active Stripe subscriptions cancelled now, pending credit-pack checkouts expired;
2. ``exports``: data export archives deleted;
3. one step per registered personal-data handler (``accounts.personal_data``; effects registers
   ``jobs``: provider runs cancelled, every stored file and job row deleted);
4. ``sessions``: every stored session of the user deleted;
5. ``logins``: email addresses, provider accounts and MFA authenticators deleted;
6. ``email``: one confirmation email to the address, before it is erased;
7. ``tombstone``: the address kept only as a keyed hash (``DeletedAccount``), the user row made
   anonymous (``deleted-<opaque>@invalid``, no name, avatar, referral or callback secret), the audit
   rows' addresses and logins cleared. The row and the ledger stay, so the balance still equals the
   sum of the ledger rows and revenue figures do not change.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from datetime import timedelta
from importlib import import_module

from celery import current_app
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts import personal_data
from accounts.api_keys import api_keys_revoke
from accounts.audit import audit_record
from accounts.models import ApiKey, AuditEvent, DeletedAccount, User, generate_callback_secret, generate_referral_code
from accounts.referrals import referral_email_key
from billing.stripe_services import customer_billing_close
from core.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

# The erasure task (accounts.tasks.erase_account), by name: services do not import tasks.
ERASE_TASK = "accounts.erase_account"
# How long one erasure run holds its lock (longer than any run; a dead run's lock expires).
ERASE_LOCK_SECONDS = 15 * 60
# The word a user without a password types on the deletion page.
CONFIRMATION_WORD = "DELETE"
# A requested deletion that has not finished after this long is picked up again by the sweep.
DELETION_SWEEP_AFTER = timedelta(minutes=10)
# Audit data keys that can name or locate a person; cleared on a deleted account's audit rows.
_PERSONAL_AUDIT_KEYS = ("login", "email", "ip", "user_agent", "name")


# --- Confirmation ---------------------------------------------------------------------------------


def _session_of(request) -> SessionBase | None:
    # An app client's session token is its own session (DRF puts it in request.auth); a browser's
    # is the cookie session.
    auth = getattr(request, "auth", None)
    if isinstance(auth, SessionBase):
        return auth
    return getattr(request, "session", None)


def account_recently_authenticated(*, request, user: User) -> bool:
    """True when this session signed in or re-authenticated (allauth's records) within
    ACCOUNT_REAUTHENTICATION_TIMEOUT seconds: how accounts without a password confirm."""
    from allauth.account import app_settings
    from allauth.account.internal.flows.login import get_authentication_records

    session = _session_of(request)
    if session is None:
        return False
    holder = HttpRequest()
    holder.session = session
    records = get_authentication_records(holder, user)
    now = time.time()
    return any(
        isinstance(record, dict) and now - float(record.get("at") or 0) < app_settings.REAUTHENTICATION_TIMEOUT
        for record in records
    )


def _password_matches(*, request, user: User, password: str) -> bool:
    """allauth's password check, counted by its ``login_failed`` limits exactly like a sign-in."""
    from allauth.account.adapter import get_adapter

    django_request = getattr(request, "_request", request)
    try:
        authenticated = get_adapter(django_request).authenticate(django_request, email=user.email, password=password)
    except ValidationError:
        # allauth refuses before checking once its failed-login limit is used up.
        raise ApplicationError(ErrorCode.RATE_LIMITED, "Too many failed attempts. Please try again later.") from None
    return authenticated is not None and authenticated.pk == user.pk


def _totp_required(user: User):
    from allauth.mfa.models import Authenticator

    if not user.is_staff:
        return None
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def account_deletion_confirm(*, request, user: User, password: str | None = None, code: str | None = None) -> None:
    """Raise unless the request proves it is the account holder: the password, else a recent sign-in
    or re-authentication in this session; staff with an authenticator app also give its ``code``."""
    if password:
        if not user.has_usable_password() or not _password_matches(request=request, user=user, password=password):
            raise ApplicationError(
                ErrorCode.VALIDATION_ERROR, "Invalid input", details={"password": ["The password is incorrect."]}
            )
    elif not account_recently_authenticated(request=request, user=user):
        message = (
            "Confirm with your password."
            if user.has_usable_password()
            else "Sign in again (re-authenticate) and retry within a few minutes."
        )
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, "Invalid input", details={"password": [message]})
    authenticator = _totp_required(user)
    if authenticator is not None and not (code and authenticator.wrap().validate_code(str(code).strip())):
        raise ApplicationError(
            ErrorCode.VALIDATION_ERROR,
            "Invalid input",
            details={"code": ["Enter the current code from your authenticator app."]},
        )


# --- Request --------------------------------------------------------------------------------------


def account_deletion_request(*, user: User, actor: User | None = None, request=None, ip: str | None = None) -> User:
    """Mark the account for deletion and end its sign-in everywhere, now; the erasure task follows.

    Asking again changes nothing (the first request's time is kept and the task is queued again).
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.deleted_at is not None:
            return locked
        first = locked.deletion_requested_at is None
        if first:
            locked.deletion_requested_at = timezone.now()
        locked.is_active = False
        # A new password hash changes every session's auth hash: cookie sessions and app tokens
        # stop authenticating on their next request.
        locked.set_unusable_password()
        locked.save(update_fields=["deletion_requested_at", "is_active", "password", "updated_at"])
        # API keys stop at once too (they are deleted by the erasure's "data:api_keys" step).
        api_keys_revoke(keys=ApiKey.objects.filter(user=locked))
        if first:
            audit_record(
                event=AuditEvent.Event.ACCOUNT_DELETION_REQUESTED,
                user=locked,
                actor=actor if actor is not None else locked,
                request=request,
                ip=ip,
                by_staff=actor is not None and actor.pk != locked.pk,
            )
        account_erase_enqueue(user_id=locked.pk)
    return locked


def account_erase_enqueue(*, user_id: int) -> None:
    """Queue the erasure once the current transaction commits (a broker outage is left to the sweep)."""
    transaction.on_commit(
        lambda: current_app.send_task(ERASE_TASK, args=[user_id], queue=settings.CELERY_TASK_DEFAULT_QUEUE),
        robust=True,
    )


# --- Erasure --------------------------------------------------------------------------------------


def deleted_address_key() -> bytes:
    """The HMAC key for deleted addresses, derived from SECRET_KEY (never the key itself)."""
    return hashlib.sha256(b"photomania.deleted-account:" + settings.SECRET_KEY.encode()).digest()


def deleted_address_hash(email: str) -> str:
    """The keyed hash of an address normalised as for referrals (one mailbox, one hash)."""
    return hmac.new(deleted_address_key(), referral_email_key(email).encode(), hashlib.sha256).hexdigest()


def deleted_address_exists(*, email: str) -> bool:
    """True when an account on this mailbox was deleted before (a new one gets no sign-up credits)."""
    return DeletedAccount.objects.filter(email_hash=deleted_address_hash(email)).exists()


def _step_billing(user: User) -> None:
    customer_billing_close(user=user)


def _step_exports(user: User) -> None:
    from accounts.export import data_exports_erase_for_user

    data_exports_erase_for_user(user=user)


def _step_sessions(user: User) -> None:
    """Delete the user's stored sessions (cookie sessions and app tokens), from the cache too."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(user.pk)
    keys = Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", flat=True)
    for key in keys.iterator(chunk_size=500):
        session = store(session_key=key)
        if str(session.get("_auth_user_id", "")) == user_id:
            session.delete()


def _step_logins(user: User) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()  # their tokens go with them
    Authenticator.objects.filter(user=user).delete()


def _step_email(user: User) -> None:
    from allauth.account.adapter import get_adapter

    if user.email.endswith("@invalid"):
        return
    get_adapter().send_mail(
        "account/email/account_deleted",
        user.email,
        {"site_url": settings.SITE_URL, "requested_at": user.deletion_requested_at},
    )


def _step_tombstone(user: User) -> None:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.email.endswith("@invalid"):
            DeletedAccount.objects.get_or_create(email_hash=deleted_address_hash(locked.email))
        # Audit rows about (or by) this person, and failed logins that typed the address.
        audit_rows = AuditEvent.objects.filter(
            Q(user=locked) | Q(actor=locked) | Q(data__login__iexact=locked.email)
        ).only("id", "data")
        for row in audit_rows.iterator():
            data = {k: v for k, v in (row.data or {}).items() if k not in _PERSONAL_AUDIT_KEYS}
            AuditEvent.objects.filter(pk=row.pk).update(ip_address=None, data=data)
        locked.email = f"deleted-{secrets.token_hex(12)}@invalid"
        locked.name = ""
        locked.image = ""
        locked.referral_code = generate_referral_code()
        locked.referred_by = None
        locked.callback_secret = generate_callback_secret()
        locked.is_active = False
        locked.is_staff = False
        locked.is_superuser = False
        locked.last_login = None
        locked.set_unusable_password()
        locked.save()
        locked.groups.clear()
        locked.user_permissions.clear()


def deletion_steps() -> list[tuple[str, object]]:
    """The erasure's steps in order: (name, function of the user)."""
    handler_steps = [(f"data:{handler.name}", _handler_step(handler)) for handler in personal_data.handlers()]
    return [
        ("billing", _step_billing),
        ("exports", _step_exports),
        *handler_steps,
        ("sessions", _step_sessions),
        ("logins", _step_logins),
        ("email", _step_email),
        ("tombstone", _step_tombstone),
    ]


def _handler_step(handler: personal_data.PersonalDataHandler):
    def step(user: User) -> None:
        handler.erase(user=user)

    return step


def account_erase(*, user_id: int) -> User | None:
    """Run the erasure's unfinished steps; a step that raises stops the run (the task retries it).

    Returns the user (tombstone once done), or None for an unknown id or an account nobody asked to delete.
    """
    user = User.objects.filter(pk=user_id).first()
    if user is None or user.deletion_requested_at is None:
        return None
    if user.deleted_at is not None:
        return user
    # One run at a time per account (a retry and the sweep may overlap): the other run finishes it,
    # or, if it dies, the lock expires and the sweep starts again.
    lock = f"accounts:erase:{user.pk}"
    if not cache.add(lock, 1, ERASE_LOCK_SECONDS):
        logger.info("account %s: an erasure is already running", user.pk)
        return user
    try:
        _account_erase_steps(user)
    finally:
        cache.delete(lock)
    user.refresh_from_db()
    logger.info("account %s deleted", user.pk)
    return user


def _account_erase_steps(user: User) -> None:
    for name, step in deletion_steps():
        user.refresh_from_db()
        if name in user.deletion_steps:
            continue
        step(user)
        user.refresh_from_db()
        user.deletion_steps = [*user.deletion_steps, name]
        User.objects.filter(pk=user.pk).update(deletion_steps=user.deletion_steps)
    with transaction.atomic():
        if User.objects.filter(pk=user.pk, deleted_at__isnull=True).update(deleted_at=timezone.now()):
            audit_record(event=AuditEvent.Event.ACCOUNT_DELETED, user=user, actor=None, steps=user.deletion_steps)


def account_deletions_unfinished(*, older_than: timedelta = DELETION_SWEEP_AFTER) -> list[int]:
    """Ids of accounts whose deletion was asked for long enough ago and has not finished (for the sweep)."""
    return list(
        User.objects.filter(
            deletion_requested_at__isnull=False,
            deletion_requested_at__lte=timezone.now() - older_than,
            deleted_at__isnull=True,
        ).values_list("pk", flat=True)
    )
