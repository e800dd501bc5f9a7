"""Effect catalog writes: show/hide, duplicate, the catalog version bump, preview rendering, "try it"."""

from __future__ import annotations

import io
import json
import logging
import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from core.errors import ApplicationError, ErrorCode
from effects.engines import (
    EngineConfigError,
    EngineFailure,
    EngineFailureCode,
    RemoteEngine,
    RemoteRunTimeout,
    RunMode,
    get_engine,
    parse_model_id,
    remote_run_wait,
    validate_config,
)
from effects.ingestion import ValidatedImage, image_fetch, image_validate_bytes
from effects.jobs.dispatch import remote_cancel_enqueue, remote_files_delete_enqueue
from effects.models import Category, Effect
from effects.previews import png_bytes, preview_fit, preview_photo_choose, preview_source_image
from effects.renditions import renditions_from_bytes, renditions_make
from effects.selectors.catalog import CATALOG_VERSION_KEY

logger = logging.getLogger(__name__)

CATALOGS = Path(__file__).resolve().parent / "catalogs"
# The provider effects (Replicate models and the effects built on them), and the built-in demo effects.
PROVIDER_CATALOG = CATALOGS / "providers.json"
LOCAL_CATALOG = CATALOGS / "local.json"


def effect_catalog_changed() -> None:
    """Invalidate cached catalog reads in every process (called on every Effect write)."""
    cache.set(CATALOG_VERSION_KEY, uuid.uuid4().hex, None)


def effects_set_active(*, effects, active: bool) -> int:
    """Show or hide effects in the catalog (bulk); returns how many changed.

    An effect without a preview is never shown (the gallery would offer a "No preview yet" card):
    those are left hidden, and ``effects_without_preview`` names them.
    """
    if active:
        effects = effects.exclude(preview="")
    changed = effects.exclude(is_active=active).update(is_active=active, updated_at=timezone.now())
    # A bulk update sends no model signals, so say so ourselves (now, and again after commit).
    effect_catalog_changed()
    transaction.on_commit(effect_catalog_changed)
    return changed


def effects_without_preview(*, effects) -> list[str]:
    """The names of the hidden effects among these that cannot be shown yet, as they have no preview."""
    return list(effects.filter(preview="", is_active=False).order_by("name").values_list("name", flat=True))


def category_get_or_create(*, name: str) -> Category:
    """The category named so (whatever the letter case), created after the others when missing.

    Catalog files name their categories; staff pick from the list in admin instead.
    """
    name = name.strip()
    category = Category.objects.filter(name__iexact=name).first()
    if category is not None:
        return category
    base = slugify(name)[:50] or "category"
    slug, n = base, 1
    while Category.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    last = Category.objects.aggregate(last=Max("position"))["last"]
    return Category.objects.create(name=name[:60], slug=slug, position=0 if last is None else last + 10)


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
        if engine.run_mode == RunMode.REMOTE:
            return _remote_try(engine=engine, model_id=effect.model_id, model=ref.model, config=config, source=source)
        return engine.apply(ref.model, config, source.data, max_side=settings.IMAGE_MAX_SIDE).data
    except EngineFailure as exc:
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"The effect failed: {exc.message}") from None


