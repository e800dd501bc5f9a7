"""Make the small WebP copies of effect previews stored before previews had them."""

from django.core.management.base import BaseCommand
from django.db import transaction

from effects.catalog import effect_preview_renditions_store
from effects.models import Effect


class Command(BaseCommand):
    help = "Store the thumbnail and display copies of every effect preview that has none (--all: of every preview)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="make them again for previews that already have them")

    def handle(self, *args, **options):
        effects = Effect.objects.exclude(preview="").order_by("position", "pk")
        if not options["all"]:
            effects = effects.filter(preview_renditions={})
        made = failed = 0
        for effect in effects.iterator():
            with transaction.atomic():
                renditions = effect_preview_renditions_store(effect=effect)
            if renditions:
                made += 1
            else:
                failed += 1
                self.stderr.write(self.style.WARNING(f"{effect.slug}: the preview {effect.preview.name} is unreadable"))
        self.stdout.write(f"Stored the small copies of {made} preview(s); {failed} could not be read.")
