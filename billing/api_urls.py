"""/api/ routes of the billing app."""

from django.urls import path

from billing.api import BillingPortalView, CheckoutView, StripeWebhookView

urlpatterns = [
    path("checkout", CheckoutView.as_view(), name="api-checkout"),
    path("billing/portal", BillingPortalView.as_view(), name="api-billing-portal"),
    path("webhooks/stripe", StripeWebhookView.as_view(), name="api-webhooks-stripe"),
]
