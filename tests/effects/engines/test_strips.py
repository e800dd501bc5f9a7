"""Strip processing: a filter run strip by strip, with a halo, gives the whole image's result."""

import cv2
import numpy as np

from effects.engines.strips import by_strips


def noisy_image(height: int = 300, width: int = 80) -> np.ndarray:
    return np.random.default_rng(7).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_a_filter_on_strips_with_a_halo_of_its_radius_equals_the_whole_image_filter():
    image = noisy_image()
    whole = cv2.GaussianBlur(image, (21, 21), 0)

    strips = by_strips(
        lambda start, stop: cv2.GaussianBlur(image[start:stop], (21, 21), 0), image.shape, halo=10, rows=40
    )

    assert np.array_equal(strips, whole)


def test_a_halo_narrower_than_the_filter_leaves_seams_between_strips():
    image = noisy_image()
    whole = cv2.GaussianBlur(image, (21, 21), 0)

    strips = by_strips(
        lambda start, stop: cv2.GaussianBlur(image[start:stop], (21, 21), 0), image.shape, halo=2, rows=40
    )

    assert not np.array_equal(strips, whole)


def test_each_row_comes_from_one_strip_that_saw_its_halo_and_strips_are_at_least_four_halos():
    calls = []

    def rows(start: int, stop: int) -> np.ndarray:
        calls.append((start, stop))
        return np.arange(start, stop, dtype=np.int32)[:, None]

    result = by_strips(rows, (100, 1), halo=5, rows=8, dtype=np.int32)

    assert np.array_equal(result[:, 0], np.arange(100))
    assert calls == [(0, 25), (15, 45), (35, 65), (55, 85), (75, 100)]
