"""Staff set up their first authenticator app only with an invitation: a one-time link.

With ``ADMIN_REQUIRE_MFA`` on, a staff member without an authenticator app has no admin access,
and the pages that set one up (allauth's page and its headless endpoint) refuse them until this
session has redeemed an invitation: a link created by another staff member (admin → Users →
"Invite to set up an authenticator app", permission ``accounts.invite_staff``) or by
``manage.py staff_invite <email>``. A link is valid for STAFF_INVITATION_HOURS, once, for its
own account; only its SHA-256 is stored. Users who are not staff set up theirs as before.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, StaffInvitation, User
from core.errors import ApplicationError, ErrorCode

STAFF_INVITATION_HOURS = 24
# After redeeming the link, the session has this long to finish setting up the app.
ENROLMENT_WINDOW_SECONDS = 30 * 60
_SESSION_KEY = "staff_enrolment"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def staff_invitation_create(
    *, user: User, created_by: User | None = None, hours: int = STAFF_INVITATION_HOURS, request=None
) -> tuple[StaffInvitation, str]:
    """A new invitation for ``user`` (staff without an authenticator app) and its secret token."""
    if not user.is_staff or not user.is_active:
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, f"{user.email} is not an active staff member")
    if Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).exists():
        raise ApplicationError(ErrorCode.VALIDATION_ERROR, f"{user.email} already has an authenticator app")
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation.objects.create(
        user=user,
        token_hash=_token_hash(token),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    audit_record(
        event=AuditEvent.Event.STAFF_INVITATION_CREATED,
        user=user,
        actor=created_by,
        request=request,
        invitation=invitation.pk,
        expires_at=invitation.expires_at.isoformat(),
    )
    return invitation, token


def staff_invitation_url(token: str) -> str:
    """The absolute link a staff member opens (SITE_URL + the invitation page)."""
    return f"{settings.SITE_URL}{reverse('staff_invitation', args=[token])}"


def staff_invitation_redeem(*, token: str, user: User, request=None) -> StaffInvitation:
    """Use ``token`` up for ``user``: once, before it expires, for its own account only."""
    refused = ApplicationError(
        ErrorCode.INVALID_TOKEN, "This invitation is not valid: it was used, expired or is not yours"
    )
    with transaction.atomic():
        invitation = StaffInvitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
        if (
            invitation is None
            or invitation.user_id != user.pk
            or invitation.used_at is not None
            or invitation.expires_at <= timezone.now()
        ):
            raise refused
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        audit_record(event=AuditEvent.Event.STAFF_INVITATION_USED, user=user, request=request, invitation=invitation.pk)
    return invitation


def staff_enrolment_allow(request, invitation: StaffInvitation) -> None:
    """This session redeemed ``invitation``: it may set up its user's authenticator app for a while."""
    request.session[_SESSION_KEY] = {
        "user": str(invitation.user_id),
        "invitation": invitation.pk,
        "until": time.time() + ENROLMENT_WINDOW_SECONDS,
    }


def staff_enrolment_refused(request) -> bool:
    """True for a staff member without an authenticator app whose session redeemed no invitation."""
    user = getattr(request, "user", None)
    if not settings.ADMIN_REQUIRE_MFA or user is None or not user.is_authenticated or not user.is_staff:
        return False
    if Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).exists():
        return False  # not a first authenticator (allauth's pages manage the existing one)
    allowed = request.session.get(_SESSION_KEY) or {}
    return not (allowed.get("user") == str(user.pk) and allowed.get("until", 0) > time.time())


def staff_enrolment_done(request) -> None:
    """The session's invitation served its purpose."""
    request.session.pop(_SESSION_KEY, None)
