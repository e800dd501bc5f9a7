"""The painterly effects (pure functions): each is deterministic and keeps the image's size."""

import cv2
import numpy as np
import pytest

from effects.engines.classic import painterly
from effects.engines.local import EFFECTS
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
