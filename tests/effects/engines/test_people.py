"""The people effects on real photos: cut-outs, backdrops, hidden faces, avatars and the subject rule."""

import re

import cv2
import numpy as np
import pytest

from effects.engines import EngineConfigError, faces, validate_config
from effects.engines.local import EFFECTS, LocalEngine
from effects.engines.subjects import NoSubjectError, clean_probability
from tests.support.people_photos import (
    ASTRONAUT_FACE,
    NO_PERSON,
    box_slices,
    decode,
    encode_png,
    group_of_three,
    group_of_two,
    group_photo,
    iou,
    photo,
    photo_bytes,
    sideways,
    sideways_portrait,
)

ENGINE = LocalEngine()
PORTRAIT = photo_bytes("astronaut.png")
PEOPLE_EFFECTS = sorted(name for name, spec in EFFECTS.items() if spec.faces)
# Regions of astronaut.png, found by looking at it: the middle of her face, the top corners
# (grey studio wall), and the far background top right (the wall beside the shuttle model).
FACE = (slice(95, 150), slice(198, 250))
TOP_CORNERS = [(slice(0, 30), slice(0, 30)), (slice(0, 30), slice(482, 512))]
FAR_BACKGROUND = (slice(0, 60), slice(330, 512))


def run(model: str, data: bytes = PORTRAIT, **config) -> np.ndarray:
    return decode(ENGINE.apply(model, config, data).data)


def detail(rgb: np.ndarray) -> float:
    """Variance of the Laplacian: high for sharp texture, low once blurred or flattened."""
    gray = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3], dtype=np.uint8), cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def test_people_effects_are_the_ones_that_need_the_face_models():
    assert PEOPLE_EFFECTS == [
        "avatar",
        "background-blur",
        "background-gray",
        "blur-faces",
        "pixelate-faces",
        "remove-background",
        "replace-background",
    ]


# --- The subject rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["coffee.png", "chelsea.png"])
@pytest.mark.parametrize("model", PEOPLE_EFFECTS)
def test_a_photo_without_a_person_raises_no_subject(model, name):
    with pytest.raises(NoSubjectError) as exc:
        ENGINE.apply(model, {}, photo_bytes(name))

    assert exc.value.code == "NO_SUBJECT" and not exc.value.transient
    assert exc.value.message == "We couldn't find a person in this photo"


@pytest.mark.parametrize("name", NO_PERSON)
def test_background_blur_raises_no_subject_on_every_photo_without_a_person(name):
    with pytest.raises(NoSubjectError):
        ENGINE.apply("background-blur", {}, photo_bytes(name))


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_photo_without_a_person_raises_no_subject_however_it_is_turned(turns):
    with pytest.raises(NoSubjectError):
        ENGINE.apply("remove-background", {}, encode_png(sideways(photo("chelsea.png"), turns)))


def test_a_person_covering_less_than_min_coverage_raises_no_subject():
    # The portrait at 3/4 of its size on a plain wall: she covers about 8% of it.
    canvas = np.full((1024, 1024, 3), 200, dtype=np.uint8)
    canvas[640:1024, 600:984] = cv2.resize(photo("astronaut.png"), (384, 384), interpolation=cv2.INTER_AREA)
    small = encode_png(canvas)

    assert ENGINE.apply("remove-background", {"min_coverage": 0.03}, small)
    with pytest.raises(NoSubjectError):
        ENGINE.apply("remove-background", {"min_coverage": 0.2}, small)


def test_a_higher_face_score_than_the_best_face_raises_no_subject():
    with pytest.raises(NoSubjectError):
        ENGINE.apply("background-gray", {"face_score": 0.95}, PORTRAIT)


# --- remove-background ---------------------------------------------------------------------------


def test_remove_background_cuts_out_the_person_on_a_transparent_background():
    out = ENGINE.apply("remove-background", {}, PORTRAIT)

    rgba = decode(out.data)
    assert out.content_type == "image/png" and rgba.shape == (512, 512, 4)
    alpha = rgba[..., 3].astype(np.float32) / 255
    for corner in TOP_CORNERS:
        assert alpha[corner].max() < 0.05
    assert alpha[FACE].min() > 0.95


def test_remove_background_keeps_the_persons_colours():
    rgba = run("remove-background")

    assert np.abs(rgba[FACE][..., :3].astype(int) - photo("astronaut.png")[FACE]).mean() < 2


