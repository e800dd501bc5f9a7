"""Every local effect still looks like its stored reference on the fixture photos (SSIM).

A change that ruins an effect fails here. A change that improves one on purpose regenerates the
references with the command named in the failure message, and the new images are reviewed in the
same commit.
"""

import cv2
import numpy as np
import pytest
from PIL import Image

from effects.engines.local import EFFECTS
from tests.effects.engines.references import (
    FIXTURE_PHOTOS,
    PHOTOS,
    REGENERATE,
    SSIM_THRESHOLD,
    reference_path,
    render,
    ssim,
)


@pytest.mark.parametrize("photo", FIXTURE_PHOTOS)
@pytest.mark.parametrize("slug", list(EFFECTS))
def test_effect_matches_its_reference(slug, photo):
    image_path, error_path = reference_path(slug, photo), reference_path(slug, photo, error=True)

    result = render(slug, photo)

    if error_path.exists():
        assert result == error_path.read_text().strip(), f"{slug} on {photo} no longer refuses the photo"
        return
    if not image_path.exists():
        pytest.fail(f"no reference for {slug} on {photo}: run `{REGENERATE} {slug}` and review the image")
    assert not isinstance(result, str), f"{slug} on {photo} failed with {result}"
    reference = np.asarray(Image.open(image_path))
    assert result.shape == reference.shape
    score = ssim(result, reference)
    assert score >= SSIM_THRESHOLD, (
        f"{slug} on {photo}: SSIM {score:.3f} < {SSIM_THRESHOLD} against {image_path.name}; if the change is "
        f"intended, run `{REGENERATE} {slug}` and review the new image"
    )


def sample() -> np.ndarray:
    return np.asarray(Image.open(PHOTOS / "astronaut.png").convert("RGB"))[::2, ::2].copy()


def test_ssim_of_an_image_with_itself_is_one():
    image = sample()

    assert ssim(image, image) == pytest.approx(1.0, abs=1e-6)


def test_ssim_tolerates_a_one_level_change():
    image = sample()

    assert ssim(image, np.clip(image.astype(int) + 1, 0, 255).astype(np.uint8)) > 0.98


@pytest.mark.parametrize(
    "ruin",
    [
        lambda im: cv2.GaussianBlur(im, (0, 0), 3),
        lambda im: np.ascontiguousarray(im[:, ::-1]),
        lambda im: cv2.cvtColor(cv2.cvtColor(im, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB) // 2,
    ],
    ids=["blurred", "mirrored", "dark-grey"],
)
def test_ssim_falls_below_the_threshold_for_a_ruined_image(ruin):
    image = sample()

    assert ssim(image, ruin(image)) < SSIM_THRESHOLD


def test_ssim_of_different_shapes_is_zero():
    assert ssim(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8)) == 0.0
