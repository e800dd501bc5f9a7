"""Gallery previews: the card-shaped cut around the subject, and which sample photo each effect is shown on."""

import json
from itertools import pairwise

import pytest
from PIL import Image

from core.errors import ApplicationError
from effects.catalog import LOCAL_CATALOG
from effects.engines.local import EFFECTS
from effects.previews import (
    HEAD_ABOVE,
    PEOPLE_PHOTOS,
    PORTRAIT_PHOTOS,
    PREVIEW_ASPECT,
    SAMPLE_PHOTOS,
    SAMPLE_PHOTOS_DIR,
    SCENE_PHOTOS,
    crop_box,
    effect_needs_people,
    face_boxes,
    preview_fit,
    preview_photo_choose,
    preview_source_image,
    sample_photo,
)
from tests.support.people_photos import iou


def _inside(inner, outer, margin=0.0) -> bool:
    return (
        inner[0] >= outer[0] + margin
        and inner[1] >= outer[1] + margin
        and inner[2] <= outer[2] - margin
        and inner[3] <= outer[3] - margin
    )


# --- The cut -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "cut"),
    [((800, 400), (533, 400)), ((600, 900), (600, 450)), ((640, 480), (640, 480)), ((451, 300), (400, 300))],
)
def test_the_cut_is_the_largest_4_3_box_inside_the_photo(size, cut):
    x0, y0, x1, y1 = crop_box(*size)

    assert (x1 - x0, y1 - y0) == cut
    assert x0 >= 0 and y0 >= 0 and x1 <= size[0] and y1 <= size[1]


def test_without_a_face_the_cut_centres_on_the_focus_and_stays_inside_the_photo():
    assert crop_box(1000, 500, focus=(0.5, 0.5)) == (166, 0, 833, 500)
    assert crop_box(1000, 500, focus=(0.4, 0.5)) == (66, 0, 733, 500)
    assert crop_box(1000, 500, focus=(0.95, 0.5)) == (333, 0, 1000, 500)  # pushed back inside


def test_the_cut_holds_the_whole_head_with_more_room_below_it_than_above():
    face = (250, 300, 350, 420)

    x0, y0, x1, y1 = crop_box(600, 1000, face_boxes=[face])

    assert (x1 - x0, y1 - y0) == (600, 450)
    head_top, head_bottom = face[1] - HEAD_ABOVE * 120, face[3] + 0.3 * 120
    assert y0 < head_top and head_bottom < y1
    assert head_top - y0 < y1 - head_bottom


def test_a_head_too_tall_for_the_cut_keeps_its_top_and_loses_the_neck():
    # Grace Hopper's face as the detector finds it in grace_hopper.jpg: her cap starts above the photo's top.
    face = (162, 121, 372, 331)

    box = crop_box(512, 600, face_boxes=[face])

    assert box == (0, 0, 512, 384)


def test_a_face_as_tall_as_the_cut_stays_whole_with_as_much_hair_as_fits():
    face = (50, 80, 350, 380)  # 300 px tall in a 400 x 400 photo: the cut is 300 px tall

    box = crop_box(400, 400, face_boxes=[face])

    assert box == (0, 80, 400, 380)
    assert _inside(face, box)


def test_a_face_whose_head_does_not_fit_gets_more_room_above_it_than_below():
    face = (100, 150, 300, 350)  # the cut is 300 px tall: 100 px to share out around the face

    box = crop_box(400, 400, face_boxes=[face])

    assert box == (0, 83, 400, 383)


def test_the_cut_holds_every_face_of_a_group():
    faces = [(500, 200, 600, 320), (1000, 220, 1100, 340)]

    box = crop_box(1600, 600, face_boxes=faces)

    assert box[2] - box[0] == 800
    assert all(_inside(face, box) for face in faces)


@pytest.mark.parametrize("photo", [photo.name for photo in PEOPLE_PHOTOS])
def test_the_cut_of_every_portrait_holds_each_face_the_detector_finds(photo):
    original = Image.open(SAMPLE_PHOTOS_DIR / photo).convert("RGB")
    found = face_boxes(original)

    cut = preview_source_image(sample_photo(photo))
    box = crop_box(original.width, original.height, face_boxes=found)

    assert found, f"no face found in {photo}"
    assert abs(cut.width / cut.height - PREVIEW_ASPECT) < 0.01
    assert all(_inside(face, box) for face in found)


