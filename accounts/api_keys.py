"""Developer API keys: made, listed, revoked and checked (services and selectors).

A key is shown once, when made (``api_key_create`` returns it beside the row); the table keeps only
its public prefix and a SHA-512 of the whole key. A request with a key authenticates when the key
is unrevoked and unexpired and its user is active and not being deleted (``api_key_authenticate``,
read fresh on every request: revoking, deactivating or deleting takes effect on the next one).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import ApiKey, AuditEvent, User
from core.credentials import API_KEY_RE, API_KEY_SCOPES
from core.errors import ApplicationError, ErrorCode

# Live (unrevoked, unexpired) keys one user may hold.
API_KEYS_PER_USER = 20
# last_used_at is written at most this often per key (a request otherwise only reads the row).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_keys_live(*, user: User) -> QuerySet[ApiKey]:
    """The user's keys that still work (unrevoked, unexpired), newest first."""
    now = timezone.now()
    return ApiKey.objects.filter(user=user, revoked=False).filter(Q(expiry_date__isnull=True) | Q(expiry_date__gt=now))


def api_keys_for_user(*, user: User) -> QuerySet[ApiKey]:
    """The user's unrevoked keys (expired ones included, so the list shows them), newest first."""
    return ApiKey.objects.filter(user=user, revoked=False).order_by("-created")


def api_key_create(
    *, user: User, name: str, scopes: list[str] | None = None, expires_at: datetime | None = None, request=None
) -> tuple[ApiKey, str]:
    """Make a key for ``user`` (every scope unless told); returns the row and the full key, which is
    never available again. At most API_KEYS_PER_USER live keys per user."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, "Invalid input", {"name": ["Give the key a name."]})
    chosen = list(API_KEY_SCOPES) if scopes is None else [s for s in API_KEY_SCOPES if s in set(scopes)]
    unknown = sorted(set(scopes or []) - set(API_KEY_SCOPES))
    if unknown or not chosen:
        message = f"Unknown scope: {', '.join(unknown)}." if unknown else "Choose at least one scope."
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, "Invalid input", {"scopes": [message]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, "Invalid input", {"expiresAt": ["Must be in the future."]})
    with transaction.atomic():
        # The user's row is the lock: two concurrent creates cannot both pass the cap.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if api_keys_live(user=user).count() >= API_KEYS_PER_USER:
            raise ApplicationError(
                ErrorCode.VALIDATION_ERROR,
                "Invalid input",
                {"nonFieldErrors": [f"You already have {API_KEYS_PER_USER} API keys; revoke one first."]},
            )
        api_key, key = ApiKey.objects.create_key(user=user, name=name[:50], scopes=chosen, expiry_date=expires_at)
        audit_record(event=AuditEvent.Event.API_KEY_CREATED, user=user, request=request, prefix=api_key.prefix)
    return api_key, key


def api_key_revoke(*, user: User, key_id, request=None, actor: User | None = None) -> ApiKey:
    """Revoke one of ``user``'s keys, at once; someone else's (or an unknown) id is NOT_FOUND."""
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().filter(pk=key_id, user=user, revoked=False).first()
        if api_key is None:
            raise ApplicationError(ErrorCode.NOT_FOUND, "No such API key")
        _revoke(api_key)
        audit_record(
            event=AuditEvent.Event.API_KEY_REVOKED, user=user, request=request, actor=actor, prefix=api_key.prefix
        )
    return api_key


def _revoke(api_key: ApiKey) -> None:
    api_key.revoked = True
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked", "revoked_at"])


def api_keys_revoke(*, keys: QuerySet[ApiKey]) -> int:
    """Revoke many keys at once (staff's admin action, account deletion); returns how many."""
    return keys.filter(revoked=False).update(revoked=True, revoked_at=timezone.now())


def api_keys_erase_for_user(*, user: User) -> None:
    """Account deletion: the user's keys are deleted (revoked first, at the deletion request)."""
    ApiKey.objects.filter(user=user).delete()


def api_keys_export_for_user(*, user: User, archive) -> None:
    """Data export: the keys' metadata (never a secret or its hash)."""
    rows = ApiKey.objects.filter(user=user).order_by("created")
    archive.write_json(
        "api_keys.json",
        [
            {
                "name": key.name,
                "prefix": key.prefix,
                "scopes": key.scopes,
                "createdAt": key.created,
                "lastUsedAt": key.last_used_at,
                "expiresAt": key.expiry_date,
                "revoked": key.revoked,
                "revokedAt": key.revoked_at,
            }
            for key in rows
        ],
    )


# The authenticating read, built once per process (a request only adds its prefix to a clone).
_USABLE_KEYS = ApiKey.objects.select_related("user").filter(revoked=False)


def api_key_authenticate(*, key: str) -> ApiKey | None:
    """The key row (its user loaded) when ``key`` is a working key; None otherwise.

    One query by the unique prefix; the hash is compared in constant time. Refused: malformed,
    unknown, revoked, expired, an inactive user, an account being deleted.
    """
    if not key or not API_KEY_RE.match(key):
        return None
    try:
        # ``get`` on the unique prefix: no ORDER BY to build (as ``first`` would).
        api_key = _USABLE_KEYS.get(prefix=key.partition(".")[0])
    except ApiKey.DoesNotExist:
        return None
    if not ApiKey.objects.key_generator.verify(key, api_key.hashed_key):
        return None
    user = api_key.user
    if api_key.has_expired or not user.is_active or user.deletion_requested_at is not None:
        return None
    _touch(api_key)
    return api_key


def _touch(api_key: ApiKey) -> None:
    now = timezone.now()
    last = api_key.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    # Conditional: of several requests in the same minute (other processes), one writes.
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    api_key.last_used_at = now
