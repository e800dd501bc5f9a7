"""Add AI effect and Try it in admin: the form in admin's own layout, and the missing provider token said up front."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from effects.catalog import category_get_or_create
from effects.models import Effect
from tests.support.factories import EffectFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db

ADD_AI = "admin:effects_effect_add_provider"


def test_add_ai_effect_without_a_token_says_what_is_missing_and_how_to_set_it(staff_client, settings):
    settings.REPLICATE_API_TOKEN = ""

    html = staff_client.get(reverse(ADD_AI)).content.decode()

    notice = html.split('id="token-missing"')[1].split("</div>")[0]
    assert "REPLICATE_API_TOKEN is not set" in notice
    assert "Set REPLICATE_API_TOKEN in the environment" in notice
    assert (
        '<input type="submit" value="Create and try it" name="_try" disabled aria-describedby="try-unavailable">'
        in html
    )
    assert "“Try it” needs REPLICATE_API_TOKEN, which is not set." in html


def test_add_ai_effect_with_a_token_offers_create_and_try_it(staff_client, settings):
    settings.REPLICATE_API_TOKEN = "r8_test"

    html = staff_client.get(reverse(ADD_AI)).content.decode()

    assert 'id="token-missing"' not in html
    assert '<input type="submit" value="Create and try it" name="_try">' in html


def test_add_ai_effect_uses_admins_form_rows_and_prefills_the_slug_from_the_name(staff_client):
    html = staff_client.get(reverse(ADD_AI)).content.decode()

    assert 'class="form-row field-prompt"' in html
    assert 'class="help" id="id_prompt_helptext"' in html
    assert 'aria-describedby="id_prompt_helptext"' in html
    assert 'id="django-admin-prepopulated-fields-constants"' in html
    assert "&quot;id&quot;: &quot;#id_slug&quot;" in html and "&quot;#id_name&quot;" in html
    assert "admin/js/prepopulate.js" in html and "admin/js/urlify.js" in html


def test_create_and_try_it_opens_try_it_on_the_new_effect(staff_client, settings):
    settings.REPLICATE_API_TOKEN = "r8_test"
    category_get_or_create(name="AI Studio")

    response = staff_client.post(
        reverse(ADD_AI),
        {
            "name": "Claymation",
            "slug": "claymation",
            "category": "AI Studio",
            "credits": 6,
            "model": "flux-kontext-pro",
            "prompt": "Turn this photo into a claymation scene",
            "_try": "Create and try it",
        },
    )

    effect = Effect.objects.get(slug="claymation")
    assert response["Location"] == reverse("admin:effects_effect_try", args=[effect.pk])


def test_the_form_shown_again_with_errors_keeps_the_notice_and_says_what_to_fix(staff_client, settings):
    settings.REPLICATE_API_TOKEN = ""

    response = staff_client.post(reverse(ADD_AI), {"name": "Claymation", "slug": "not a slug!"})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="errornote"' in html and 'id="token-missing"' in html
    assert not Effect.objects.filter(name="Claymation").exists()


def test_a_provider_effects_change_form_disables_try_it_without_a_token(staff_client, settings):
    settings.REPLICATE_API_TOKEN = ""
    effect = EffectFactory(model_id="replicate:acme/restore")

    html = staff_client.get(reverse("admin:effects_effect_change", args=[effect.pk])).content.decode()

    assert 'class="button pm-tool-disabled" disabled aria-describedby="try-unavailable">Try it</button>' in html
    assert 'id="try-unavailable">“Try it” needs REPLICATE_API_TOKEN, which is not set.' in html
    assert reverse("admin:effects_effect_try", args=[effect.pk]) not in html


def test_a_local_effects_change_form_keeps_try_it_without_a_token(staff_client, settings):
    settings.REPLICATE_API_TOKEN = ""
    effect = EffectFactory(model_id="local:sepia")

    html = staff_client.get(reverse("admin:effects_effect_change", args=[effect.pk])).content.decode()

    assert f'<a href="{reverse("admin:effects_effect_try", args=[effect.pk])}">Try it</a>' in html
    assert "pm-tool-disabled" not in html


def test_try_it_on_a_provider_effect_without_a_token_runs_nothing_and_says_why(staff_client, settings):
    settings.REPLICATE_API_TOKEN = ""
    effect = EffectFactory(model_id="replicate:acme/restore")
    upload = SimpleUploadedFile("p.jpg", image_bytes("JPEG"), content_type="image/jpeg")

    page = staff_client.get(reverse("admin:effects_effect_try", args=[effect.pk])).content.decode()
    posted = staff_client.post(reverse("admin:effects_effect_try", args=[effect.pk]), {"image": upload})

    assert 'value="Apply" class="default" disabled' in page and "REPLICATE_API_TOKEN is not set" in page
    assert posted.status_code == 409
    assert 'id="try-result"' not in posted.content.decode()
