"""Smaller copies of a job's images for pages and the API: a thumbnail and a display copy (WebP).

Pages show these (with ``srcset``); only "Download" serves the full-size result.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

# Longest side in pixels. The display copy covers a ~550 px column at 2x; the thumbnail covers
# history rows, admin lists and small cards at 2x.
RENDITION_SIZES = {"thumbnail": 320, "display": 1100}
WEBP_QUALITY = 82


@dataclass(frozen=True)
class Rendition:
    name: str  # "thumbnail" or "display"
    data: bytes
    width: int
    height: int


def renditions_make(data: bytes) -> list[Rendition]:
    """WebP copies of an encoded image at each rendition size (never upscaled); transparency is kept."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    made = []
    for name, side in RENDITION_SIZES.items():
        copy = image.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        made.append(Rendition(name=name, data=buffer.getvalue(), width=copy.width, height=copy.height))
    return made
