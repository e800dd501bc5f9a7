"""Effect catalog writes: show/hide, duplicate, the catalog version bump, preview rendering, "try it"."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from effects.engines import EngineFailure, RunMode, get_engine, parse_model_id, validate_config
from effects.ingestion import ValidatedImage, image_validate_bytes
from effects.models import Effect
from effects.selectors import CATALOG_VERSION_KEY
from photomania.errors import ApplicationError, ErrorCode

SAMPLE_IMAGE = Path(__file__).resolve().parent / "samples" / "sample.jpg"


def effect_catalog_changed() -> None:
    """Invalidate cached catalog reads in every process (called on every Effect write)."""
    cache.set(CATALOG_VERSION_KEY, uuid.uuid4().hex, None)


def effects_set_active(*, effects, active: bool) -> int:
    """Show or hide effects in the catalog (bulk); returns how many changed."""
    changed = effects.exclude(is_active=active).update(is_active=active, updated_at=timezone.now())
    # A bulk update sends no model signals, so say so ourselves (now, and again after commit).
    effect_catalog_changed()
    transaction.on_commit(effect_catalog_changed)
    return changed


def _unique_copy_slug(slug: str) -> str:
    base = f"{slug[:70]}-copy"
    candidate, n = base, 2
    while Effect.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def effect_duplicate(*, effect: Effect) -> Effect:
    """An inactive copy of an effect (same engine, config and price) for staff to tweak."""
    return Effect.objects.create(
        name=f"{effect.name} (copy)"[:120],
        slug=_unique_copy_slug(effect.slug),
        description=effect.description,
        credits=effect.credits,
        category=effect.category,
        model_id=effect.model_id,
        config=effect.config,
        is_active=False,
        position=effect.position,
    )


def effect_try(*, effect: Effect, source: ValidatedImage) -> bytes:
    """Run an effect whose engine answers at once on the given image, charging no one (admin "try it")."""
    try:
        ref = parse_model_id(effect.model_id)
        config = validate_config(effect.model_id, effect.config)
        engine = get_engine(ref.engine)
        if engine.run_mode != RunMode.SYNC:
            raise ApplicationError(ErrorCode.INVALID_INPUT, "Only built-in effects can be tried instantly")
        return engine.apply(ref.model, config, source.data, max_side=settings.IMAGE_MAX_SIDE).data
    except EngineFailure as exc:
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"The effect failed: {exc.message}") from None


def effect_render_preview(*, effect: Effect) -> Effect:
    """Render the effect on the bundled sample photo and store it as the effect's preview."""
    sample = image_validate_bytes(SAMPLE_IMAGE.read_bytes())
    data = effect_try(effect=effect, source=sample)
    preview = Image.open(io.BytesIO(data)).convert("RGB")
    buffer = io.BytesIO()
    preview.save(buffer, "JPEG", quality=85)
    old = effect.preview.name if effect.preview else ""
    effect.preview.save("preview.jpg", ContentFile(buffer.getvalue()), save=False)
    Effect.objects.filter(pk=effect.pk).update(preview=effect.preview.name)
    if old and old != effect.preview.name:
        transaction.on_commit(lambda: effect.preview.storage.delete(old))
    return effect
