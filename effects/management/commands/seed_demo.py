"""Load the demo catalog and demo accounts (idempotent: run it as often as you like)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.services import user_create
from core.errors import ApplicationError
from effects.catalog import (
    LOCAL_CATALOG,
    PROVIDER_CATALOG,
    catalog_load,
    effect_preview_renditions_store,
    effect_render_preview,
    effects_set_active,
)
from effects.models import Effect
from effects.selectors.catalog import effect_unavailable_reason, provider_effects_enabled

DEMO_EMAIL = "demo@photomania.local"
DEMO_PASSWORD = "photomania-demo"
ADMIN_EMAIL = "admin@photomania.local"
ADMIN_PASSWORD = "photomania-admin"


class Command(BaseCommand):
    help = "Create demo effects (the catalog files), a demo user and, in development (DEBUG) only, a staff user (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh-previews", action="store_true", help="render every preview again, not only missing ones"
        )
        parser.add_argument(
            "--provider-previews",
            action="store_true",
            help="render provider effects' previews too (runs paid predictions; needs REPLICATE_API_TOKEN)",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        # Missing effects only: what staff changed (names, prices, hiding) survives every run.
        local = catalog_load(path=LOCAL_CATALOG)
        providers = catalog_load(path=PROVIDER_CATALOG)
        for result in (local, providers):
            for slug, why in result.skipped.items():
                self.stdout.write(self.style.WARNING(f"{slug} skipped: {why}"))
        # Effects staff hid while they had a preview: never shown again by this command.
        hidden_by_staff = set(Effect.objects.filter(is_active=False).exclude(preview="").values_list("slug", flat=True))
        # Gallery previews, rendered on the real sample photos (the portrait for the people effects).
        previews = {**local.previews}
        if options["provider_previews"]:
            previews.update(providers.previews)
        for effect in Effect.objects.filter(slug__in=previews).order_by("position"):
            if effect.preview and not options["refresh_previews"]:
                if not effect.preview_renditions:  # rendered before previews had small copies
                    effect_preview_renditions_store(effect=effect)
                continue
            if effect_unavailable_reason(effect=effect):
                continue
            # An effect without a preview was never shown in the gallery: hidden by an earlier run
            # (its model was missing) or new. It is shown once its preview renders.
            never_shown = not effect.preview
            try:
                effect_render_preview(effect=effect, photo=previews[effect.slug])
            except ApplicationError as exc:
                # E.g. the segmentation model is not installed (no npm at setup): hide the
                # effect rather than sell one that can only fail; a later run shows it again.
                if never_shown:
                    effects_set_active(effects=Effect.objects.filter(pk=effect.pk), active=False)
                self.stdout.write(self.style.WARNING(f"{effect.slug} has no preview: {exc.message}"))
                continue
            if never_shown and effect.slug not in hidden_by_staff:
                effects_set_active(effects=Effect.objects.filter(pk=effect.pk), active=True)
        if not User.objects.filter(email=DEMO_EMAIL).exists():
            user_create(email=DEMO_EMAIL, password=DEMO_PASSWORD, name="Demo User")
        created = len(local.created) + len(providers.created)
        kept = len(local.kept) + len(providers.kept)
        self.stdout.write(
            self.style.SUCCESS(f"Demo effects: {created} created, {kept} already there (left as they are).")
        )
        if not provider_effects_enabled():
            self.stdout.write("Provider effects are hidden until REPLICATE_API_TOKEN is set.")
        self.stdout.write(f"Demo user:  {DEMO_EMAIL} / {DEMO_PASSWORD}")
        # A staff account with a published password is a development convenience only.
        if not settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    "Staff user not created: DEBUG is off (development only). "
                    "Create one with `manage.py createsuperuser`."
                )
            )
            return
        if not User.objects.filter(email=ADMIN_EMAIL).exists():
            user_create(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, name="Staff", is_staff=True, is_superuser=True)
        self.stdout.write(f"Staff user: {ADMIN_EMAIL} / {ADMIN_PASSWORD}  (admin at /admin/, development only)")
