from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing and credits"

    def ready(self):
        import stripe
        from django.conf import settings

        # One pinned API version for every Stripe call, ours and dj-stripe's (catalog sync included).
        stripe.api_version = settings.STRIPE_API_VERSION
        from billing import receivers  # noqa: F401  (connects the Stripe and allauth signal receivers)