def _remote_try(*, engine: RemoteEngine, model_id: str, model: str, config: dict, source: ValidatedImage) -> bytes:
    """Start a prediction and wait for it to end, for at most REPLICATE_TRY_TIMEOUT seconds (then cancel it)."""
    if not settings.REPLICATE_API_TOKEN:
        raise ApplicationError(ErrorCode.SERVICE_UNAVAILABLE, "REPLICATE_API_TOKEN is not set")
    fitted = engine.fit_input(config, image=source.data)
    image, content_type = (fitted.data, fitted.content_type) if fitted else (source.data, source.content_type)
    run = engine.start(
        model,
        config,
        image=image,
        content_type=content_type,
        webhook_url=None,
        cancel_after=settings.REPLICATE_TRY_TIMEOUT,
    )
    try:
        run = remote_run_wait(
            engine,
            run.id,
            deadline=time.time() + settings.REPLICATE_TRY_TIMEOUT,
            interval=settings.REPLICATE_POLL_INTERVAL,
        )
    except RemoteRunTimeout:
        remote_cancel_enqueue(model_id=model_id, run_id=run.id)  # also deletes its uploaded files
        raise ApplicationError(
            ErrorCode.SERVICE_UNAVAILABLE,
            f"The AI provider did not finish within {settings.REPLICATE_TRY_TIMEOUT} s; the prediction was cancelled",
        ) from None
    if run.files:
        remote_files_delete_enqueue(model_id=model_id, file_ids=list(run.files))
    if run.status != "succeeded" or not run.output_url:
        detail = f": {run.error}" if run.error else ""
        verb = run.status if run.status != "succeeded" else "returned no image for"
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"The AI provider {verb} the prediction{detail}")
    limits = engine.output_limits(config)
    return image_fetch(run.output_url, max_bytes=limits.max_bytes, max_pixels=limits.max_pixels).data


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for a JPEG preview; a cut-out's transparency shows as a light checkerboard, not black."""
    if "A" not in image.getbands() and image.mode != "P":
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    tile = max(8, min(rgba.size) // 24)
    board = Image.new("RGB", rgba.size, (236, 236, 236))
    cells = Image.new("L", ((rgba.width + tile - 1) // tile, (rgba.height + tile - 1) // tile))
    cells.putdata([(x + y) % 2 * 255 for y in range(cells.height) for x in range(cells.width)])
    board.paste((206, 206, 206), mask=cells.resize((cells.width * tile, cells.height * tile)).crop((0, 0, *rgba.size)))
    board.paste(rgba, mask=rgba.getchannel("A"))
    return board


def effect_render_preview(*, effect: Effect, photo: str = "") -> Effect:
    """Render the effect on a bundled sample photo cut to the gallery card's shape around its subject
    (``photo`` in samples/photos, else the one it was last rendered on, else one that suits the effect:
    see ``effects.previews``), and store it as the effect's preview with the cut photo as its "before"."""
    sample = preview_photo_choose(
        slug=effect.slug,
        model_id=effect.model_id,
        requested=photo,
        previous=(effect.preview_source or {}).get("photo", ""),
    )
    before = preview_source_image(sample)
    data = effect_try(effect=effect, source=image_validate_bytes(png_bytes(before)))
    preview = preview_fit(_flatten(Image.open(io.BytesIO(data))))
    buffer = io.BytesIO()
    preview.save(buffer, "JPEG", quality=85)
    old = effect.preview.name if effect.preview else ""
    effect.preview.save("preview.jpg", ContentFile(buffer.getvalue()), save=False)
    Effect.objects.filter(pk=effect.pk).update(preview=effect.preview.name)
    if old and old != effect.preview.name:
        transaction.on_commit(lambda: effect.preview.storage.delete(old))
    effect_preview_renditions_store(effect=effect)
    _preview_source_store(effect=effect, photo=sample.name, image=before)
    return effect


def _preview_source_store(*, effect: Effect, photo: str, image: Image.Image) -> None:
    """Store the cut sample photo's copies beside the preview as its "before", replacing older ones."""
    storage = Effect._meta.get_field("preview").storage
    previous = [copy["name"] for copy in (effect.preview_source or {}).get("renditions", {}).values()]
    stem = effect.preview.name.rsplit(".", 1)[0]
    renditions = {
        rendition.name: {
            "name": storage.save(f"{stem}-source-{rendition.name}.{rendition.extension}", ContentFile(rendition.data)),
            "width": rendition.width,
            "height": rendition.height,
        }
        for rendition in renditions_make(image)
    }
    effect.preview_source = {"photo": photo, "preview": effect.preview.name, "renditions": renditions}
    Effect.objects.filter(pk=effect.pk).update(preview_source=effect.preview_source, updated_at=timezone.now())
    stale = [name for name in previous if name not in {copy["name"] for copy in renditions.values()}]
    if stale:
        transaction.on_commit(lambda: [storage.delete(name) for name in stale])
    effect_catalog_changed()
    transaction.on_commit(effect_catalog_changed)


def effect_preview_renditions_store(*, effect: Effect) -> dict:
    """Store thumbnail and display copies of the effect's preview beside it, replacing older copies.

    Returns their names and sizes (also saved in ``preview_renditions``); empty when there is no
    preview or it cannot be read, and pages then show the preview itself.
    """
    storage = Effect._meta.get_field("preview").storage
    previous = [copy["name"] for copy in (effect.preview_renditions or {}).values()]
    renditions: dict = {}
    if effect.preview:
        try:
            with effect.preview.open("rb") as handle:
                made = renditions_from_bytes(handle.read())
        except (OSError, ValueError):
            logger.warning(
                "effect %s: no renditions of the preview %s", effect.slug, effect.preview.name, exc_info=True
            )
            made = []
        stem = effect.preview.name.rsplit(".", 1)[0]
        renditions = {
            rendition.name: {
                "name": storage.save(f"{stem}-{rendition.name}.{rendition.extension}", ContentFile(rendition.data)),
                "width": rendition.width,
                "height": rendition.height,
            }
            for rendition in made
        }
    Effect.objects.filter(pk=effect.pk).update(preview_renditions=renditions, updated_at=timezone.now())
    effect.preview_renditions = renditions
    kept = {copy["name"] for copy in renditions.values()}
    stale = [name for name in previous if name not in kept]
    if stale:
        transaction.on_commit(lambda: [storage.delete(name) for name in stale])
    # A queryset update sends no model signals: cached catalog reads must see the new copies.
    effect_catalog_changed()
    transaction.on_commit(effect_catalog_changed)
    return renditions


# --- The versioned catalog files ----------------------------------------------------------------


@dataclass
class CatalogLoadResult:
    version: int
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # slug -> the fields that changed
    kept: list[str] = field(default_factory=list)  # existing effects left as staff have them
    skipped: dict[str, str] = field(default_factory=dict)  # slug -> why
    previews: dict[str, str] = field(default_factory=dict)  # slug -> sample photo to render on


def catalog_read(*, path: Path) -> dict:
    """Parse a catalog file: ``{"version": n, "models": {...}, "effects": [...]}``."""
    try:
        catalog = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"Cannot read the catalog {path}: {exc}") from None
    if not isinstance(catalog, dict) or not isinstance(catalog.get("version"), int):
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"{path}: a catalog needs an integer 'version'")
    if not isinstance(catalog.get("effects"), list):
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"{path}: a catalog needs a list of 'effects'")
    return catalog