def test_remove_background_edge_is_soft_and_follows_the_hair():
    alpha = run("remove-background")[..., 3].astype(np.float32) / 255
    hair_top = alpha[:, 205:250]  # columns across the top of her hair

    # The outline has partial alpha (no stair-step of a hard mask) but stays a narrow band.
    partial = (hair_top > 0.05) & (hair_top < 0.95)
    assert partial.any(axis=0).mean() > 0.8
    assert partial.sum(axis=0).max() <= 8
    # Where the alpha turns on, the photo turns from the grey wall to her hair: it follows the image.
    top_row = int(np.argmax(alpha[:, 225] > 0.5))
    assert 10 <= top_row <= 30


def test_remove_background_keeps_a_transparent_source_area_transparent():
    rgba = np.dstack([photo("astronaut.png"), np.full((512, 512), 255, dtype=np.uint8)])
    rgba[:, 256:, 3] = 0  # the right half of the source is transparent

    alpha = decode(ENGINE.apply("remove-background", {}, encode_png(rgba)).data)[..., 3]

    assert alpha[:, 256:].max() == 0
    assert alpha[FACE[0], 198:250].min() > 240


def test_remove_background_refuses_jpeg_which_has_no_transparency():
    with pytest.raises(EngineConfigError, match=re.escape("'format' must be one of png, webp")):
        validate_config("local:remove-background", {"format": "jpeg"})


@pytest.mark.parametrize("group", [group_of_two, group_of_three], ids=["two", "three"])
def test_remove_background_keeps_every_person_of_a_group_side_by_side(group):
    picture, bodies = group()

    alpha = decode(ENGINE.apply("remove-background", {}, encode_png(picture)).data)[..., 3] / 255

    for body in bodies:
        for box in body:
            assert alpha[box_slices(box)].mean() > 0.9, f"{box} of a person lost in the cut-out"


def test_remove_background_keeps_every_face_of_a_group_with_small_people():
    picture, truth = group_photo()

    alpha = decode(ENGINE.apply("remove-background", {}, encode_png(picture)).data)[..., 3] / 255

    for x0, y0, x1, y1 in truth:
        middle = (
            slice(round(y0 + 0.25 * (y1 - y0)), round(y1 - 0.25 * (y1 - y0))),
            slice(round(x0 + 0.25 * (x1 - x0)), round(x1 - 0.25 * (x1 - x0))),
        )
        assert alpha[middle].mean() > 0.9, f"the face at {x0:.0f},{y0:.0f} was cut out of the picture"


def test_remove_background_clears_the_background_between_the_people():
    picture, _ = group_of_two()
    between = (slice(0, 150), slice(380, 644))  # the grey wall and the shuttle models

    alpha = decode(ENGINE.apply("remove-background", {}, encode_png(picture)).data)[..., 3] / 255

    assert alpha[between].mean() < 0.05


def test_remove_background_has_no_holes_in_the_clothes_of_a_group():
    picture, bodies = group_of_two()

    alpha = decode(ENGINE.apply("remove-background", {}, encode_png(picture)).data)[..., 3] / 255

    for body in bodies:
        torso = alpha[box_slices(body[2])]
        assert (torso < 0.5).mean() < 0.01


@pytest.mark.parametrize("group", [group_of_two, group_of_three], ids=["two", "three"])
def test_background_blur_keeps_every_person_of_a_group_sharp(group):
    picture, bodies = group()

    out = decode(ENGINE.apply("background-blur", {"format": "png"}, encode_png(picture)).data)

    for body in bodies:
        for box in body:
            region = box_slices(box)
            assert detail(out[region]) > 0.8 * detail(picture[region]), f"{box} of a person blurred"
    assert detail(out[:150, 380:644]) < 0.3 * detail(picture[:150, 380:644])


def test_clean_probability_fills_a_hole_in_a_person_and_drops_a_blob_away_from_them():
    probability = np.zeros((400, 400), np.float32)
    probability[50:400, 100:300] = 1.0  # the person, face at the top
    probability[250:270, 190:210] = 0.0  # a small hole in the clothes
    probability[20:40, 350:370] = 0.9  # a blob far from the face
    face = faces.Face(box=(160, 60, 240, 140), score=0.9, keypoints=np.zeros((6, 2), np.float32))

    cleaned = clean_probability(probability.copy(), [face])

    assert cleaned[250:270, 190:210].min() > 0.9
    assert cleaned[20:40, 350:370].max() < 0.1
    assert cleaned[150:400, 110:290].min() == 1.0


