"""Signal receivers (connected in AccountsConfig.ready): the audit log, and sessions that end
when an account's second factors change."""

from __future__ import annotations

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from accounts.audit import audit_record, audit_record_aggregated
from accounts.models import AuditEvent
from billing.signals import webhook_event_unprocessable, webhook_signature_failed


def _login_locked_out(request, login: str) -> bool:
    """True when allauth's per-key ``login_failed`` limit for ``login`` is now used up.

    allauth consumes one unit of that limit before each attempt and refuses further attempts
    while it is exhausted, so the failure that exhausts it is the moment of the lockout.
    """
    from allauth.account import app_settings
    from allauth.core.internal import ratelimit
    from django.contrib.sites.shortcuts import get_current_site
    from django.core.cache import cache

    rates = [r for r in ratelimit.parse_rates(app_settings.RATE_LIMITS.get("login_failed")) if r.per == "key"]
    if request is None or not rates:
        return False
    key = f"{get_current_site(request).domain}:{login.lower()}"
    for rate in rates:
        cache_key = ratelimit.get_cache_key(request, app="allauth.account", action="login_failed", rate=rate, key=key)
        if len(cache.get(cache_key, [])) >= rate.amount:
            return True
    return False


@receiver(user_login_failed, dispatch_uid="accounts.audit.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    """Every failed password login (allauth pages, headless API and admin) is recorded."""
    from accounts.models import User

    login = str(credentials.get("email") or credentials.get("username") or "")[:254]
    user = User.objects.filter(email__iexact=login).first() if login else None
    audit_record(event=AuditEvent.Event.LOGIN_FAILED, user=user, request=request, login=login)
    if login and _login_locked_out(request, login):
        audit_record(event=AuditEvent.Event.LOGIN_LOCKED_OUT, user=user, request=request, login=login)


@receiver(webhook_signature_failed, dispatch_uid="accounts.audit.webhook_signature_failed")
def audit_webhook_signature_failed(sender, request=None, provider: str = "", reason: str = "", **kwargs):
    """A webhook delivery with a missing, wrong or stale signature is recorded (aggregated per address and minute)."""
    audit_record_aggregated(
        event=AuditEvent.Event.WEBHOOK_SIGNATURE_FAILED, request=request, provider=provider, reason=reason
    )


@receiver(webhook_event_unprocessable, dispatch_uid="accounts.audit.webhook_event_unprocessable")
def audit_webhook_event_unprocessable(sender, provider: str = "", event_id: str = "", reason: str = "", **kwargs):
    """A signed webhook event that can never succeed is recorded (staff look at it in admin)."""
    audit_record(
        event=AuditEvent.Event.WEBHOOK_EVENT_UNPROCESSABLE, provider=provider, event_id=event_id, reason=reason
    )


@receiver(mfa_signals.authenticator_added, dispatch_uid="accounts.sessions.authenticator_added")
def end_other_sessions_on_authenticator_added(sender, request=None, user=None, authenticator=None, **kwargs):
    """A new authenticator ends the account's other sessions; the enrolling session counts as passed MFA.

    A session signed in before the account had a second factor never passed one: it must not
    become a second-factor session because the factor was added somewhere else.
    """
    from accounts.mfa import session_record_enrolment
    from accounts.services import user_sessions_end_others
    from accounts.staff_invitations import staff_enrolment_done

    user_sessions_end_others(user=user, request=request)
    if request is not None and authenticator is not None and authenticator.type != Authenticator.Type.RECOVERY_CODES:
        session_record_enrolment(request, authenticator)
        staff_enrolment_done(request)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="accounts.sessions.authenticator_removed")
@receiver(mfa_signals.authenticator_reset, dispatch_uid="accounts.sessions.authenticator_reset")
def end_other_sessions_on_authenticator_change(sender, request=None, user=None, **kwargs):
    """Removing an authenticator or renewing recovery codes ends the account's other sessions."""
    from accounts.services import user_sessions_end_others

    user_sessions_end_others(user=user, request=request)
