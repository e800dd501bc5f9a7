"""Sync Stripe products and prices into dj-stripe and link Plan/CreditPack price ids by metadata."""

from django.core.management.base import BaseCommand, CommandError

from billing.stripe_services import stripe_catalog_sync
from core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Fetch products and prices from Stripe (dj-stripe tables), then link prices to plans and packs: "
        "a price with metadata plan=<CODE> sets Plan.stripe_price_id (or _yearly for yearly prices); "
        "a one-time price with metadata pack=<code> sets CreditPack.stripe_price_id."
    )

    def handle(self, *args, **options):
        try:
            report = stripe_catalog_sync()
        except ApplicationError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"synced {len(report['products'])} products, {len(report['prices'])} prices")
        for line in report["linked"]:
            self.stdout.write(f"linked {line}")