def test_clean_probability_keeps_a_large_gap_between_arm_and_body():
    probability = np.zeros((400, 400), np.float32)
    probability[50:400, 100:300] = 1.0
    probability[200:300, 150:250] = 0.0  # 14% of the person: a real gap, not a missed patch
    face = faces.Face(box=(160, 60, 240, 140), score=0.9, keypoints=np.zeros((6, 2), np.float32))

    cleaned = clean_probability(probability.copy(), [face])

    assert cleaned[210:290, 160:240].max() == 0.0


# --- Photos lying on their side -----------------------------------------------------------------


@pytest.mark.parametrize("model", ["remove-background", "background-blur", "pixelate-faces"])
@pytest.mark.parametrize("turns", [1, 3])
def test_a_sideways_portrait_gets_the_upright_result_turned_back(model, turns):
    upright = photo("astronaut.png")[:, 60:460]
    expected = decode(ENGINE.apply(model, {"format": "png"}, encode_png(upright)).data).astype(int)

    out = decode(ENGINE.apply(model, {"format": "png"}, encode_png(sideways(upright, turns))).data).astype(int)

    assert out.shape[:2] == (400, 512)
    assert np.abs(out - np.rot90(expected, turns)).mean() < 1


def test_avatar_of_a_sideways_portrait_is_upright():
    out = run("avatar", encode_png(sideways_portrait()))

    found = faces.detect_faces(out)
    assert len(found) == 1 and abs(found[0].roll) < 15


# --- replace-background --------------------------------------------------------------------------


def test_replace_background_puts_the_person_on_a_solid_backdrop():
    out = run("replace-background", backdrop="solid", color="#203040", light_wrap=0, harmonise=0, format="png").astype(
        int
    )

    for corner in TOP_CORNERS:
        assert np.abs(out[corner] - (0x20, 0x30, 0x40)).max() <= 2
    assert np.abs(out[FACE] - photo("astronaut.png")[FACE]).mean() < 2


def test_replace_background_gradient_is_lighter_behind_the_person_than_at_the_edges():
    out = run("replace-background", color="#f0f0f0", color2="#404040").astype(int)

    assert out[:20, 230:280].mean() > out[:20, :20].mean() + 40


def test_replace_background_blur_keeps_the_backdrop_but_softens_it():
    out = run("replace-background", backdrop="blur", blur=30)

    assert detail(out[FAR_BACKGROUND]) < 0.3 * detail(photo("astronaut.png")[FAR_BACKGROUND])


def test_replace_background_light_wrap_tints_the_outline_only():
    plain = run("replace-background", backdrop="solid", color="#00ff00", light_wrap=0, harmonise=0).astype(int)
    wrapped = run("replace-background", backdrop="solid", color="#00ff00", light_wrap=1, harmonise=0).astype(int)

    assert np.abs(wrapped[FACE] - plain[FACE]).mean() < 1
    changed = np.abs(wrapped - plain).sum(axis=2) > 10
    assert changed.any() and changed.mean() < 0.1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"color": "red"}, "'color' must look like #1e90ff"),
        ({"color2": "#12345"}, "'color2' must look like #1e90ff"),
        ({"backdrop": "checkerboard"}, "'backdrop' must be one of gradient, solid, blur"),
        ({"edge": 10}, "'edge' must be between 0.2 and 4"),
    ],
)
def test_replace_background_rejects_bad_config(config, message):
    with pytest.raises(EngineConfigError, match=re.escape(message)):
        validate_config("local:replace-background", config)


# --- blur-faces / pixelate-faces -----------------------------------------------------------------


@pytest.mark.parametrize("model", ["blur-faces", "pixelate-faces"])
def test_hiding_faces_changes_the_face_and_leaves_the_far_background(model):
    source = photo("astronaut.png")

    out = run(model, format="png")

    assert detail(out[FACE]) < 0.2 * detail(source[FACE])
    assert np.abs(out[FACE].astype(int) - source[FACE]).mean() > 8
    assert np.abs(out[FAR_BACKGROUND].astype(int) - source[FAR_BACKGROUND]).mean() < 0.5


@pytest.mark.parametrize("model", ["blur-faces", "pixelate-faces"])
def test_hiding_faces_covers_the_hair_too(model):
    source = photo("astronaut.png")
    hair = (slice(35, 60), slice(200, 250))

    out = run(model, format="png")

    assert np.abs(out[hair].astype(int) - source[hair]).mean() > 5


