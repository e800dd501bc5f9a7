"""Fitting an image to a provider model's input limits, and checking the limits an effect declares."""

import io

import pytest
from PIL import Image

from effects.engines import EngineConfigError, EngineFailure
from effects.engines.limits import InputLimits, fitted_size, image_fit, limits_validate
from effects.metadata import ORIENTATION_TAG
from tests.support.images import image_bytes


def with_exif(size: tuple[int, int], *, orientation: int) -> bytes:
    """A JPEG carrying a camera's EXIF: its make, a GPS position and an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "Acme Cameras"  # Make
    exif[ORIENTATION_TAG] = orientation
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 24.0)  # GPSLatitude
    buffer = io.BytesIO()
    Image.open(io.BytesIO(image_bytes("JPEG", size))).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_an_image_within_the_limits_is_left_as_it_is():
    data = image_bytes("JPEG", (64, 48))

    assert image_fit(data, InputLimits(max_pixels=64 * 48, max_side=64, formats=("JPEG",))) is None


def test_an_image_over_max_pixels_is_shrunk_under_it_keeping_its_aspect():
    fitted = image_fit(image_bytes("JPEG", (400, 300)), InputLimits(max_pixels=10_000))

    assert fitted.width * fitted.height <= 10_000
    assert (fitted.width, fitted.height) == (115, 86)
    with Image.open(io.BytesIO(fitted.data)) as image:
        assert (image.size, image.format) == ((115, 86), "JPEG")


def test_an_image_over_max_side_is_shrunk_to_it():
    fitted = image_fit(image_bytes("PNG", (300, 120)), InputLimits(max_side=100))

    assert (fitted.width, fitted.height) == (100, 40)


@pytest.mark.parametrize(
    ("size", "limits"),
    [((4000, 3000), InputLimits(max_pixels=2_096_704)), ((1001, 999), InputLimits(max_pixels=7, max_side=3))],
)
def test_the_fitted_size_never_passes_a_limit(size, limits):
    width, height = fitted_size(*size, limits)

    assert width * height <= (limits.max_pixels or width * height)
    assert max(width, height) <= (limits.max_side or max(width, height))


def test_the_fitted_image_is_upright_and_carries_no_exif():
    # Stored 80x40, shown turned a quarter (orientation 6): upright it is 40x80.
    fitted = image_fit(with_exif((80, 40), orientation=6), InputLimits(max_pixels=800))

    with Image.open(io.BytesIO(fitted.data)) as image:
        assert image.width < image.height
        assert image.width * image.height <= 800
        assert dict(image.getexif()) == {}


def test_an_image_with_transparency_becomes_a_png():
    data = image_bytes("WEBP", (50, 50), color=(10, 20, 30, 128), mode="RGBA")

    fitted = image_fit(data, InputLimits(formats=("JPEG", "PNG")))

    with Image.open(io.BytesIO(fitted.data)) as image:
        assert (fitted.format, image.format, image.mode) == ("PNG", "PNG", "RGBA")


def test_an_opaque_image_in_a_format_the_model_does_not_take_becomes_a_jpeg():
    fitted = image_fit(image_bytes("WEBP", (50, 50)), InputLimits(formats=("JPEG", "PNG")))

    assert (fitted.format, fitted.content_type, fitted.width) == ("JPEG", "image/jpeg", 50)


def test_bytes_that_are_no_image_are_an_invalid_image():
    with pytest.raises(EngineFailure) as failure:
        image_fit(b"not an image", InputLimits(max_pixels=10))

    assert failure.value.code == "INVALID_IMAGE" and not failure.value.transient


def test_limits_are_normalised():
    limits = {"input": {"max_pixels": 100, "formats": ["PNG", "PNG"]}, "output": {"max_bytes": 5}}

    assert limits_validate(limits) == {"input": {"max_pixels": 100, "formats": ["PNG"]}, "output": {"max_bytes": 5}}


@pytest.mark.parametrize(
    "limits",
    [
        [],
        {"inputs": {}},
        {"input": {"max_pixels": 0}},
        {"input": {"max_side": True}},
        {"input": {"formats": ["GIF"]}},
        {"input": {"formats": []}},
        {"output": {"max_side": 10}},
        {"output": {"max_pixels": 10**10}},
    ],
)
def test_invalid_limits_are_refused(limits):
    with pytest.raises(EngineConfigError):
        limits_validate(limits)