def provider_models(*, path: Path = PROVIDER_CATALOG) -> dict[str, dict]:
    """The provider models staff can build an effect on, by key (from the provider catalog file)."""
    return catalog_read(path=path).get("models", {})


def provider_effect_definition(*, model: dict, prompt: str = "", extra_input: dict | None = None) -> tuple[str, dict]:
    """The ``model_id`` and config of an effect on a catalog model, with its prompt in the model's prompt input
    and the model's declared input/output ``limits``."""
    inputs = {**model.get("input", {}), **(extra_input or {})}
    prompt_param = model.get("prompt_param")
    if prompt_param:
        if not prompt.strip():
            raise EngineConfigError(f"{model['model']} needs a prompt")
        inputs[prompt_param] = prompt.strip()
    elif prompt.strip():
        raise EngineConfigError(f"{model['model']} takes no prompt")
    model_id = f"replicate:{model['model']}"
    config = {"image_param": model.get("image_param", "image"), "input": inputs}
    if "limits" in model:
        config["limits"] = model["limits"]
    return model_id, validate_config(model_id, config)


def _entry_definition(entry: dict, models: dict) -> tuple[str, dict]:
    if "provider_model" in entry:
        model = models.get(entry["provider_model"])
        if model is None:
            raise EngineConfigError(f"unknown provider model {entry['provider_model']!r}")
        return provider_effect_definition(model=model, prompt=entry.get("prompt", ""), extra_input=entry.get("input"))
    model_id, config = entry["model_id"], entry.get("config", {})
    ref = parse_model_id(model_id)
    known = getattr(get_engine(ref.engine), "models", None)
    if known is not None and ref.model not in known():
        raise EngineConfigError(f"the {ref.engine} engine has no effect {ref.model!r}")
    try:
        return model_id, validate_config(model_id, config)
    except EngineConfigError as exc:
        if exc.code != EngineFailureCode.MODEL_UNAVAILABLE:
            raise
        # The engine knows the effect but its model file is not installed here: keep the entry;
        # the effect reports itself unavailable until the model is installed.
        return model_id, config


