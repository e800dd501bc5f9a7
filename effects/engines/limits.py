"""The limits a provider model declares, and fitting an image to its input limits.

Input limits (pixels, longest side, accepted formats) say what the model can take; output limits
(pixels, bytes) say how large its result may be, which is what we accept back from it.

Pure: bytes in, bytes out, no Django. An image already within the limits is left alone (None), so
its bytes go to the provider exactly as stored. Otherwise it is decoded, turned upright (EXIF
orientation), shrunk keeping its aspect (Lanczos) and encoded again in an accepted format, with no
metadata but its colour profile.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from effects.engines.base import (
    EngineConfigError,
    EngineFailure,
    EngineFailureCode,
    FittedImage,
    OutputLimits,
)

FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 95
ORIENTATION_TAG = 0x0112
# EXIF orientations that turn the picture a quarter (width and height swap once upright).
_QUARTER_TURNS = {5, 6, 7, 8}


@dataclass(frozen=True)
class InputLimits:
    """What a model accepts; None (or no formats) means no limit of that kind."""

    max_pixels: int | None = None
    max_side: int | None = None
    formats: tuple[str, ...] = ()


def limits_validate(limits: object) -> dict:
    """Check an effect's ``limits`` (``{"input": {...}, "output": {...}}``); return them normalised.

    Raises EngineConfigError naming the first problem.
    """
    if not isinstance(limits, dict):
        raise EngineConfigError("'limits' must be an object with 'input' and/or 'output'")
    unknown = sorted(set(limits) - set(_LIMIT_KEYS))
    if unknown:
        raise EngineConfigError(f"unknown limits {', '.join(unknown)}; allowed: input, output")
    normalised: dict = {}
    for kind, allowed in _LIMIT_KEYS.items():
        if kind not in limits:
            continue
        section = limits[kind]
        if not isinstance(section, dict):
            raise EngineConfigError(f"'limits.{kind}' must be an object")
        unknown = sorted(set(section) - allowed)
        if unknown:
            raise EngineConfigError(
                f"unknown limits.{kind} key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
            )
        checked: dict = {}
        for key, value in section.items():
            if key == "formats":
                if not isinstance(value, list) or not value or any(fmt not in FORMATS for fmt in value):
                    raise EngineConfigError(f"'limits.{kind}.formats' must list some of {', '.join(FORMATS)}")
                checked[key] = list(dict.fromkeys(value))
            elif not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise EngineConfigError(f"'limits.{kind}.{key}' must be a positive whole number")
            else:
                checked[key] = value
        if kind == "output" and checked.get("max_pixels", 0) > Image.MAX_IMAGE_PIXELS:
            raise EngineConfigError(
                f"'limits.output.max_pixels' is over the {Image.MAX_IMAGE_PIXELS} pixels the image decoder accepts"
            )
        normalised[kind] = checked
    return normalised


_LIMIT_KEYS = {"input": {"max_pixels", "max_side", "formats"}, "output": {"max_pixels", "max_bytes"}}


def input_limits(config: dict) -> InputLimits:
    """The input limits of a validated config (none when it declares none)."""
    section = (config.get("limits") or {}).get("input") or {}
    return InputLimits(
        max_pixels=section.get("max_pixels"),
        max_side=section.get("max_side"),
        formats=tuple(section.get("formats") or ()),
    )


def output_limits(config: dict) -> OutputLimits:
    """The output limits of a validated config (none when it declares none)."""
    section = (config.get("limits") or {}).get("output") or {}
    return OutputLimits(max_pixels=section.get("max_pixels"), max_bytes=section.get("max_bytes"))


def _within(width: int, height: int, fmt: str, limits: InputLimits) -> bool:
    return (
        (limits.max_pixels is None or width * height <= limits.max_pixels)
        and (limits.max_side is None or max(width, height) <= limits.max_side)
        and (not limits.formats or fmt in limits.formats)
    )


def fitted_size(width: int, height: int, limits: InputLimits) -> tuple[int, int]:
    """The largest size with the same aspect that fits ``max_pixels`` and ``max_side`` (never larger)."""
    scale = 1.0
    if limits.max_pixels is not None:
        scale = min(scale, math.sqrt(limits.max_pixels / (width * height)))
    if limits.max_side is not None:
        scale = min(scale, limits.max_side / max(width, height))
    if scale >= 1.0:
        return width, height
    new_width, new_height = max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
    # Guard the float arithmetic: the product must never pass the limit by one row.
    while limits.max_pixels is not None and new_width * new_height > limits.max_pixels:
        if new_width >= new_height:
            new_width -= 1
        else:
            new_height -= 1
    return new_width, new_height


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _output_format(*, alpha: bool, accepted: tuple[str, ...]) -> str:
    """PNG for transparency (else lossless WebP, else flattened JPEG); JPEG for the rest (else PNG, WebP)."""
    preferred = ("PNG", "WEBP", "JPEG") if alpha else ("JPEG", "PNG", "WEBP")
    return next(fmt for fmt in preferred if fmt in (accepted or FORMATS))


def image_fit(data: bytes, limits: InputLimits) -> FittedImage | None:
    """The image re-encoded to fit ``limits``, or None when it already fits (send it unchanged).

    Raises EngineFailure(INVALID_IMAGE) for bytes that do not decode as JPEG, PNG or WebP.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if _within(width, height, image.format, limits):
                    return None
                orientation = image.getexif().get(ORIENTATION_TAG, 1)
                target = fitted_size(width, height, limits)
                if target != (width, height) and image.format == "JPEG":
                    # Decode at the smallest DCT scale still at least the target size: a 12 MP photo
                    # shrunk to 2 MP never holds its full-size pixels.
                    image.draft("RGB", target)
                icc_profile = image.info.get("icc_profile")
                upright = ImageOps.exif_transpose(image)
                if orientation in _QUARTER_TURNS:
                    target = (target[1], target[0])
                alpha = _has_alpha(upright)
                fmt = _output_format(alpha=alpha, accepted=limits.formats)
                converted = upright.convert("RGBA" if alpha and fmt != "JPEG" else "RGB")
                if alpha and fmt == "JPEG":  # no accepted format keeps transparency: show it on white
                    flat = Image.new("RGB", upright.size, (255, 255, 255))
                    flat.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
                    converted = flat
                if converted.size != target:
                    converted = converted.resize(target, Image.Resampling.LANCZOS)
                buffer = io.BytesIO()
                options: dict = {"icc_profile": icc_profile} if icc_profile else {}
                if fmt == "JPEG":
                    options["quality"] = JPEG_QUALITY
                elif fmt == "WEBP":
                    options["lossless"] = True
                converted.save(buffer, fmt, **options)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EngineFailure("the image has too many pixels", code=EngineFailureCode.INVALID_IMAGE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise EngineFailure("the image is truncated or corrupt", code=EngineFailureCode.INVALID_IMAGE) from None
    return FittedImage(data=buffer.getvalue(), format=fmt, width=target[0], height=target[1])
