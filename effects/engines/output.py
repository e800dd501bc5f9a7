"""The output a client asked for (a format, a longest side), applied to an engine's result.

Pure: bytes in, bytes out, no Django. A result already in the asked format and within the side is
left alone (None); otherwise it is decoded (upright), shrunk keeping its aspect and encoded again
without any metadata (``encode_image``), as every local result is.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from effects.engines.base import EngineFailure, EngineFailureCode, get_engine, parse_model_id
from effects.engines.local import COMMON_PARAMS, EFFECTS, INPUT_FORMATS, OUTPUT_FORMATS, encode_image, load_image

# The formats a client may ask for; an effect whose output is transparent leaves JPEG out.
ALL_FORMATS = tuple(OUTPUT_FORMATS)  # ("jpeg", "png", "webp")
MIN_SIDE = 64
# JPEG and WebP quality of a result re-encoded here (the local effects' default).
QUALITY = int(COMMON_PARAMS["quality"].default)
_PIL_TO_FORMAT = {pil: name for name, (pil, _type, _ext) in OUTPUT_FORMATS.items()}


@dataclass(frozen=True)
class OutputOptions:
    """What the client asked for: a format (None: the effect's own) and a longest side (None: as made)."""

    format: str | None = None
    max_side: int | None = None

    def __bool__(self) -> bool:
        return bool(self.format or self.max_side)


def output_formats(model_id: str) -> tuple[str, ...]:
    """The formats an effect's result may be delivered in: its own choices for a local effect (a cut-out
    keeps its transparency, so no JPEG), every format for a provider's (converted from what it returns)."""
    ref = parse_model_id(model_id)
    if ref.engine == "local" and ref.model in EFFECTS:
        params = {**COMMON_PARAMS, **EFFECTS[ref.model].output_params}
        return tuple(params["format"].choices)
    get_engine(ref.engine)
    return ALL_FORMATS


def output_conform(
    data: bytes, *, options: OutputOptions, image: Image.Image | None = None, quality: int = QUALITY
) -> tuple[bytes, str, Image.Image] | None:
    """``data`` re-encoded as ``options`` ask: ``(bytes, extension, decoded image)``, or None when it
    already is (in the format, within the side). ``image``: the decoded result when the caller has it.

    Raises EngineFailure (INVALID_IMAGE) for bytes that are not an image of an allowed format.
    """
    if not options:
        return None
    width, height, current = _sniff(data)
    wanted = options.format or _PIL_TO_FORMAT[current]
    too_large = options.max_side is not None and max(width, height) > options.max_side
    if OUTPUT_FORMATS[wanted][0] == current and not too_large:
        return None
    if image is None or image.mode not in ("RGB", "RGBA"):
        side = options.max_side if too_large else max(width, height)
        image = load_image(data, max_side=side)
    elif too_large:
        image = image.copy()
        image.thumbnail((options.max_side, options.max_side), Image.Resampling.LANCZOS)
    encoded = encode_image(image, fmt=wanted, quality=quality)
    return encoded.data, encoded.extension, encoded.image


def _sniff(data: bytes) -> tuple[int, int, str]:
    """The image's size (upright: a quarter-turn EXIF orientation swaps it) and Pillow format, without decoding it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=INPUT_FORMATS) as opened:
                width, height = opened.size
                orientation = opened.getexif().get(0x0112, 1)
                fmt = opened.format
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise EngineFailure(f"the result is not a usable image: {exc}", code=EngineFailureCode.INVALID_IMAGE) from None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return width, height, fmt
