"""Effect catalog tools: trying an effect without charging, rendering previews, the demo catalog."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from accounts.models import User
from billing.models import CreditTransaction
from core.errors import ApplicationError
from effects.catalog import (
    LOCAL_CATALOG,
    PROVIDER_CATALOG,
    catalog_load,
    catalog_read,
    category_get_or_create,
    effect_create_provider,
    effect_preview_renditions_store,
    effect_render_preview,
    effect_try,
)
from effects.engines.local import EFFECTS
from effects.ingestion import image_validate_bytes
from effects.management.commands.seed_demo import ADMIN_EMAIL
from effects.models import Category, Effect
from effects.previews import SAMPLE_PHOTOS, face_boxes
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def test_effect_try_runs_without_charging_anyone():
    user = UserFactory()
    effect = EffectFactory(model_id="local:pixelate")

    data = effect_try(effect=effect, source=image_validate_bytes(image_bytes()))

    assert image_validate_bytes(data).format == "JPEG"
    assert CreditTransaction.objects.filter(user=user).count() == 1  # only the signup grant


def test_effect_try_on_a_provider_effect_runs_a_prediction_and_returns_its_output(replicate_server):
    effect = EffectFactory(model_id="replicate:acme/x", config={"image_param": "input_image", "input": {"prompt": "p"}})

    data = effect_try(effect=effect, source=image_validate_bytes(image_bytes()))

    assert image_validate_bytes(data).width == 40
    (body,) = replicate_server.created
    assert body["input"]["prompt"] == "p" and body["input"]["input_image"].startswith("data:image/jpeg;base64,")
    assert "webhook" not in body


def test_effect_try_on_a_provider_effect_fits_the_sample_to_the_models_input_limits(replicate_server):
    effect = EffectFactory(model_id="replicate:acme/x", config={"limits": {"input": {"max_pixels": 1000}}})

    effect_try(effect=effect, source=image_validate_bytes(image_bytes("JPEG", (64, 48))))

    ((width, height, _fmt, _data),) = next(iter(replicate_server.received.values())).values()
    assert width * height <= 1000 and (width, height) == (36, 27)


def test_effect_try_on_a_failed_prediction_says_the_provider_failed(replicate_server):
    replicate_server.statuses = ["starting", "failed"]
    effect = EffectFactory(model_id="replicate:acme/x")

    with pytest.raises(ApplicationError, match="failed the prediction: CUDA out of memory"):
        effect_try(effect=effect, source=image_validate_bytes(image_bytes()))


def test_effect_try_cancels_a_prediction_that_outlasts_the_bound(replicate_server, settings):
    replicate_server.statuses = ["starting", "processing"]
    settings.REPLICATE_TRY_TIMEOUT = 0
    effect = EffectFactory(model_id="replicate:acme/x")

    with pytest.raises(ApplicationError, match="did not finish"):
        effect_try(effect=effect, source=image_validate_bytes(image_bytes()))

    (prediction,) = replicate_server.predictions.values()
    assert prediction["status"] == "canceled"


def test_effect_try_on_a_provider_effect_without_a_token_says_so(settings):
    settings.REPLICATE_API_TOKEN = ""

    with pytest.raises(ApplicationError, match="REPLICATE_API_TOKEN"):
        effect_try(effect=EffectFactory(model_id="replicate:acme/x"), source=image_validate_bytes(image_bytes()))


def test_render_preview_of_a_provider_effect_stores_the_prediction_output(replicate_server):
    effect = EffectFactory(model_id="replicate:acme/x")

    effect_render_preview(effect=effect, photo="astronaut.png")

    effect.refresh_from_db()
    with effect.preview.open("rb") as handle:
        preview = image_validate_bytes(handle.read())
    assert (preview.width, preview.height) == (40, 30)
    assert replicate_server.created[0]["input"]["image"].startswith("data:image/png;base64,")


def test_render_preview_stores_a_preview_image():
    effect = EffectFactory(model_id="local:sepia")

    effect_render_preview(effect=effect)

    effect.refresh_from_db()
    with effect.preview.open("rb") as handle:
        assert image_validate_bytes(handle.read()).format == "JPEG"


def _stored_image(storage, name: str) -> Image.Image:
    with storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_render_preview_stores_thumbnail_and_display_copies_of_the_preview():
    effect = EffectFactory(model_id="local:sepia")

    effect_render_preview(effect=effect)

    effect.refresh_from_db()
    storage = effect.preview.storage
    preview = _stored_image(storage, effect.preview.name)
    copies = effect.preview_renditions
    assert set(copies) == {"thumbnail", "display"}
    for name, longest in (("thumbnail", 320), ("display", min(1024, max(preview.size)))):
        image = _stored_image(storage, copies[name]["name"])
        assert image.format == "JPEG"
        assert image.size == (copies[name]["width"], copies[name]["height"])
        assert 0.95 * longest <= max(image.size) <= longest
        assert abs(image.width / image.height - preview.width / preview.height) < 0.01


def test_render_preview_cuts_the_portrait_to_4_3_around_the_face_and_keeps_the_cut_photo_as_its_before():
    effect = EffectFactory(model_id="local:grayscale")

    effect_render_preview(effect=effect, photo="grace_hopper.jpg")

    effect.refresh_from_db()
    storage = effect.preview.storage
    preview = _stored_image(storage, effect.preview.name)
    source = effect.preview_source
    before = _stored_image(storage, source["renditions"]["display"]["name"])
    assert source["photo"] == "grace_hopper.jpg" and source["preview"] == effect.preview.name
    assert preview.size == before.size == (512, 384)
    assert set(source["renditions"]) == {"thumbnail", "display"}
    faces = face_boxes(_stored_image(storage, effect.preview_renditions["display"]["name"]))
    assert len(faces) == 1
    x0, y0, x1, y1 = faces[0]
    assert x0 > 4 and y0 > 4 and x1 < preview.width - 4 and y1 < preview.height - 4


def test_render_preview_puts_a_people_effect_without_a_chosen_photo_on_a_portrait():
    effect = EffectFactory(slug="staff-made", model_id="local:pixelate-faces")

    effect_render_preview(effect=effect)

    effect.refresh_from_db()
    assert SAMPLE_PHOTOS[effect.preview_source["photo"]].frontal


def test_rendering_a_preview_again_keeps_its_photo_and_replaces_the_before_copies(django_capture_on_commit_callbacks):
    effect = EffectFactory(model_id="local:sepia")
    effect_render_preview(effect=effect, photo="flower.jpg")
    old = [copy["name"] for copy in Effect.objects.get(pk=effect.pk).preview_source["renditions"].values()]

    with django_capture_on_commit_callbacks(execute=True):
        effect_render_preview(effect=Effect.objects.get(pk=effect.pk))

    source = Effect.objects.get(pk=effect.pk).preview_source
    storage = effect.preview.storage
    assert source["photo"] == "flower.jpg"
    assert not any(storage.exists(name) for name in old)
    assert all(storage.exists(copy["name"]) for copy in source["renditions"].values())


def test_preview_renditions_of_an_uploaded_preview_are_never_upscaled():
    effect = EffectFactory()
    effect.preview.save("preview.jpg", ContentFile(image_bytes("JPEG", (200, 150))))

    copies = effect_preview_renditions_store(effect=effect)

    assert (copies["thumbnail"]["width"], copies["thumbnail"]["height"]) == (200, 150)
    assert (copies["display"]["width"], copies["display"]["height"]) == (200, 150)


def test_rendering_a_preview_again_replaces_the_old_copies(django_capture_on_commit_callbacks):
    effect = EffectFactory(model_id="local:sepia")
    effect_render_preview(effect=effect)
    old = [copy["name"] for copy in Effect.objects.get(pk=effect.pk).preview_renditions.values()]

    with django_capture_on_commit_callbacks(execute=True):
        effect_render_preview(effect=effect)

    storage = effect.preview.storage
    new = [copy["name"] for copy in Effect.objects.get(pk=effect.pk).preview_renditions.values()]
    assert all(storage.exists(name) for name in new)
    assert not any(storage.exists(name) for name in old)


def test_an_unreadable_preview_gets_no_copies():
    effect = EffectFactory()
    effect.preview.save("preview.jpg", ContentFile(b"not an image"))

    copies = effect_preview_renditions_store(effect=effect)

    assert copies == {}
    assert Effect.objects.get(pk=effect.pk).preview_renditions == {}


def test_backfill_stores_copies_of_previews_that_have_none_and_leaves_the_others():
    missing = EffectFactory(slug="missing")
    missing.preview.save("preview.jpg", ContentFile(image_bytes("JPEG", (640, 480))))
    done = EffectFactory(model_id="local:sepia")
    effect_render_preview(effect=done)
    done_copies = Effect.objects.get(pk=done.pk).preview_renditions
    bare = EffectFactory(slug="bare")
    out = io.StringIO()

    call_command("backfill_preview_renditions", stdout=out)

    copies = Effect.objects.get(pk=missing.pk).preview_renditions
    assert (copies["thumbnail"]["width"], copies["display"]["width"]) == (320, 640)
    assert Effect.objects.get(pk=done.pk).preview_renditions == done_copies
    assert Effect.objects.get(pk=bare.pk).preview_renditions == {}
    assert "Stored the small copies of 1 preview(s)" in out.getvalue()


def test_backfill_with_all_makes_every_previews_copies_again():
    effect = EffectFactory(model_id="local:sepia")
    effect_render_preview(effect=effect)
    storage = effect.preview.storage
    for copy in Effect.objects.get(pk=effect.pk).preview_renditions.values():
        storage.delete(copy["name"])  # e.g. lost in a storage migration

    call_command("backfill_preview_renditions", "--all", stdout=io.StringIO())

    after = Effect.objects.get(pk=effect.pk).preview_renditions
    assert set(after) == {"thumbnail", "display"}
    assert all(storage.exists(copy["name"]) for copy in after.values())


def test_seed_demo_renders_previews_for_every_demo_effect():
    call_command("seed_demo", stdout=io.StringIO())

    local_demo_effects = len(catalog_read(path=LOCAL_CATALOG)["effects"])
    assert Effect.objects.filter(model_id__startswith="local:").exclude(preview="").count() == local_demo_effects


def test_seed_demo_portrait_previews_show_every_face_whole_in_the_cards_shape():
    call_command("seed_demo", stdout=io.StringIO())

    portraits = [
        effect
        for effect in Effect.objects.exclude(preview_source={})
        if SAMPLE_PHOTOS[effect.preview_source["photo"]].frontal and "faces" not in effect.slug  # those hide them
    ]
    assert len(portraits) >= 5
    for effect in portraits:
        preview = _stored_image(effect.preview.storage, effect.preview_renditions["display"]["name"])
        assert abs(preview.width / preview.height - 4 / 3) < 0.01, effect.slug
        faces = face_boxes(preview)
        assert faces, effect.slug
        for x0, y0, x1, y1 in faces:
            assert x0 > 2 and y0 > 2 and x1 < preview.width - 2 and y1 < preview.height - 2, effect.slug


def test_seed_demo_seeds_the_local_ai_effects_the_engine_has_and_the_provider_catalog():
    call_command("seed_demo", stdout=io.StringIO())

    people = {
        "remove-background",
        "replace-background",
        "blur-faces",
        "pixelate-faces",
        "avatar",
        "background-blur",
        "background-gray",
    }
    slugs = set(Effect.objects.values_list("slug", flat=True))
    assert people & set(EFFECTS) <= slugs
    providers = {entry["slug"] for entry in catalog_read(path=PROVIDER_CATALOG)["effects"]}
    assert providers <= slugs


def test_catalog_load_is_idempotent_by_slug_and_never_changes_what_staff_set():
    first = catalog_load(path=PROVIDER_CATALOG)
    Effect.objects.filter(slug="anime").update(is_active=False, name="Renamed by staff", credits=9)

    second = catalog_load(path=PROVIDER_CATALOG)

    assert len(first.created) >= 6 and second.created == [] and second.updated == {}
    assert sorted(second.kept) == sorted(first.created)
    anime = Effect.objects.get(slug="anime")
    assert (anime.name, anime.credits, anime.is_active) == ("Renamed by staff", 9, False)


def test_catalog_load_updates_only_the_effects_it_is_asked_to_and_says_what_changed():
    catalog_load(path=PROVIDER_CATALOG)
    Effect.objects.filter(slug="anime").update(is_active=False, name="Renamed by staff")
    Effect.objects.filter(slug="ghibli").update(name="Also renamed")

    result = catalog_load(path=PROVIDER_CATALOG, update=["anime"])

    assert result.updated == {"anime": ["name"]}
    anime = Effect.objects.get(slug="anime")
    assert (anime.name, anime.is_active) == ("Anime", False)
    assert Effect.objects.get(slug="ghibli").name == "Also renamed"


def test_catalog_load_files_effects_under_the_category_rows_it_names_creating_missing_ones_once():
    category_get_or_create(name="ai studio")  # staff's row, whatever its letter case, is reused

    catalog_load(path=PROVIDER_CATALOG)
    catalog_load(path=PROVIDER_CATALOG)

    names = {entry["category"] for entry in catalog_read(path=PROVIDER_CATALOG)["effects"]}
    rows = set(Category.objects.values_list("name", flat=True))
    assert {name.lower() for name in names} == {name.lower() for name in rows}
    assert Category.objects.count() == len(rows)
    anime = Effect.objects.select_related("category").get(slug="anime")
    entry = next(e for e in catalog_read(path=PROVIDER_CATALOG)["effects"] if e["slug"] == "anime")
    assert anime.category.name.lower() == entry["category"].lower()


def test_catalog_load_refuses_to_update_a_slug_the_file_does_not_have():
    with pytest.raises(ApplicationError, match="Not in the catalog file: no-such-effect"):
        catalog_load(path=PROVIDER_CATALOG, update=["no-such-effect"])


def test_load_catalog_update_command_names_the_fields_it_changed():
    catalog_load(path=PROVIDER_CATALOG)
    Effect.objects.filter(slug="anime").update(name="Renamed by staff", credits=9)
    out = io.StringIO()

    call_command("load_catalog", "--update", "anime", stdout=out)

    assert "anime: name, credits" in out.getvalue()
    assert Effect.objects.get(slug="anime").name == "Anime"


def test_running_seed_demo_again_keeps_staff_edits_and_hiding():
    call_command("seed_demo", stdout=io.StringIO())
    Effect.objects.filter(slug="pixelate").update(is_active=False, name="Pixel Art", credits=7)

    call_command("seed_demo", stdout=io.StringIO())

    pixelate = Effect.objects.get(slug="pixelate")
    assert (pixelate.name, pixelate.credits, pixelate.is_active) == ("Pixel Art", 7, False)


def test_catalog_provider_effects_follow_their_models_input_schema():
    catalog_load(path=PROVIDER_CATALOG)

    ghibli = Effect.objects.get(slug="ghibli")
    assert ghibli.model_id == "replicate:black-forest-labs/flux-kontext-pro"
    assert ghibli.config["image_param"] == "input_image"
    assert "Studio Ghibli" in ghibli.config["input"]["prompt"]
    assert ghibli.config["input"]["aspect_ratio"] == "match_input_image"
    upscale = Effect.objects.get(slug="ai-upscale")
    assert upscale.model_id.startswith("replicate:nightmareai/real-esrgan:")
    assert upscale.config == {
        "image_param": "image",
        "input": {"scale": 2, "face_enhance": False},
        "limits": {
            "input": {"max_pixels": 2_096_704, "formats": ["JPEG", "PNG"]},
            "output": {"max_pixels": 8_386_816, "max_bytes": 40_000_000},
        },
    }
    assert Effect.objects.get(slug="face-restore").model_id.startswith("replicate:sczhou/codeformer:")


def test_catalog_load_skips_a_built_in_effect_the_engine_does_not_have(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(
        '{"version": 3, "effects": ['
        '{"slug": "sepia", "name": "Sepia", "category": "C", "credits": 1, "model_id": "local:sepia"},'
        '{"slug": "hologram", "name": "Hologram", "category": "C", "credits": 1, "model_id": "local:hologram"}]}'
    )

    result = catalog_load(path=path)

    assert result.version == 3 and result.created == ["sepia"] and list(result.skipped) == ["hologram"]
    assert not Effect.objects.filter(slug="hologram").exists()


def test_load_catalog_command_loads_the_provider_catalog():
    out = io.StringIO()

    call_command("load_catalog", stdout=out)

    assert "Catalog version 1:" in out.getvalue()
    assert Effect.objects.filter(model_id__startswith="replicate:").count() >= 6


def test_new_provider_effect_puts_the_prompt_in_the_models_prompt_input_and_starts_hidden():
    effect = effect_create_provider(
        name="Watercolour AI",
        slug="watercolour-ai",
        category=category_get_or_create(name="AI Studio"),
        credits=5,
        model_key="flux-kontext-pro",
        prompt="Paint this photo as a loose watercolour",
    )

    assert effect.model_id == "replicate:black-forest-labs/flux-kontext-pro" and effect.is_active is False
    assert effect.config["input"]["prompt"] == "Paint this photo as a loose watercolour"
    assert effect.config["image_param"] == "input_image"


def test_new_provider_effect_on_a_prompt_model_without_a_prompt_is_refused():
    with pytest.raises(ApplicationError, match="needs a prompt"):
        effect_create_provider(
            name="X",
            slug="x",
            category=category_get_or_create(name="AI"),
            credits=5,
            model_key="flux-kontext-pro",
            prompt="  ",
        )


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


def test_effect_try_asks_the_provider_to_stop_the_prediction_when_the_try_gives_up(replicate_server, settings):
    settings.REPLICATE_TRY_TIMEOUT = 45
    effect = EffectFactory(model_id="replicate:acme/x")

    effect_try(effect=effect, source=image_validate_bytes(image_bytes()))

    assert replicate_server.cancel_afters == ["45s"]
