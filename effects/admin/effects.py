"""Staff curate the effect catalog here; configs are validated by the effect's engine."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html

from core.errors import ApplicationError
from effects.admin.effect_order import EffectOrderingMixin
from effects.admin.effect_tools import EffectToolViews, try_unavailable_reason
from effects.catalog import (
    effect_duplicate,
    effect_preview_renditions_store,
    effect_render_preview,
    effects_set_active,
    effects_without_preview,
)
from effects.engines import EngineConfigError, validate_config
from effects.models import Category, Effect
from effects.selectors.catalog import effect_preview_picture, effect_unavailable_reason


class EffectForm(forms.ModelForm):
    # Chosen by name from the staff-kept list (the Categories list in admin): a typo cannot add a section.
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), to_field_name="name", help_text="Categories are kept under Categories."
    )

    class Meta:
        model = Effect
        fields = (
            "name",
            "slug",
            "description",
            "preview",
            "credits",
            "category",
            "model_id",
            "config",
            "is_active",
            "position",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.category_id is not None:  # the choice's value is the name, not the id
            self.initial["category"] = self.instance.category.name

    def clean(self):
        cleaned = super().clean()
        model_id = cleaned.get("model_id")
        if model_id is not None:
            try:
                cleaned["config"] = validate_config(model_id, cleaned.get("config") or {})
            except EngineConfigError as exc:
                self.add_error("config" if ":" in model_id else "model_id", exc.message)
        _refuse_showing_without_preview(self, cleaned)
        return cleaned


NO_PREVIEW_TO_SHOW = (
    "An effect needs a preview before it is shown in the gallery: upload one, or save the effect hidden and "
    "use “Render preview” (or “Try it”) first."
)


def _refuse_showing_without_preview(form: forms.ModelForm, cleaned: dict) -> None:
    """Showing an effect (or removing the preview of a shown one) needs a preview to show."""
    if not cleaned.get("is_active"):
        return
    if not form.instance._state.adding and not {"is_active", "preview"} & set(form.changed_data):
        return  # shown before previews were required, and left as it is
    preview = cleaned.get("preview", form.instance.preview) if "preview" in form.fields else form.instance.preview
    if not preview:
        form.add_error("is_active", NO_PREVIEW_TO_SHOW)


class EffectListForm(forms.ModelForm):
    """A row of the effect list's editable cells; each input is named after its effect, as it has no label."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name = self.instance.name
        self.fields["is_active"].widget.attrs["aria-label"] = f"{name}: active"

    def clean(self):
        cleaned = super().clean()
        _refuse_showing_without_preview(self, cleaned)
        return cleaned


def _preview(effect: Effect, *, sizes: str):
    """The effect's preview from its small copies (the full preview only when it has none)."""
    picture = effect_preview_picture(effect=effect)
    if picture is None:
        return admin_thumbnail(effect.preview, f"{effect.name} preview")
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" class="pm-thumb" loading="lazy"'
        ' decoding="async">',
        picture["thumbnail"],
        picture["srcset"],
        sizes,
        picture["thumbnail_width"],
        picture["thumbnail_height"],
        f"{effect.name} preview",
    )


def admin_thumbnail(file, alt: str = ""):
    if not file:
        return "—"
    return format_html('<img src="{}" alt="{}" class="pm-thumb" loading="lazy">', file.url, alt)


