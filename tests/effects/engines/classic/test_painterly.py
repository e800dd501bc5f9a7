"""The painterly effects (pure functions): each is deterministic and keeps the image's size; oil paint
keeps the photo's colour, watercolour keeps the detail of faces."""

import cv2
import numpy as np
import pytest
from PIL import Image

from effects.engines import faces
from effects.engines.classic import painterly
from effects.engines.local import EFFECTS
from tests.effects.engines.references import PHOTOS
from tests.support.images import lit_photo_array


def defaults(slug: str) -> dict:
    return {name: param.default for name, param in EFFECTS[slug].params.items()}


@pytest.mark.parametrize("slug", [s for s, spec in EFFECTS.items() if spec.function.__module__ == painterly.__name__])
def test_every_painterly_effect_is_deterministic_and_keeps_the_size(slug):
    image = lit_photo_array()

    first = EFFECTS[slug].function(image, **defaults(slug))
    # Churn OpenCV's and numpy's allocations, so a read of uninitialised memory shows up.
    noise = np.random.default_rng(1).standard_normal(image.shape).astype(np.float32) * 1e6
    cv2.GaussianBlur(cv2.cvtColor(noise, cv2.COLOR_RGB2BGR), (0, 0), 2.0)
    second = EFFECTS[slug].function(image.copy(), **defaults(slug))

    assert first.shape == image.shape and first.dtype == np.uint8
    assert np.array_equal(first, second)


def sample(name: str) -> np.ndarray:
    return np.asarray(Image.open(PHOTOS / name).convert("RGB"))


def saturation(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[..., 1].astype(np.float32)


@pytest.mark.parametrize("photo", ["astronaut.png", "coffee.png", "chelsea.png"])
def test_oil_paint_lights_the_paint_without_greying_it(photo):
    source = sample(photo)

    out = painterly.oil_paint(source, **defaults("oil-paint"))

    # The relief changes lightness only: the colours keep their saturation, overall and pixel by
    # pixel (a grey emboss drained a tenth of the astronaut's coloured pixels by a third or more).
    before, after = saturation(source), saturation(out)
    coloured = before > 60
    assert after.mean() >= 0.95 * before.mean()
    assert (after[coloured] < 0.7 * before[coloured]).mean() < 0.08
    assert np.abs(out.astype(np.int16) - source).mean() > 3  # and it did paint


def eye_detail(rgb: np.ndarray) -> np.ndarray:
    """Band-pass lightness around the astronaut's eyes (astronaut.png, 512 px): the eyes' shapes."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    band = cv2.GaussianBlur(gray, (0, 0), 1.0) - cv2.GaussianBlur(gray, (0, 0), 3.0)
    return band[90:125, 180:275].ravel()


def test_watercolor_keeps_the_eyes_of_a_face():
    source = sample("astronaut.png")

    out = painterly.watercolor(source, **defaults("watercolor"))

    # The eyes' structure survives the washes (0.80 when the whole photo was washed alike).
    assert np.corrcoef(eye_detail(source), eye_detail(out))[0, 1] > 0.88
    assert np.abs(out.astype(np.int16) - source).mean() > 5  # and it did paint


@pytest.fixture
def missing_face_models(tmp_path):
    previous = faces.model_dir()
    faces.configure(model_dir=tmp_path)
    yield
    faces.configure(model_dir=previous)


@pytest.mark.parametrize("slug", ["watercolor", "oil-paint"])
def test_painterly_effects_paint_without_the_face_models(missing_face_models, slug):
    source = sample("astronaut.png")

    out = EFFECTS[slug].function(source, **defaults(slug))

    # The face models are optional here: the whole photo is painted with one brush.
    assert out.shape == source.shape and np.abs(out.astype(np.int16) - source).mean() > 3


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (1, 700)])
@pytest.mark.parametrize("slug", ["oil-paint", "watercolor"])
def test_oil_paint_and_watercolor_take_images_of_a_few_pixels(slug, shape):
    image = np.random.default_rng(3).integers(0, 256, (*shape, 3), dtype=np.uint8)

    out = EFFECTS[slug].function(image, **defaults(slug))

    # Their filters reach several pixels around each one; a sliver of an image must still work.
    assert out.shape == image.shape and out.dtype == np.uint8
