"""Billing API: Checkout, the customer portal and the Stripe webhook (under /api/)."""

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from billing.signals import webhook_event_unprocessable, webhook_signature_failed
from billing.stripe_services import billing_portal_session_create, checkout_session_create
from billing.webhooks import WebhookSignatureInvalid, stripe_webhook_process
from core.api.schema import envelope_example
from core.api.views import ApiView
from core.throttles import DEFAULT_THROTTLES, BillingThrottle


class CheckoutInputSerializer(serializers.Serializer):
    plan = serializers.CharField(required=False, allow_blank=False, max_length=16)
    pack = serializers.CharField(required=False, allow_blank=False, max_length=40)

    def validate(self, attrs):
        if bool(attrs.get("plan")) == bool(attrs.get("pack")):
            raise serializers.ValidationError("Send exactly one of plan or pack")
        return attrs


class CheckoutOutputSerializer(serializers.Serializer):
    url = serializers.URLField()
    sessionId = serializers.CharField()


class CheckoutView(ApiView):
    """POST /api/checkout {"plan"} or {"pack"} → a Stripe Checkout Session to redirect to."""

    api_key_scope = "account"

    throttle_classes = [*DEFAULT_THROTTLES, BillingThrottle]
    documented_error_statuses = ["409"]

    @extend_schema(
        operation_id="checkout_create",
        summary="Start a Stripe Checkout",
        description=(
            "Send exactly one of `plan` (a subscription) or `pack` (a one-off credit pack); open the "
            "returned `url` in a browser. Credits arrive when Stripe confirms the payment. Already "
            "subscribed is 409 ALREADY_EXISTS (change plans in the billing portal); a plan or pack "
            "whose Stripe price is not synced and active (not on sale yet), or Stripe not configured "
            "or down, is 503."
        ),
        tags=["billing"],
        request={"application/json": CheckoutInputSerializer},
        responses=CheckoutOutputSerializer,
        examples=[
            OpenApiExample("A plan", value={"plan": "PRO"}, request_only=True, media_type="application/json"),
            envelope_example(
                "Session", {"url": "https://checkout.stripe.com/c/pay/cs_test_a1b2", "sessionId": "cs_test_a1b2"}
            ),
        ],
    )
    def post(self, request):
        data = CheckoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = checkout_session_create(
            user=request.user, plan_code=data.validated_data.get("plan"), pack_code=data.validated_data.get("pack")
        )
        return Response(CheckoutOutputSerializer(session).data)


class BillingPortalView(ApiView):
    """POST /api/billing/portal → the Stripe customer-portal URL."""

    api_key_scope = "account"

    throttle_classes = [*DEFAULT_THROTTLES, BillingThrottle]

    @extend_schema(
        operation_id="billing_portal_create",
        summary="Open the Stripe billing portal",
        description=(
            "A short-lived URL of Stripe's customer portal (invoices, payment method, plan changes). "
            "Only for Stripe customers (users who subscribed or bought credits before): anyone else "
            "gets 404 NOT_FOUND."
        ),
        tags=["billing"],
        request=None,
        responses=inline_serializer("PortalOutput", {"url": serializers.URLField()}),
        examples=[envelope_example("Portal", {"url": "https://billing.stripe.com/p/session/test_a1b2"})],
    )
    def post(self, request):
        return Response({"url": billing_portal_session_create(user=request.user)})


class RawBodyParser(BaseParser):
    """Leaves the body alone: the signature covers the exact bytes Stripe sent."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return None


# Stripe's endpoint, like Replicate's, is not part of the client API.
@extend_schema(exclude=True)
@method_decorator(csrf_exempt, name="dispatch")
class StripeWebhookView(ApiView):
    """POST /api/webhooks/stripe: Stripe's signed event deliveries (no session, no CSRF)."""

    api_key_scope = "account"  # signed by Stripe; no user credentials

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [RawBodyParser]
    # Signed deliveries from Stripe: a throttle would only make it retry later.
    throttle_classes: list = []

    def post(self, request):
        try:
            unprocessable = stripe_webhook_process(
                payload=request.body,
                signature=request.headers.get("Stripe-Signature"),
                headers=request.headers,
                remote_ip=request.META.get("REMOTE_ADDR") or "127.0.0.1",  # REMOTE_ADDR is always set by WSGI servers
            )
        except WebhookSignatureInvalid as exc:
            webhook_signature_failed.send(
                sender=StripeWebhookView, request=request, provider="stripe", reason=exc.message
            )
            raise
        if unprocessable is not None:
            # Acknowledged so Stripe stops retrying; staff are alerted through the audit log.
            webhook_event_unprocessable.send(
                sender=StripeWebhookView,
                provider="stripe",
                event_id=unprocessable.event_id,
                reason=unprocessable.reason,
            )
        return Response({"received": True})