@pytest.mark.parametrize("model", ["blur-faces", "pixelate-faces"])
def test_hiding_faces_hides_every_face_of_a_group_photo(model):
    picture, truth = group_photo()

    out = decode(ENGINE.apply(model, {"format": "png"}, encode_png(picture)).data)

    for x0, y0, x1, y1 in truth:
        region = (slice(round(y0), round(y1)), slice(round(x0), round(x1)))
        assert np.abs(out[region].astype(int) - picture[region]).mean() > 8
    assert faces.detect_faces(out, min_score=0.5, min_face=0.025) == []


def test_pixelate_faces_makes_blocks_of_one_colour():
    out = run("pixelate-faces", format="png", blocks=6)
    face = faces.detect_faces(photo("astronaut.png"))[0]
    block = round(face.width / 6)

    inner = out[FACE]
    rows = np.abs(np.diff(inner.astype(int), axis=0)).sum(axis=2) > 0
    # Inside the mosaic, colour changes only at block boundaries: most rows repeat the previous one.
    assert rows.any(axis=1).mean() < 2.5 / block


# --- avatar --------------------------------------------------------------------------------------


def test_avatar_is_a_square_centred_on_the_face():
    out = run("avatar")

    assert out.shape[0] == out.shape[1]
    found = faces.detect_faces(out)
    assert len(found) == 1
    cx, cy = found[0].centre
    side = out.shape[0]
    assert 0.4 * side < cx < 0.6 * side and 0.25 * side < cy < 0.6 * side
    assert found[0].width > side / 5  # head and shoulders, not the whole photo


def test_avatar_on_a_512_px_photo_is_not_scaled_past_its_own_detail():
    source = photo("astronaut.png")
    face = faces.detect_faces(source)[0]
    crop_side = round(3.2 * max(face.width, face.height))  # the default framing

    out = run("avatar", format="png")

    # The square's own pixels, not 1024 blurred ones: the avatar is found in the photo as it is.
    assert out.shape == (crop_side, crop_side, 3)
    match = cv2.matchTemplate(source, np.ascontiguousarray(out), cv2.TM_SQDIFF)
    assert match.min() == 0


def test_avatar_of_a_large_photo_is_size_pixels():
    large = cv2.resize(photo("astronaut.png"), (1800, 1800), interpolation=cv2.INTER_CUBIC)

    out = decode(ENGINE.apply("avatar", {"size": 600, "format": "png"}, encode_png(large)).data)

    assert out.shape == (600, 600, 3)


def test_avatar_on_a_wide_photo_is_still_square_and_contains_the_face():
    portrait = photo("astronaut.png")
    wide = np.full((512, 1200, 3), 180, dtype=np.uint8)
    wide[:, 100:612] = portrait

    out = decode(ENGINE.apply("avatar", {"size": 300}, encode_png(wide)).data)

    assert out.shape == (300, 300, 3)
    assert len(faces.detect_faces(out)) == 1


def test_avatar_with_a_backdrop_replaces_the_wall():
    out = run("avatar", backdrop="solid", color="#102030").astype(int)

    assert np.abs(out[:40, :40] - (0x10, 0x20, 0x30)).max() <= 3
    assert len(faces.detect_faces(out.astype(np.uint8))) == 1


# --- Shapes and config ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", sorted(set(PEOPLE_EFFECTS) - {"avatar"}))
def test_people_effects_keep_the_photo_size(model):
    tall = encode_png(photo("astronaut.png")[:, 60:460])

    out = ENGINE.apply(model, {"format": "png"}, tall)

    assert (out.width, out.height) == (400, 512)


def test_validate_fills_in_the_people_defaults():
    assert validate_config("local:blur-faces", {}) == {
        "strength": 0.7,
        "grow": 0.5,
        "min_face": 2.5,
        "face_score": 0.6,
        "format": "jpeg",
        "quality": 90,
    }
    assert validate_config("local:remove-background", {})["format"] == "png"


def test_the_astronaut_face_box_used_above_is_where_the_detector_finds_it():
    # Guards the regions of this file: FACE lies inside the labelled face box.
    x0, y0, x1, y1 = ASTRONAUT_FACE
    assert x0 <= FACE[1].start and FACE[1].stop <= x1 and y0 <= FACE[0].start and FACE[0].stop <= y1
    assert iou(faces.detect_faces(photo("astronaut.png"))[0].box, ASTRONAUT_FACE) >= 0.5
