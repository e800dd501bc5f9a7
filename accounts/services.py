"""User lifecycle: every new user goes through user_register, which grants the sign-up credits."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sites.models import Site
from django.db import transaction
from django.db.models import F

from accounts.api_keys import api_keys_revoke
from accounts.audit import audit_record
from accounts.models import ApiKey, AuditEvent, User
from accounts.referrals import referral_referrer_for
from billing.models import CreditTransaction
from billing.services import credits_adjust, credits_signup_grant


def user_register(*, user: User, referral_code: str | None = None) -> User:
    """Save a new (unsaved) user and grant the FREE plan's credits in one transaction.

    An address whose account was deleted may sign up again, but starts with 0 credits and no
    referral (deleting and signing up again must not mint credits).
    """
    from accounts.deletion import deleted_address_exists

    user.email = User.objects.normalize_email(user.email).lower()
    with transaction.atomic():
        returning = deleted_address_exists(email=user.email)
        if referral_code and not returning:
            user.referred_by = referral_referrer_for(email=user.email, code=referral_code)
        user.save()
        if not returning:
            credits_signup_grant(user=user)
    user.refresh_from_db(fields=["credits"])
    return user


def user_create(*, email: str, password: str | None = None, referral_code: str | None = None, **fields) -> User:
    """Create a user from plain values (createsuperuser, demo data, tests)."""
    user = User(email=email, **fields)
    user_set_initial_password(user=user, password=password)
    return user_register(user=user, referral_code=referral_code)


def user_set_initial_password(*, user: User, password: str | None) -> None:
    """Hash the given password on a new user, or mark it unusable (password reset sets one later)."""
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()


def user_update_profile(*, user: User, name: str | None = None, image: str | None = None) -> User:
    """Change the fields a user may edit about themselves (name and avatar URL)."""
    changed = []
    if name is not None:
        user.name = name
        changed.append("name")
    if image is not None:
        user.image = image
        changed.append("image")
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
    return user


def user_sessions_end_others(*, user: User, request=None) -> None:
    """End every session of ``user`` (browser cookies and app session tokens) but ``request``'s own.

    Raising ``sessions_generation`` changes the auth hash every session is checked against; the
    current session, when it is the user's, is given the new hash and stays signed in.
    """
    User.objects.filter(pk=user.pk).update(sessions_generation=F("sessions_generation") + 1)
    user.refresh_from_db(fields=["sessions_generation"])
    current = getattr(request, "user", None) if request is not None else None
    if current is not None and current.is_authenticated and current.pk == user.pk:
        current.sessions_generation = user.sessions_generation
        request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()


def user_deactivate(*, user: User) -> None:
    """End an account's access without deleting it: Django refuses an inactive user's sessions and
    tokens on their next request, and its API keys are revoked, so reactivating the account does
    not bring them back (its owner makes new ones)."""
    with transaction.atomic():
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active", "updated_at"])
        api_keys_revoke(keys=ApiKey.objects.filter(user=user))


def user_callback_secret_rotate(*, user: User) -> str:
    """Replace the secret that signs this user's job callbacks; the old one stops working at once."""
    from accounts.models import generate_callback_secret

    user.callback_secret = generate_callback_secret()
    user.save(update_fields=["callback_secret", "updated_at"])
    return user.callback_secret


def user_credits_adjust(
    *, user: User, amount: int, note: str, actor: User, reference: str, ip: str | None = None
) -> CreditTransaction:
    """A staff credit adjustment: the ledger entry and its audit row, in one transaction."""
    with transaction.atomic():
        entry = credits_adjust(user=user, amount=amount, note=note, actor=actor, reference=reference)
        audit_record(
            event=AuditEvent.Event.ADMIN_CREDIT_ADJUSTMENT,
            user=user,
            actor=actor,
            ip=ip,
            amount=entry.amount,
            balance_after=entry.balance_after,
            note=entry.note,
            reference=entry.reference,
        )
    return entry


def site_domain(site_url: str) -> str:
    """The host (and port, if any) of a base URL: what the Sites framework calls a domain."""
    return urlsplit(site_url).netloc


def site_sync(*, using: str = "default") -> Site:
    """Write SITE_URL's host and SITE_NAME to the current Sites row, which allauth's emails read."""
    site, _created = Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": site_domain(settings.SITE_URL), "name": settings.SITE_NAME},
    )
    return site
