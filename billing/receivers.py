"""Signal wiring only: dj-stripe webhook signals and allauth's email confirmation call billing services;
refused and unprocessable webhooks are counted in the metrics."""

from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver
from djstripe.event_handlers import djstripe_receiver

from billing import handlers
from billing.services import referral_bonus_award
from billing.signals import webhook_event_unprocessable, webhook_signature_failed
from core.metrics import WEBHOOK_EVENTS_UNPROCESSABLE, WEBHOOK_SIGNATURE_FAILURES


def _object_id(event) -> str:
    # Only the id is taken from the event: the handlers read the object dj-stripe re-fetched.
    return str(((event.data or {}).get("object") or {}).get("id") or "")


@djstripe_receiver(["customer.subscription.created", "customer.subscription.updated"])
def on_subscription_changed(sender, event, **kwargs):
    handlers.subscription_event_apply(event_id=event.id, event_created=event.created, subscription_id=_object_id(event))


@djstripe_receiver("customer.subscription.deleted")
def on_subscription_deleted(sender, event, **kwargs):
    handlers.subscription_event_apply(
        event_id=event.id, event_created=event.created, subscription_id=_object_id(event), deleted=True
    )


@djstripe_receiver(["invoice.paid", "invoice.payment_succeeded"])
def on_invoice_paid(sender, event, **kwargs):
    handlers.invoice_paid_apply(invoice_id=_object_id(event))


@djstripe_receiver("invoice.payment_failed")
def on_invoice_payment_failed(sender, event, **kwargs):
    handlers.invoice_payment_failed_apply(invoice=(event.data or {}).get("object") or {})


@djstripe_receiver(["checkout.session.completed", "checkout.session.async_payment_succeeded"])
def on_checkout_session_paid(sender, event, **kwargs):
    handlers.checkout_session_paid_apply(session_id=_object_id(event))


@djstripe_receiver("charge.refunded")
def on_charge_refunded(sender, event, **kwargs):
    handlers.charge_refunded_apply(charge_id=_object_id(event))


@receiver(email_confirmed)
def on_email_confirmed(sender, request=None, email_address=None, **kwargs):
    if email_address is not None:
        referral_bonus_award(user=email_address.user)


@receiver(webhook_signature_failed, dispatch_uid="billing.metrics.webhook_signature_failed")
def count_webhook_signature_failure(sender, provider: str = "", **kwargs):
    WEBHOOK_SIGNATURE_FAILURES.labels(provider).inc()


@receiver(webhook_event_unprocessable, dispatch_uid="billing.metrics.webhook_event_unprocessable")
def count_webhook_event_unprocessable(sender, provider: str = "", **kwargs):
    WEBHOOK_EVENTS_UNPROCESSABLE.labels(provider).inc()


@receiver(user_signed_up)
def on_user_signed_up(sender, request=None, user=None, **kwargs):
    # A sign-up through a provider that vouches for the address starts out verified: no
    # confirmation follows, so the referral bonus is due now (it is paid once either way).
    if user is not None:
        referral_bonus_award(user=user)
