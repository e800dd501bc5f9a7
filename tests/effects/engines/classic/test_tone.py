"""The tone and colour effects (pure functions): deterministic, and what HDR must do to a photo."""

import cv2
import numpy as np
import pytest

from effects.engines.classic import tone
from effects.engines.local import EFFECTS
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
