"""The tone and colour effects (pure functions): deterministic, and what HDR and posterize must do to a photo."""

import cv2
import numpy as np
import pytest
from PIL import Image

from effects.engines.classic import tone
from effects.engines.local import EFFECTS
from tests.effects.engines.references import PHOTOS
from tests.support.images import lit_photo_array


def defaults(slug: str) -> dict:
    return {name: param.default for name, param in EFFECTS[slug].params.items()}


@pytest.mark.parametrize("slug", [s for s, spec in EFFECTS.items() if spec.function.__module__ == tone.__name__])
def test_every_tone_effect_is_deterministic_and_keeps_the_size(slug):
    image = lit_photo_array()

    first = EFFECTS[slug].function(image, **defaults(slug))
    # Churn OpenCV's and numpy's allocations, so a read of uninitialised memory shows up.
    noise = np.random.default_rng(1).standard_normal(image.shape).astype(np.float32) * 1e6
    cv2.GaussianBlur(cv2.cvtColor(noise, cv2.COLOR_RGB2BGR), (0, 0), 2.0)
    second = EFFECTS[slug].function(image.copy(), **defaults(slug))

    assert first.shape == image.shape and first.dtype == np.uint8
    assert np.array_equal(first, second)


def test_hdr_on_strips_matches_detail_enhance_on_the_whole_image():
    image = lit_photo_array(1200, 200)  # taller than two strips of hdr's 512 rows
    whole = cv2.detailEnhance(cv2.cvtColor(image, cv2.COLOR_RGB2BGR), sigma_s=12, sigma_r=0.15)

    result = tone.hdr(image, sigma_s=12, sigma_r=0.15)

    difference = np.abs(result.astype(np.int16) - cv2.cvtColor(whole, cv2.COLOR_BGR2RGB))
    assert difference.max() <= 1


def sample(name: str) -> np.ndarray:
    return np.asarray(Image.open(PHOTOS / name).convert("RGB"))


def colour_count(rgb: np.ndarray) -> int:
    return len(np.unique(rgb.reshape(-1, 3), axis=0))


@pytest.mark.parametrize("levels", [2, 4, 8])
def test_posterize_prints_at_most_four_colours_per_level_and_keeps_the_picture(levels):
    source = sample("astronaut.png")

    out = tone.posterize(source, levels)

    # 2 x levels inks and their deeper outline shades; a flat picture has fewer than levels.
    assert levels < colour_count(out) <= 4 * levels
    lightness = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).ravel()
    assert np.corrcoef(lightness, cv2.cvtColor(source, cv2.COLOR_RGB2GRAY).ravel())[0, 1] > 0.85


def sky_hues(rgb: np.ndarray) -> np.ndarray:
    """Hue in degrees of the coloured pixels of the dusk sky above the rocket (rocket.jpg)."""
    sky = np.ascontiguousarray(rgb[0:180, 200:560])
    hsv = cv2.cvtColor(sky, cv2.COLOR_RGB2HSV_FULL).reshape(-1, 3).astype(np.float32)
    return hsv[hsv[:, 1] > 40, 0] * np.float32(360 / 256)


@pytest.mark.parametrize("levels", [2, 4, 8])
def test_posterize_paints_the_sky_in_its_own_hue(levels):
    source = sample("rocket.jpg")
    sky = np.median(sky_hues(source))

    out = tone.posterize(source, levels)

    # Per-channel quantisation turned this blue sky purple and green; a fitted palette keeps it blue.
    hues = sky_hues(out)
    off = np.abs((hues - sky + 180) % 360 - 180)
    assert len(hues) > 0.5 * 180 * 360 and (off <= 15).mean() > 0.95


@pytest.mark.parametrize("levels", [2, 4, 8])
def test_posterize_turns_a_grainy_sky_into_flat_bands(levels):
    # A sky darkening towards the top, with sensor noise: bands across it, no speckle.
    rows = np.linspace(0, 1, 300, dtype=np.float32)[:, None, None]
    sky = np.array([60, 110, 190], np.float32) * (1 - rows) + np.array([170, 200, 235], np.float32) * rows
    sky = np.broadcast_to(sky, (300, 400, 3)) + np.random.default_rng(0).normal(0, 4, (300, 400, 3))
    sky = np.clip(sky, 0, 255).astype(np.uint8)

    out = tone.posterize(sky, levels).astype(np.int16)

    # Along a row the colour should hardly change (per-channel quantisation: 9-42% of the steps).
    changes = (np.abs(np.diff(out, axis=1)).sum(axis=2) > 0).mean()
    assert changes < 0.08
    assert colour_count(out) > 2


def test_posterize_prints_a_face_in_its_own_skin_tone():
    source = sample("astronaut.png")
    cheeks = (slice(100, 150), slice(195, 255))  # the middle of the astronaut's face (512 px)
    lab = cv2.cvtColor(source.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    skin = np.median(lab[cheeks].reshape(-1, 3), axis=0)

    out = tone.posterize(source, 4)

    # The detected face's skin is one of the inks (a fitted palette alone printed it 11 units off
    # in CIELAB, in the nearest background ink).
    printed = cv2.cvtColor(out.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[cheeks].reshape(-1, 3)
    distance = np.sqrt(((printed - skin) ** 2).sum(axis=1))
    assert np.median(distance) < 6 and (distance < 15).mean() > 0.8


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (1, 700)])
def test_posterize_takes_images_of_a_few_pixels(shape):
    image = np.random.default_rng(3).integers(0, 256, (*shape, 3), dtype=np.uint8)

    out = tone.posterize(image, 4)

    # Its filters reach several pixels around each one; a sliver of an image must still work.
    assert out.shape == image.shape and out.dtype == np.uint8