@pytest.mark.parametrize("photo", ["astronaut.png", "grace_hopper.jpg"])
def test_the_cut_portrait_shows_the_same_face_whole_and_clear_of_the_edges(photo):
    original = Image.open(SAMPLE_PHOTOS_DIR / photo).convert("RGB")
    before = face_boxes(original)[0]
    x0, y0, _, _ = crop_box(original.width, original.height, face_boxes=face_boxes(original))

    cut = preview_source_image(sample_photo(photo))
    after = face_boxes(cut)

    assert len(after) == 1
    assert _inside(after[0], (0, 0, cut.width, cut.height), margin=4)
    moved = (before[0] - x0, before[1] - y0, before[2] - x0, before[3] - y0)
    assert iou(after[0], moved) > 0.8


def test_a_result_in_the_cards_shape_is_kept_whole():
    image = Image.new("RGB", (640, 480))

    assert preview_fit(image) is image


def test_a_square_result_is_cut_to_4_3_around_its_face():
    square = Image.open(SAMPLE_PHOTOS_DIR / "astronaut.png").convert("RGB")

    fitted = preview_fit(square)

    assert fitted.size == (512, 384)
    face = face_boxes(fitted)
    assert len(face) == 1 and _inside(face[0], (0, 0, 512, 384), margin=4)


# --- Which photo ---------------------------------------------------------------------------------


def test_every_listed_photo_is_bundled_and_every_bundled_photo_listed():
    bundled = {path.name for path in SAMPLE_PHOTOS_DIR.iterdir() if path.suffix in (".png", ".jpg")}

    assert bundled == set(SAMPLE_PHOTOS)
    assert all(photo.alt and photo.credit for photo in SAMPLE_PHOTOS.values())


def test_the_photo_asked_for_wins_and_an_unknown_one_is_refused():
    chosen = preview_photo_choose(slug="sepia", model_id="local:sepia", requested="flower.jpg", previous="coffee.png")

    assert chosen.name == "flower.jpg"
    with pytest.raises(ApplicationError, match=r"No sample photo named 'nope\.jpg'"):
        preview_photo_choose(slug="sepia", model_id="local:sepia", requested="nope.jpg")
    with pytest.raises(ApplicationError):
        preview_photo_choose(slug="sepia", model_id="local:sepia", requested="../catalogs/local.json")


def test_without_a_request_the_photo_it_was_rendered_on_before_is_kept():
    chosen = preview_photo_choose(slug="sepia", model_id="local:sepia", previous="coffee.png")

    assert chosen.name == "coffee.png"


@pytest.mark.parametrize("model", sorted(EFFECTS))
def test_without_a_choice_a_people_effect_gets_a_portrait_and_the_others_a_scene(model):
    spec = EFFECTS[model]

    chosen = preview_photo_choose(slug=f"staff-made-{model}", model_id=f"local:{model}")

    assert chosen.people == chosen.frontal == (spec.faces or spec.segmentation)


def test_provider_effects_are_portraits_and_an_unknown_engine_is_not():
    assert effect_needs_people(model_id="replicate:acme/anime")
    assert not effect_needs_people(model_id="nope")
    assert not effect_needs_people(model_id="local:no-such-effect")


def test_effects_without_a_choice_spread_over_the_photos():
    scenes = {preview_photo_choose(slug=f"effect-{n}", model_id="local:sepia").name for n in range(30)}
    people = {preview_photo_choose(slug=f"effect-{n}", model_id="local:avatar").name for n in range(30)}

    assert scenes == {photo.name for photo in SCENE_PHOTOS}
    assert people == {photo.name for photo in PORTRAIT_PHOTOS}


# --- The demo catalog's choices ------------------------------------------------------------------


def _local_entries() -> list[dict]:
    return json.loads(LOCAL_CATALOG.read_text())["effects"]


def test_the_demo_catalog_shows_people_effects_on_portraits_and_at_least_three_people():
    entries = _local_entries()
    people_effects = [e for e in entries if effect_needs_people(model_id=e["model_id"])]

    assert people_effects
    assert all(SAMPLE_PHOTOS[e["preview_photo"]].frontal for e in people_effects)
    shown = {SAMPLE_PHOTOS[e["preview_photo"]] for e in entries}
    assert len([photo for photo in shown if photo.people]) >= 3


def test_the_demo_catalog_varies_its_photos():
    entries = _local_entries()
    uses: dict[str, int] = {}
    for entry in entries:
        uses[entry["preview_photo"]] = uses.get(entry["preview_photo"], 0) + 1

    assert len(uses) >= 8
    assert max(uses.values()) <= 4, uses
    for category in {e["category"] for e in entries}:
        photos = [e["preview_photo"] for e in entries if e["category"] == category]
        assert all(a != b for a, b in pairwise(photos)), (category, photos)
