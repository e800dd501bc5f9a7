"""Effect catalog tools: trying an effect without charging, rendering previews, the demo catalog."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from billing.models import CreditTransaction
from effects.catalog import effect_render_preview, effect_try
from effects.ingestion import image_validate_bytes
from effects.management.commands.seed_demo import ADMIN_EMAIL, DEMO_EFFECTS
from effects.models import Effect
from photomania.errors import ApplicationError
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def test_effect_try_runs_without_charging_anyone():
    user = UserFactory()
    effect = EffectFactory(model_id="local:pixelate")

    data = effect_try(effect=effect, source=image_validate_bytes(image_bytes()))

    assert image_validate_bytes(data).format == "JPEG"
    assert CreditTransaction.objects.filter(user=user).count() == 1  # only the signup grant


def test_effect_try_refuses_provider_effects():
    with pytest.raises(ApplicationError, match="built-in"):
        effect_try(effect=EffectFactory(model_id="replicate:acme/x"), source=image_validate_bytes(image_bytes()))


def test_render_preview_stores_a_preview_image():
    effect = EffectFactory(model_id="local:sepia")

    effect_render_preview(effect=effect)

    effect.refresh_from_db()
    with effect.preview.open("rb") as handle:
        assert image_validate_bytes(handle.read()).format == "JPEG"


def test_seed_demo_renders_previews_for_every_demo_effect():
    call_command("seed_demo", stdout=io.StringIO())

    local_demo_effects = sum(1 for entry in DEMO_EFFECTS if entry[4].startswith("local:"))
    assert Effect.objects.filter(model_id__startswith="local:").exclude(preview="").count() == local_demo_effects


def test_seed_demo_creates_no_staff_account_outside_development(settings):
    settings.DEBUG = False
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    assert not User.objects.filter(is_staff=True).exists()
    assert "Staff user not created: DEBUG is off (development only)" in out.getvalue()


def test_seed_demo_creates_the_demo_staff_account_in_development(settings):
    settings.DEBUG = True

    call_command("seed_demo", stdout=io.StringIO())

    assert User.objects.filter(email=ADMIN_EMAIL, is_staff=True).exists()
