"""Where the suite makes its test images: real images encoded with Pillow.

``image_bytes`` makes the small plain images most tests need; ``photo_bytes`` a photo-like one
(gradients, a disc, a sharp square, noise) for tests that measure what an effect did;
``lit_photo_array`` a pixel array with a bright light and a dark patch for the pure effect functions.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

GRADIENT_BLUE = 40


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    color: tuple[int, ...] | int | None = None,
    mode: str = "RGB",
) -> bytes:
    """A small real image encoded as ``fmt``.

    RGB images get a gradient (so effects have something to work on) unless ``color`` is given,
    which makes them one flat colour; other modes are filled with ``color`` (zero when omitted).
    """
    if mode == "RGB" and color is None:
        img = Image.new(mode, size)
        px = img.load()
        for x in range(size[0]):
            for y in range(size[1]):
                px[x, y] = ((x * 255) // size[0], (y * 255) // size[1], GRADIENT_BLUE)
    else:
        img = Image.new(mode, size, color)
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def photo_bytes(size: tuple[int, int] = (160, 120), mode: str = "RGB", fmt: str = "PNG", **save) -> bytes:
    """A photo-like test image: smooth gradients, a disc, a sharp square and some noise."""
    w, h = size
    rng = np.random.default_rng(7)
    ys, xs = np.mgrid[0:h, 0:w]
    rgb = np.stack([xs * 255 // w, ys * 255 // h, np.full_like(xs, 120)], axis=-1).astype(np.int32)
    rgb[(xs - w // 3) ** 2 + (ys - h // 2) ** 2 < (h // 4) ** 2] = (230, 40, 60)
    rgb[h // 4 : h // 2, 2 * w // 3 : 5 * w // 6] = (20, 20, 200)
    rgb = np.clip(rgb + rng.integers(-12, 12, rgb.shape), 0, 255).astype(np.uint8)
    img = Image.fromarray(rgb, "RGB")
    if mode != "RGB":
        img = img.convert(mode)
    buf = io.BytesIO()
    img.save(buf, fmt, **save)
    return buf.getvalue()


def lit_photo_array(height: int = 120, width: int = 160) -> np.ndarray:
    """An RGB array (not encoded): gradients, a bright light on the left, a dark patch and noise."""
    rng = np.random.default_rng(3)
    ys, xs = np.mgrid[0:height, 0:width]
    rgb = np.stack([xs * 200 // width + 20, ys * 200 // height + 20, np.full_like(xs, 110)], axis=-1)
    rgb[(xs - 30) ** 2 + (ys - 60) ** 2 < 64] = 255
    rgb[10:40, 110:150] = 6
    return np.clip(rgb + rng.integers(-10, 10, rgb.shape), 0, 255).astype(np.uint8)


def hostile_png(mode: str = "I;16", side: int = 7071) -> bytes:
    """A tiny file that decodes huge: a flat ``side`` x ``side`` PNG (about 100-200 KB at 50 MP).

    ``I;16`` is a 16-bit grey image (100 MB decoded), ``RGBA`` an image with alpha (200 MB).
    """
    img = Image.new(mode, (side, side), 0)
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=9)
    return buf.getvalue()


def truncated_jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG whose header is intact but whose compressed data stops half way."""
    data = photo_bytes(size, fmt="JPEG", quality=90)
    return data[: len(data) // 2]
