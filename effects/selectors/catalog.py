"""Reads of the effect catalog: the offered effects, one by id or slug, previews, the catalog version."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet

from core.cache import BoundedCache
from effects.models import Effect
from effects.previews import SAMPLE_PHOTOS

_MAX_PK = 2**63 - 1


PROVIDER_MODEL_PREFIX = "replicate:"


def provider_effects_enabled() -> bool:
    """Provider (Replicate) effects are offered only when the API token is configured."""
    return bool(settings.REPLICATE_API_TOKEN)


def effect_unavailable_reason(*, effect: Effect) -> str | None:
    """Why an effect is neither shown nor runnable whatever its ``is_active`` says (None when it can be)."""
    if effect.model_id.startswith(PROVIDER_MODEL_PREFIX) and not provider_effects_enabled():
        return "REPLICATE_API_TOKEN is not set: provider effects are hidden from the catalog and cannot run"
    return None


def _offered(effects: QuerySet[Effect]) -> QuerySet[Effect]:
    effects = effects.filter(is_active=True)
    if not provider_effects_enabled():
        effects = effects.exclude(model_id__startswith=PROVIDER_MODEL_PREFIX)
    return effects


def effect_list_active(*, category: str | None = None, q: str | None = None) -> QuerySet[Effect]:
    """Offered effects (active, and runnable here) in catalog order, optionally by category and search text."""
    effects = _offered(Effect.objects.select_related("category")).order_by("position", "name", "pk")
    if "\x00" in (category or "") + (q or ""):
        # PostgreSQL text cannot hold NUL: nothing matches, and sending it would fail the query.
        return effects.none()
    if category:
        effects = effects.filter(Q(category__name__iexact=category) | Q(category__slug=category.lower()))
    if q:
        effects = effects.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(category__name__icontains=q))
    return effects


def rendition_picture(copies: dict | None, storage) -> dict | None:
    """An <img>'s ``src`` (the display copy), ``thumbnail``, ``srcset``, ``width`` and ``height`` from stored
    renditions ({"thumbnail": {"name", "width", "height"}, "display": {...}}), or None without them."""
    if not copies or not {"thumbnail", "display"} <= copies.keys():
        return None
    thumbnail, display = copies["thumbnail"], copies["display"]
    thumbnail_url, display_url = storage.url(thumbnail["name"]), storage.url(display["name"])
    return {
        "src": display_url,
        "thumbnail": thumbnail_url,
        "thumbnail_width": thumbnail["width"],
        "thumbnail_height": thumbnail["height"],
        "srcset": f"{thumbnail_url} {thumbnail['width']}w, {display_url} {display['width']}w",
        "width": display["width"],
        "height": display["height"],
    }


def effect_preview_picture(*, effect: Effect) -> dict | None:
    """The effect preview's renditions for an <img> (see ``rendition_picture``), or None without them."""
    if not effect.preview:
        return None
    return rendition_picture(effect.preview_renditions, Effect._meta.get_field("preview").storage)


def effect_preview_source_picture(*, effect: Effect) -> dict | None:
    """The "before" of the effect's preview: the sample photo it was rendered on, cut as the preview is
    (``rendition_picture`` plus its ``alt`` text, ``credit`` and ``licence_url``); None for an uploaded preview, or when the
    preview was replaced after that render."""
    source = effect.preview_source or {}
    photo = SAMPLE_PHOTOS.get(source.get("photo", ""))
    if not effect.preview or photo is None or source.get("preview") != effect.preview.name:
        return None
    picture = rendition_picture(source.get("renditions"), Effect._meta.get_field("preview").storage)
    return picture and {**picture, "alt": photo.alt, "credit": photo.credit, "licence_url": photo.licence_url}


CATALOG_VERSION_KEY = "effects:catalog-version"


def effect_catalog_version() -> str:
    """A token that changes whenever any effect changes (see effects.catalog.effect_catalog_changed),
    or whether provider effects are offered: one cache read (the version is created when missing)."""
    version = cache.get_or_set(CATALOG_VERSION_KEY, lambda: uuid.uuid4().hex, None)
    return f"{version}:{int(provider_effects_enabled())}"


# Offered effects by (catalog version, ref), kept per process: a new version (any Effect write)
# makes every entry unreachable. Bounded, so unknown refs cannot grow it without limit.
_ACTIVE_BY_REF = BoundedCache(1024)


def effect_get_active(*, ref: str, catalog_version: str | None = None) -> Effect | None:
    """An offered effect by id or slug; None when unknown, inactive or not runnable here.

    With ``catalog_version`` (from ``effect_catalog_version``) the answer is kept in this process
    for that version, so a repeated lookup costs no query; treat the effect as read-only.
    """
    if catalog_version is None:
        return _effect_get_active(ref)
    return _ACTIVE_BY_REF.get_or_set((catalog_version, str(ref)), lambda: _effect_get_active(ref))


def _effect_get_active(ref: str) -> Effect | None:
    ref = str(ref).strip()
    if not ref or "\x00" in ref:  # no slug holds NUL (PostgreSQL text cannot)
        return None
    match = Q(slug=ref)
    if ref.isascii() and ref.isdigit() and int(ref) <= _MAX_PK:
        match |= Q(pk=int(ref))
    return _offered(Effect.objects.filter(match)).order_by("pk").first()
