"""Renditions: thumbnail and display copies of a job's images (JPEG, or WebP when transparent)."""

import io

import numpy as np
import pytest
from PIL import Image

from effects.renditions import renditions_from_bytes, renditions_make
from tests.support.images import image_bytes, photo_bytes


def decoded(rendition) -> Image.Image:
    image = Image.open(io.BytesIO(rendition.data))
    assert image.size == (rendition.width, rendition.height)
    return image


def test_a_full_size_result_gets_a_1024_px_display_copy_and_a_320_px_thumbnail_in_jpeg():
    made = {r.name: r for r in renditions_make(Image.new("RGB", (2048, 1536), (200, 120, 40)))}

    assert (made["display"].width, made["display"].height) == (1024, 768)
    assert (made["thumbnail"].width, made["thumbnail"].height) == (320, 240)
    for rendition in made.values():
        assert decoded(rendition).format == "JPEG" and rendition.extension == "jpg"


def test_a_size_a_whole_factor_cannot_reach_is_resampled_to_the_exact_size():
    made = {r.name: r for r in renditions_make(Image.new("RGB", (1600, 1200), (10, 20, 30)))}

    assert (made["display"].width, made["display"].height) == (1024, 768)
    assert (made["thumbnail"].width, made["thumbnail"].height) == (320, 240)


def test_a_whole_factor_landing_a_few_percent_under_the_size_is_used():
    # 2000 px (a 12 MP photo decoded at half scale) halves to 1000 px: 2.3 % under 1024.
    made = {r.name: r for r in renditions_make(Image.new("RGB", (2000, 1500)))}

    assert (made["display"].width, made["display"].height) == (1000, 750)


def test_the_copies_show_the_image():
    photo = Image.open(io.BytesIO(photo_bytes((2048, 1536)))).convert("RGB")

    display = decoded(next(r for r in renditions_make(photo) if r.name == "display")).convert("RGB")

    expected = np.asarray(photo.resize(display.size, Image.Resampling.LANCZOS), dtype=np.int16)
    assert np.abs(np.asarray(display, dtype=np.int16) - expected).mean() < 4


def test_an_encoded_image_is_decoded_upright_at_a_reduced_scale():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: shown 1536 wide, 2048 high
    Image.open(io.BytesIO(image_bytes("JPEG", (2048, 1536)))).save(buffer, "JPEG", exif=exif)

    made = {r.name: r for r in renditions_from_bytes(buffer.getvalue())}

    assert (made["display"].width, made["display"].height) == (768, 1024)
    assert (made["thumbnail"].width, made["thumbnail"].height) == (240, 320)


def test_a_small_image_is_never_upscaled():
    made = {r.name: r for r in renditions_from_bytes(image_bytes("PNG", (200, 100)))}

    assert (made["display"].width, made["display"].height) == (200, 100)
    assert (made["thumbnail"].width, made["thumbnail"].height) == (200, 100)


def test_transparency_is_kept_in_webp():
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 400), (255, 0, 0, 0)).save(buffer, "PNG")

    display = next(r for r in renditions_from_bytes(buffer.getvalue()) if r.name == "display")

    assert display.extension == "webp"
    assert decoded(display).format == "WEBP" and decoded(display).getpixel((10, 10))[3] == 0


def test_an_opaque_image_with_an_alpha_channel_is_a_jpeg():
    made = renditions_make(Image.new("RGBA", (400, 400), (255, 0, 0, 255)))

    assert {r.extension for r in made} == {"jpg"}


def test_bytes_that_are_not_an_image_raise_value_error():
    with pytest.raises(ValueError):
        renditions_from_bytes(b"not an image")