class CategoryListFilter(admin.SimpleListFilter):
    """Effects of one category, named in the address by its slug (or its name): ``?category=classic``."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(category.slug, category.name) for category in Category.objects.all()]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(Q(category__slug=value.lower()) | Q(category__name__iexact=value))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The gallery's sections: effects pick one of these, and the gallery lists them by position."""

    list_display = ("name", "slug", "position", "effect_count")
    list_editable = ("position",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("position", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(effect_total=Count("effects"))

    @admin.display(description="Effects", ordering="effect_total")
    def effect_count(self, obj: Category) -> int:
        return obj.effect_total


@admin.register(Effect)
class EffectAdmin(EffectToolViews, EffectOrderingMixin, admin.ModelAdmin):
    """The effect list fits a laptop screen: order (drag handle, up/down buttons), preview, name and slug
    (and why it is not offered, if so), category, credits, active; the rest is on the change form."""

    form = EffectForm
    # sortable2 puts its "Order" column (handle and buttons) first, as position is not listed.
    list_display = ("preview_thumbnail", "effect_name", "category", "credits", "is_active")
    list_display_links = ("effect_name",)
    list_editable = ("is_active",)
    list_filter = ("is_active", CategoryListFilter)
    list_select_related = ("category",)
    search_fields = ("name", "slug", "description", "model_id", "category__name")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("preview_image", "availability", "created_at", "updated_at")
    ordering = ("position", "name")
    # The change list template is sortable2's: templates/adminsortable2/effects/effect/change_list.html.
    actions = ["activate", "deactivate", "duplicate", "render_preview"]
    change_form_template = "admin/effects/effect/change_form.html"

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", EffectListForm)
        return super().get_changelist_form(request, **kwargs)

    class Media:
        js = ["js/admin-effect-order.js"]

    @admin.display(description="Preview")
    def preview_thumbnail(self, obj: Effect):
        return _preview(obj, sizes="64px")

    @admin.display(description="Effect", ordering="name")
    def effect_name(self, obj: Effect):
        """The name (the change link), the slug under it, and why customers don't see it, if so."""
        reason = effect_unavailable_reason(effect=obj)
        return format_html(
            '<span class="pm-name" title="{}">{}</span><span class="pm-slug" title="{}">{}</span>{}',
            obj.name,
            obj.name,
            obj.slug,
            obj.slug,
            format_html('<span class="pm-unavailable">Inactive: {}</span>', reason) if reason else "",
        )

    @admin.display(description="Preview")
    def preview_image(self, obj: Effect):
        return _preview(obj, sizes="213px")

    def get_changeform_initial_data(self, request):
        # A new effect starts hidden: it is shown once it has a preview and staff activate it.
        return {"is_active": False, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "preview" in form.changed_data:  # uploaded or cleared: its small copies follow
            effect_preview_renditions_store(effect=obj)

    @admin.display(description="Offered")
    def availability(self, obj: Effect):
        """Whether customers see the effect, and why not when they don't."""
        reason = effect_unavailable_reason(effect=obj) if obj.pk else None
        if reason:
            return format_html('<span class="pm-unavailable" title="{}">Inactive: {}</span>', reason, reason)
        return "Yes" if obj.is_active else "No (hidden by staff)"

    def changelist_view(self, request, extra_context=None):
        hidden = Effect.objects.filter(model_id__startswith="replicate:")
        if hidden.exists() and effect_unavailable_reason(effect=hidden.first()):
            self.message_user(
                request,
                "Provider (AI) effects are inactive: REPLICATE_API_TOKEN is not set, so they are not shown to "
                "customers and cannot run.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["try_unavailable"] = try_unavailable_reason(obj) if obj is not None else None
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description="Activate selected effects (show them in the gallery)", permissions=["change"])
    def activate(self, request, queryset):
        without_preview = effects_without_preview(effects=queryset)
        count = effects_set_active(effects=queryset, active=True)
        if without_preview:
            self.message_user(
                request,
                f"Not activated, as they have no preview yet: {', '.join(without_preview)}. Upload a preview or use "
                "“Render preview on the sample photo” first.",
                messages.ERROR,
            )
        if count or not without_preview:
            self.message_user(request, f"Activated {count} effect(s).", messages.SUCCESS)

    @admin.action(description="Deactivate selected effects (hide them from the gallery)", permissions=["change"])
    def deactivate(self, request, queryset):
        count = effects_set_active(effects=queryset, active=False)
        self.message_user(request, f"Deactivated {count} effect(s).", messages.SUCCESS)

    @admin.action(description="Duplicate selected effects (copies start inactive)", permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [effect_duplicate(effect=effect).name for effect in queryset]
        self.message_user(request, f"Created {len(copies)} inactive copy(ies): {', '.join(copies)}.", messages.SUCCESS)

    @admin.action(description="Render preview on the sample photo", permissions=["change"])
    def render_preview(self, request, queryset):
        done = 0
        for effect in queryset:
            try:
                effect_render_preview(effect=effect)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{effect.name}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"Rendered the preview of {done} effect(s).", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/render-preview/",
                self.admin_site.admin_view(self.render_preview_view),
                name="effects_effect_render_preview",
            ),
            path("<int:object_id>/try/", self.admin_site.admin_view(self.try_view), name="effects_effect_try"),
            path("add-ai/", self.admin_site.admin_view(self.add_provider_view), name="effects_effect_add_provider"),
            *super().get_urls(),
        ]

    def _effect_or_404(self, request, object_id, *, change: bool) -> Effect:
        effect = self.get_object(request, str(object_id))
        if effect is None:
            raise Http404
        allowed = self.has_change_permission(request, effect) if change else self.has_view_permission(request, effect)
        if not allowed:
            raise PermissionDenied
        return effect

    def render_preview_view(self, request, object_id):
        """POST: run the effect on the bundled sample photo and set it as the preview."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        effect = self._effect_or_404(request, object_id, change=True)
        try:
            effect_render_preview(effect=effect)
        except ApplicationError as exc:
            self.message_user(request, f"Could not render the preview: {exc.message}", messages.ERROR)
        else:
            self.message_user(request, "The preview was rendered from the sample photo.", messages.SUCCESS)
        return redirect("admin:effects_effect_change", effect.pk)
