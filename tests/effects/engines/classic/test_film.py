"""The film, print and lens looks (pure functions): what each look must do to a photo."""

import cv2
import numpy as np
import pytest

from effects.engines.classic import film
from effects.engines.local import EFFECTS
from tests.support.images import lit_photo_array


def defaults(slug: str) -> dict:
    return {name: param.default for name, param in EFFECTS[slug].params.items()}


def sharpness(rgb: np.ndarray) -> float:
    gray = rgb.astype(np.float32).mean(axis=2)
    return float(np.abs(np.diff(gray, axis=0)).mean() + np.abs(np.diff(gray, axis=1)).mean())


@pytest.mark.parametrize("slug", [s for s, spec in EFFECTS.items() if spec.function.__module__ == film.__name__])
def test_every_film_effect_is_deterministic_and_keeps_the_size(slug):
    image = lit_photo_array()

    first = EFFECTS[slug].function(image, **defaults(slug))
    # Churn OpenCV's and numpy's allocations, so a read of uninitialised memory shows up.
    noise = np.random.default_rng(1).standard_normal(image.shape).astype(np.float32) * 1e6
    cv2.GaussianBlur(cv2.cvtColor(noise, cv2.COLOR_RGB2BGR), (0, 0), 2.0)
    second = EFFECTS[slug].function(image.copy(), **defaults(slug))

    assert first.shape == image.shape and first.dtype == np.uint8
    assert np.array_equal(first, second)


def test_analog_film_fade_lifts_the_blacks():
    image = lit_photo_array()

    out = film.analog_film(image, grain=0.0, halation=0.0, fade=1.0, warmth=0.0)

    assert out[10:40, 110:150].mean() > image[10:40, 110:150].mean() + 15


def test_analog_film_halation_glows_red_around_lights():
    image = lit_photo_array()
    near_light = (slice(54, 66), slice(39, 44))  # just right of the light

    with_glow = film.analog_film(image, grain=0.0, halation=1.0, fade=0.0, warmth=0.0).astype(int)
    without = film.analog_film(image, grain=0.0, halation=0.0, fade=0.0, warmth=0.0).astype(int)

    gain = (with_glow[near_light] - without[near_light]).mean(axis=(0, 1))
    assert gain[0] > 5 and gain[0] > 2 * gain[2]


def test_analog_film_grain_adds_texture():
    image = np.full((120, 160, 3), 128, np.uint8)

    out = film.analog_film(image, grain=1.0, halation=0.0, fade=0.0, warmth=0.0)

    assert out.astype(np.float32).std() > 3


def test_duotone_uses_only_the_two_inks_and_their_blends():
    dark, light = (np.array(c, np.float32) for c in film.DUOTONES["sunset"])

    out = film.duotone(lit_photo_array(), palette="sunset", contrast=0.3).reshape(-1, 3).astype(np.float32)

    t = ((out - dark) @ (light - dark)) / ((light - dark) @ (light - dark))
    off_line = np.abs(out - (dark + t[:, None] * (light - dark))).max()
    assert off_line <= 2
    assert t.min() < 0.05 and t.max() > 0.95


def test_tilt_shift_keeps_the_band_sharp_and_blurs_top_and_bottom():
    image = lit_photo_array(200, 160)

    out = film.tilt_shift(image, position=0.5, width=0.2, blur=10, saturation=1.0)

    assert sharpness(out[:30]) < sharpness(image[:30]) * 0.5
    assert sharpness(out[90:110]) > sharpness(image[90:110]) * 0.8


def test_pop_art_prints_dots_on_white_paper():
    grey = np.full((200, 200, 3), 140, np.uint8)

    out = film.pop_art(grey, dot_size=12, saturation=1.0)

    assert (out.min(axis=2) > 240).mean() > 0.1  # bare paper between the dots
    assert (out.max(axis=2) < 120).mean() > 0.05  # ink


def test_lomo_darkens_the_corners_more_than_the_centre():
    flat = np.full((100, 100, 3), 150, np.uint8)

    out = film.lomo(flat, intensity=0.5, vignette=1.0).astype(np.float32)

    assert out[:10, :10].mean() < out[45:55, 45:55].mean() * 0.6


def test_light_leak_only_brightens_and_comes_from_its_edge():
    image = lit_photo_array()

    out = film.light_leak(image, position="left", strength=1.0).astype(int)

    assert (out >= image.astype(int) * 0.94 - 1).all()
    gain = (out - image).mean(axis=(0, 2))
    assert gain[:20].mean() > gain[-20:].mean() + 20
