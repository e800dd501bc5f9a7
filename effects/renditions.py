"""Smaller copies of a job's images for pages and the API: a thumbnail and a display copy.

Pages show these (with ``srcset``); only "Download" serves the full-size result. They are made on
the worker's critical path, so they are cheap: from the image already in memory when there is one
(a local effect's result and the source it decoded), by an integer box reduction when it lands
within a few percent of the size (a 2048 px result halves to exactly 1024 px), and encoded as JPEG
(libjpeg-turbo, a few milliseconds) unless the image has transparency, which only WebP keeps.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image

from effects.engines.base import EngineFailure
from effects.engines.local import load_image

# Longest side in pixels. The display copy covers a ~512 px column at 2x (and is exactly half of a
# full-size 2048 px result); the thumbnail covers history rows, admin lists and small cards at 2x.
RENDITION_SIZES = {"thumbnail": 320, "display": 1024}
# A box reduction by a whole factor is used when it lands at least this close under the size.
REDUCE_TOLERANCE = 0.95
JPEG_QUALITY = 82
WEBP_QUALITY = 82
# Stored names end with one of these (a transparent image's copies are WebP).
RENDITION_EXTENSIONS = ("jpg", "webp")


@dataclass(frozen=True)
class Rendition:
    name: str  # "thumbnail" or "display"
    data: bytes
    width: int
    height: int
    extension: str  # "jpg" or "webp"


def renditions_make(image: Image.Image) -> list[Rendition]:
    """JPEG copies (WebP when transparent) of a decoded, upright image at each size, never upscaled."""
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    made = {}
    current = image
    # Largest first: each smaller copy is made from the one before it.
    for name, side in sorted(RENDITION_SIZES.items(), key=lambda item: -item[1]):
        current = _shrink(current, side)
        if current.mode == "RGBA" and current.getchannel("A").getextrema()[0] == 255:
            current = current.convert("RGB")  # fully opaque: no transparency to keep
        made[name] = _encode(name, current)
    return [made[name] for name in RENDITION_SIZES]


def renditions_from_bytes(data: bytes) -> list[Rendition]:
    """Renditions of an encoded image (a provider's result, an uploaded preview): decoded at the
    smallest JPEG DCT scale that covers the display size, upright. ValueError if it cannot be read."""
    try:
        image = load_image(data, max_side=max(RENDITION_SIZES.values()))
    except EngineFailure as exc:
        raise ValueError(str(exc)) from None
    return renditions_make(image)


def _shrink(image: Image.Image, side: int) -> Image.Image:
    longest = max(image.size)
    if longest <= side:
        return image
    factor = math.ceil(longest / side)
    if longest / factor >= REDUCE_TOLERANCE * side:
        return image.reduce(factor)
    # A box reduction to within 1x of the size, then Lanczos: a few milliseconds instead of ~15 ms
    # for Lanczos alone, and no visible difference at these sizes.
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=1.0)
    return copy


def _encode(name: str, image: Image.Image) -> Rendition:
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        # method 0: the fastest WebP encoder setting; transparency is rare (cut-outs).
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=0)
        extension = "webp"
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY)
        extension = "jpg"
    return Rendition(name=name, data=buffer.getvalue(), width=image.width, height=image.height, extension=extension)
