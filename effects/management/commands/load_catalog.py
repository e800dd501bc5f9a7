"""Add a catalog file's missing effects (by slug; run it as often as you like); ``--update SLUG`` rewrites named ones."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from effects.catalog import PROVIDER_CATALOG, catalog_load, effect_render_preview
from effects.models import Effect
from effects.selectors.catalog import effect_unavailable_reason


class Command(BaseCommand):
    help = (
        "Create the effects of a catalog file (default: the provider catalog) that are missing, matched by slug. "
        "Existing effects keep what staff set unless named with --update."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(PROVIDER_CATALOG), help="catalog JSON file")
        parser.add_argument(
            "--update",
            nargs="+",
            default=[],
            metavar="SLUG",
            help="set these existing effects' name, credits, category, model, config, description and position "
            "from the file (their visibility stays as staff set it)",
        )
        parser.add_argument(
            "--render-previews",
            action="store_true",
            help="render each effect's preview on its sample photo (provider effects run paid predictions)",
        )

    def handle(self, *args, path: str, update: list[str], render_previews: bool, **options):
        try:
            result = catalog_load(path=Path(path), update=update)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Catalog version {result.version}: {len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.kept)} left as they are, {len(result.skipped)} skipped."
        )
        for slug, changed in result.updated.items():
            self.stdout.write(f"{slug}: {', '.join(changed) if changed else 'already as in the file'}")
        for slug, why in result.skipped.items():
            self.stdout.write(self.style.WARNING(f"{slug} skipped: {why}"))
        for effect in Effect.objects.filter(slug__in=result.previews).order_by("position"):
            reason = effect_unavailable_reason(effect=effect)
            if reason:
                self.stdout.write(self.style.WARNING(f"{effect.slug}: not offered ({reason})"))
            elif render_previews:
                try:
                    effect_render_preview(effect=effect, photo=result.previews[effect.slug])
                except ApplicationError as exc:
                    self.stdout.write(self.style.WARNING(f"{effect.slug}: no preview ({exc.message})"))