@transaction.atomic
def catalog_load(*, path: Path, update: Collection[str] = ()) -> CatalogLoadResult:
    """Create the catalog file's effects that are missing (matched by slug; idempotent).

    An existing effect is never changed (staff may have renamed, repriced or hidden it) unless its
    slug is in ``update``: then its name, category, credits, model, config, description and
    position are set from the file, and the result says which of them changed; ``is_active``
    stays as staff left it. An entry the engines cannot run (unknown built-in effect, invalid
    config) is skipped and reported.
    """
    catalog = catalog_read(path=path)
    models = catalog.get("models", {})
    result = CatalogLoadResult(version=catalog["version"])
    unknown = set(update) - {entry.get("slug", "") for entry in catalog["effects"]}
    if unknown:
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"Not in the catalog file: {', '.join(sorted(unknown))}")
    for position, entry in enumerate(catalog["effects"]):
        slug = entry.get("slug", "")
        try:
            model_id, config = _entry_definition(entry, models)
        except (EngineConfigError, KeyError) as exc:
            result.skipped[slug] = getattr(exc, "message", f"missing {exc}")
            continue
        defaults = {
            "name": entry["name"],
            "category": category_get_or_create(name=entry["category"]),
            "credits": entry["credits"],
            "model_id": model_id,
            "config": config,
            "description": entry.get("description", ""),
            "position": entry.get("position", catalog.get("position_start", 0) + position * 10),
        }
        result.previews[slug] = entry.get("preview_photo", "")
        effect = Effect.objects.filter(slug=slug).first()
        if effect is None:
            Effect.objects.create(slug=slug, is_active=True, **defaults)
            result.created.append(slug)
        elif slug in update:
            changed = [name for name, value in defaults.items() if getattr(effect, name) != value]
            for name in changed:
                setattr(effect, name, defaults[name])
            if changed:
                effect.save(update_fields=[*changed, "updated_at"])
            result.updated[slug] = changed
        else:
            result.kept.append(slug)
    effect_catalog_changed()
    return result


def effect_create_provider(
    *, name: str, slug: str, category: Category, credits: int, model_key: str, prompt: str, description: str = ""
) -> Effect:
    """A new AI effect on a catalog provider model with the staff's prompt; it starts hidden until tried."""
    model = provider_models().get(model_key)
    if model is None:
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"Unknown provider model {model_key!r}")
    if Effect.objects.filter(slug=slug).exists():
        raise ApplicationError(ErrorCode.ALREADY_EXISTS, f"An effect with the slug {slug!r} exists")
    try:
        model_id, config = provider_effect_definition(model=model, prompt=prompt)
    except EngineConfigError as exc:
        raise ApplicationError(ErrorCode.INVALID_INPUT, exc.message) from None
    return Effect.objects.create(
        name=name,
        slug=slug,
        category=category,
        credits=credits,
        model_id=model_id,
        config=config,
        description=description,
        is_active=False,
    )
