"""Ordering the effect list: drag and drop (django-admin-sortable2) and keyboard "move up/down" buttons."""

import json

from adminsortable2.admin import SortableAdminMixin
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.errors import ApplicationError
from effects.ordering import effects_reorder


class EffectOrderingMixin(SortableAdminMixin):
    """sortable2's drag handle plus up/down buttons (``static/js/admin-effect-order.js``), both saved
    through ``effects_reorder`` so the catalog version changes and the gallery shows the new order."""

    def get_queryset(self, request):
        # Each row's place in gallery order: distinct and rising where positions tie, so the handle's
        # "order" (which sortable2 reads to tell up from down) is never the same on two rows.
        rank = Window(RowNumber(), order_by=[F("position").asc(), F("name").asc(), F("pk").asc()])
        return super().get_queryset(request).annotate(gallery_rank=rank)

    def _add_reorder_method(self):
        def reorder_cell(item):
            if not self.enable_sorting:  # the list is sorted by another column: moving would mean nothing
                return mark_safe('<span class="pm-order-off" title="Sort the list by order to move effects">—</span>')
            return format_html(
                '<div class="pm-order">'
                '<div class="drag handle" pk="{pk}" order="{order}" title="Drag to move {name}"></div>'
                '<button type="button" class="pm-move" data-move="up" aria-label="Move {name} up">'
                '<span aria-hidden="true">▲</span></button>'
                '<button type="button" class="pm-move" data-move="down" aria-label="Move {name} down">'
                '<span aria-hidden="true">▼</span></button>'
                "</div>",
                pk=item.pk,
                order=getattr(item, "gallery_rank", item.position),
                name=item.name,
            )

        reorder_cell.short_description = "Order"
        reorder_cell.admin_order_field = self.default_order_field
        self._reorder_ = reorder_cell

    def update_order(self, request):
        """POST {"updatedItems": [[id, order], ...]}: these effects take their places in the order of
        ``order`` (only the order of the values counts; the positions are renumbered)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            return JsonResponse({"error": "You may not change effects."}, status=403)
        try:
            items = json.loads(request.body)["updatedItems"]
            ordered = [int(pk) for pk, _order in sorted(items, key=lambda item: int(item[1]))]
        except (ValueError, KeyError, TypeError, IndexError):
            return JsonResponse({"error": 'Expected {"updatedItems": [[id, order], ...]}.'}, status=400)
        try:
            changed = effects_reorder(ordered_ids=ordered)
        except ApplicationError as exc:
            return JsonResponse({"error": exc.message}, status=404)
        return JsonResponse({"updated": changed})

    def _update_order(self, updated_items, extra_model_filters):
        # sortable2's own writer saves rows without signals: ours bumps the catalog version.
        return effects_reorder(ordered_ids=[pk for pk, _order in sorted(updated_items, key=lambda item: int(item[1]))])
