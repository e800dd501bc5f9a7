"""Renditions: WebP thumbnail and display copies of a job's images."""

import io

from PIL import Image

from effects.renditions import renditions_make
from tests.support.images import image_bytes


def test_a_large_image_gets_a_320_px_thumbnail_and_an_1100_px_display_copy_in_webp():
    made = {r.name: r for r in renditions_make(image_bytes("JPEG", (2048, 1536)))}

    assert (made["thumbnail"].width, made["thumbnail"].height) == (320, 240)
    assert (made["display"].width, made["display"].height) == (1100, 825)
    for rendition in made.values():
        decoded = Image.open(io.BytesIO(rendition.data))
        assert decoded.format == "WEBP" and decoded.size == (rendition.width, rendition.height)


def test_a_small_image_is_never_upscaled():
    made = {r.name: r for r in renditions_make(image_bytes("PNG", (200, 100)))}

    assert (made["display"].width, made["display"].height) == (200, 100)


def test_transparency_is_kept():
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 400), (255, 0, 0, 0)).save(buffer, "PNG")

    display = next(r for r in renditions_make(buffer.getvalue()) if r.name == "display")

    assert Image.open(io.BytesIO(display.data)).getpixel((10, 10))[3] == 0
