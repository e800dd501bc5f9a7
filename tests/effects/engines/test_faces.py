"""Face detection (BlazeFace short and full range) on real photos and a composed group photo."""

import io

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command

from effects.engines import EngineConfigError, faces
from effects.engines.local import LocalEngine
from effects.models import Effect
from tests.support.people_photos import (
    ASTRONAUT_EYES,
    ASTRONAUT_FACE,
    NO_PERSON,
    encode_png,
    group_photo,
    iou,
    photo,
)


def test_finds_the_astronauts_face_where_it_was_labelled_by_hand():
    found = faces.detect_faces(photo("astronaut.png"))

    assert len(found) == 1
    assert iou(found[0].box, ASTRONAUT_FACE) >= 0.5
    assert found[0].score > 0.8


def test_the_eye_keypoints_land_on_the_eyes():
    face = faces.detect_faces(photo("astronaut.png"))[0]

    for index, labelled in zip((faces.RIGHT_EYE, faces.LEFT_EYE), ASTRONAUT_EYES, strict=True):
        assert np.hypot(*(face.keypoints[index] - labelled)) < 6


@pytest.mark.parametrize("name", NO_PERSON)
def test_finds_no_face_in_a_photo_without_people(name):
    assert faces.detect_faces(photo(name), min_face=0.025) == []


def test_finds_every_face_of_a_group_photo_at_several_sizes():
    picture, truth = group_photo()

    found = faces.detect_faces(picture, min_score=0.5, min_face=0.025)

    assert len(found) == len(truth)
    for box in truth:
        assert max(iou(face.box, box) for face in found) >= 0.5


def test_small_faces_need_the_tile_search():
    picture, truth = group_photo()

    whole_photo_only = faces.detect_faces(picture, min_score=0.5)

    smallest = truth[0]
    assert all(iou(face.box, smallest) < 0.5 for face in whole_photo_only)


def test_a_wide_photo_is_letterboxed_and_boxes_map_back_to_its_pixels():
    portrait = photo("astronaut.png")
    wide = np.zeros((512, 1400, 3), dtype=np.uint8)
    wide[:, 700:1212] = portrait

    found = faces.detect_faces(wide)

    x0, y0, x1, y1 = ASTRONAUT_FACE
    assert len(found) == 1
    assert iou(found[0].box, (x0 + 700, y0, x1 + 700, y1)) >= 0.5


def test_the_face_roll_follows_a_tilted_head():
    import cv2

    portrait = photo("astronaut.png")
    tilted = cv2.warpAffine(portrait, cv2.getRotationMatrix2D((225, 125), 20, 1.0), (512, 512))

    upright = faces.detect_faces(portrait)[0].roll
    rolled = faces.detect_faces(tilted)[0].roll

    # OpenCV turns counter-clockwise for a positive angle; image y points down.
    assert abs(upright) < 5
    assert -28 < rolled < -12


def test_anchor_layouts_match_the_models_outputs():
    short, full = faces.anchors_for(faces.MODELS["short"]), faces.anchors_for(faces.MODELS["full"])

    assert short.shape == (896, 2) and full.shape == (2304, 2)
    # Short range: 16x16 cells x 2 anchors, then 8x8 cells x 6; full range: 48x48 cells x 1.
    assert np.allclose(short[0], short[1]) and np.allclose(short[0], (1 / 32, 1 / 32))
    assert np.allclose(short[512], (1 / 16, 1 / 16)) and np.allclose(short[512], short[517])
    assert np.allclose(full[1], (3 / 96, 1 / 96))


def test_weighted_nms_merges_one_face_seen_twice_and_keeps_two_faces_apart():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=np.float32)
    scores = np.array([0.9, 0.6, 0.8], dtype=np.float32)
    points = np.zeros((3, 6, 2), dtype=np.float32)

    merged = faces.weighted_nms(boxes, scores, points)

    assert [round(face.score, 2) for face in merged] == [0.9, 0.8]
    assert merged[0].box == pytest.approx((0.4, 0.4, 10.4, 10.4))


def test_each_model_is_loaded_once_per_process():
    assert faces.load_model("full") is faces.load_model("full")
    assert faces.load_model("short") is faces.load_model("short")


def test_the_django_setting_points_the_engine_at_the_installed_models():
    assert faces.model_dir() == settings.FACE_MODEL_DIR
    for spec in faces.MODELS.values():
        assert (settings.FACE_MODEL_DIR / spec.filename).is_file()


@pytest.fixture
def missing_face_models(tmp_path):
    previous = faces.model_dir()
    faces.configure(model_dir=tmp_path)
    yield
    faces.configure(model_dir=previous)


@pytest.mark.parametrize("model", ["blur-faces", "pixelate-faces", "avatar", "remove-background"])
def test_missing_face_models_are_a_permanent_config_error(missing_face_models, model):
    with pytest.raises(EngineConfigError, match="not installed") as exc:
        LocalEngine().apply(model, {}, encode_png(photo("astronaut.png")))

    assert exc.value.code == "MODEL_UNAVAILABLE" and not exc.value.transient


@pytest.mark.django_db
def test_seed_demo_hides_every_people_effect_while_the_face_models_are_missing(missing_face_models):
    call_command("seed_demo", stdout=io.StringIO())

    hidden = set(Effect.objects.filter(is_active=False).values_list("slug", flat=True))
    assert hidden == {
        "background-blur",
        "background-gray",
        "remove-background",
        "replace-background",
        "blur-faces",
        "pixelate-faces",
        "avatar",
    }
