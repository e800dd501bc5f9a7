"""Staff curate the effect catalog here; configs are validated by the effect's engine."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from effects.engines import EngineConfigError, validate_config
from effects.models import Effect, IdempotencyKey, Job


class EffectForm(forms.ModelForm):
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

    def clean(self):
        cleaned = super().clean()
        model_id = cleaned.get("model_id")
        if model_id is not None:
            try:
                cleaned["config"] = validate_config(model_id, cleaned.get("config") or {})
            except EngineConfigError as exc:
                self.add_error("config" if ":" in model_id else "model_id", exc.message)
        return cleaned


@admin.register(Effect)
class EffectAdmin(admin.ModelAdmin):
    form = EffectForm
    list_display = ("thumbnail", "name", "slug", "category", "credits", "model_id", "is_active", "position")
    list_display_links = ("thumbnail", "name")
    list_editable = ("is_active", "position")
    list_filter = ("is_active", "category")
    search_fields = ("name", "slug", "description", "model_id")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("thumbnail", "created_at", "updated_at")

    @admin.display(description="Preview")
    def thumbnail(self, obj: Effect):
        if not obj.preview:
            return "—"
        return format_html('<img src="{}" alt="" style="height:48px;border-radius:4px">', obj.preview.url)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "effect", "status", "credits_charged", "attempts", "created_at", "completed_at")
    list_filter = ("status", "effect", "created_at")
    search_fields = ("id", "user__email", "effect__slug", "provider_prediction_id")
    list_select_related = ("user", "effect")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ("key", "user", "response_status", "job", "created_at")
    search_fields = ("key", "user__email")
    list_select_related = ("user",)

    def has_change_permission(self, request, obj=None):
        return False
