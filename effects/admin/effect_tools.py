"""The effect admin's own pages: "Add AI effect" (a provider model and a prompt) and "Try it"."""

import base64

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from core.errors import ApplicationError
from effects.catalog import effect_create_provider, effect_try, provider_models
from effects.ingestion import image_from_upload
from effects.models import Category, Effect
from effects.selectors.catalog import PROVIDER_MODEL_PREFIX, provider_effects_enabled

# Said on the Add AI effect form and on Try it while the provider's token is missing.
TOKEN_MISSING = (
    "REPLICATE_API_TOKEN is not set, so AI effects cannot run here: you can create one now, but it stays out of "
    "the gallery and “Try it” is unavailable until the token is set. Set REPLICATE_API_TOKEN in the environment "
    "of the web and worker processes (see docs/configuration.md) and restart them."
)
TRY_UNAVAILABLE = "“Try it” needs REPLICATE_API_TOKEN, which is not set."


class ProviderEffectForm(forms.Form):
    """A new AI effect: a provider model from the catalog file and the staff's prompt."""

    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=80, help_text="Part of its address (/effects/your-slug/): filled in from the name."
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        to_field_name="name",
        initial="AI Studio",
        help_text="Categories are kept under Effects › Categories.",
    )
    credits = forms.IntegerField(min_value=1, max_value=1000, initial=6)
    model = forms.ChoiceField(label="AI model")
    prompt = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text="What the model should do to the photo, e.g. “Turn this photo into a watercolour painting; keep "
        "the faces the same”. Models without a prompt input (upscalers, face restorers) take none.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.models = provider_models()
        self.fields["model"].choices = [
            (key, f"{model.get('label', key)} — {model['model'].split(':')[0]}") for key, model in self.models.items()
        ]
        self.fields["name"].widget.attrs["class"] = "vTextField"
        self.fields["slug"].widget.attrs["class"] = "vTextField"


class TryEffectForm(forms.Form):
    image = forms.FileField(label="Photo", help_text="JPEG, PNG or WEBP. Nobody is charged.")


def try_unavailable_reason(effect: Effect) -> str | None:
    """Why "Try it" cannot run this effect here (None when it can)."""
    if effect.model_id.startswith(PROVIDER_MODEL_PREFIX) and not provider_effects_enabled():
        return TRY_UNAVAILABLE
    return None


class EffectToolViews:
    """The EffectAdmin's "Add AI effect" and "Try it" views (mixed into EffectAdmin)."""

    def add_provider_view(self, request):
        """Create an AI effect by choosing a provider model and writing its prompt (it starts hidden)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProviderEffectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                effect = effect_create_provider(
                    name=data["name"],
                    slug=data["slug"],
                    category=data["category"],
                    credits=data["credits"],
                    model_key=data["model"],
                    prompt=data["prompt"],
                    description=data["description"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    f"Created “{effect.name}” (hidden). Try it, render its preview, then activate it.",
                    messages.SUCCESS,
                )
                if "_try" in request.POST and provider_effects_enabled():
                    return redirect("admin:effects_effect_try", effect.pk)
                return redirect("admin:effects_effect_change", effect.pk)
        fieldsets = [(None, {"fields": ["name", "slug", "category", "credits", "model", "prompt", "description"]})]
        adminform = helpers.AdminForm(form, fieldsets, prepopulated_fields={"slug": ["name"]})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Add an AI effect",
            "form": form,
            "adminform": adminform,
            "errors": helpers.AdminErrorList(form, []),
            "media": self.media + adminform.media,
            "models": form.models,
            "token_missing": TOKEN_MISSING if not provider_effects_enabled() else None,
            "try_unavailable": TRY_UNAVAILABLE,
        }
        return render(request, "admin/effects/effect/add_provider.html", context, status=400 if form.errors else 200)

    def try_view(self, request, object_id):
        """Upload a photo and see the effect's result right away, without a job or a charge.

        Running an effect costs (a provider prediction for AI effects): staff who may change it.
        """
        effect = self._effect_or_404(request, object_id, change=True)
        unavailable = try_unavailable_reason(effect)
        before = after = None
        status = 200
        if request.method == "POST" and unavailable is None:
            form = TryEffectForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    source = image_from_upload(form.cleaned_data["image"])
                    result = effect_try(effect=effect, source=source)
                except ApplicationError as exc:
                    form.add_error("image", exc.message)
                    status = 400
                else:
                    before = _data_url(source.data, source.content_type)
                    after = _data_url(result, _sniff_content_type(result))
            else:
                status = 400
        else:
            form = TryEffectForm()
            status = 409 if request.method == "POST" else 200
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": effect,
            "title": f"Try “{effect.name}”",
            "form": form,
            "before": before,
            "after": after,
            "unavailable": TOKEN_MISSING if unavailable else None,
            "change_url": reverse("admin:effects_effect_change", args=[effect.pk]),
        }
        return render(request, "admin/effects/effect/try.html", context, status=status)


def _data_url(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def _sniff_content_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"
