"""The gallery's effect order: staff move effects in admin (drag and drop, or up/down buttons)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError, ErrorCode
from effects.catalog import effect_catalog_changed
from effects.models import Effect

POSITION_STEP = 10


def effects_reorder(*, ordered_ids: Sequence[int]) -> int:
    """Put these effects in this order, in the places they hold among all effects; returns rows changed.

    The other effects keep their places, so a reorder of a filtered list or of one page moves only
    what staff saw. Every effect is then numbered 10, 20, 30, ... in gallery order (position, name,
    id), which also ends ties between equal positions. The catalog version changes, so the next
    gallery request shows the new order.
    """
    wanted = list(dict.fromkeys(int(pk) for pk in ordered_ids))
    if not wanted:
        return 0
    with transaction.atomic():
        effects = list(Effect.objects.select_for_update().order_by("position", "name", "pk").only("pk", "position"))
        order = [effect.pk for effect in effects]
        index = {pk: i for i, pk in enumerate(order)}
        missing = [pk for pk in wanted if pk not in index]
        if missing:
            raise ApplicationError(ErrorCode.NOT_FOUND, "Some of these effects no longer exist", {"ids": missing})
        for slot, pk in zip(sorted(index[pk] for pk in wanted), wanted, strict=True):
            order[slot] = pk
        by_pk = {effect.pk: effect for effect in effects}
        now = timezone.now()
        changed = []
        for rank, pk in enumerate(order, start=1):
            effect = by_pk[pk]
            if effect.position != rank * POSITION_STEP:
                effect.position, effect.updated_at = rank * POSITION_STEP, now
                changed.append(effect)
        Effect.objects.bulk_update(changed, ["position", "updated_at"])
        # A bulk update sends no model signals: the cached catalog reads are told here (now and after commit).
        effect_catalog_changed()
        transaction.on_commit(effect_catalog_changed)
    return len(changed)
