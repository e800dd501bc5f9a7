"""The suite's one image maker: small real images encoded with Pillow."""

from __future__ import annotations

import io

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
