"""The built-in engine: classic photo effects with Pillow and OpenCV, run inside the worker.

Pure: bytes in, bytes out, no Django. Every effect declares its parameters, so a config is
validated (and normalised with defaults) before it ever reaches a worker.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from PIL import Image, ImageChops

from effects.engines import faces, people, segmentation
from effects.engines.base import EngineConfigError, EngineFailure, EngineFailureCode, RunMode
from effects.engines.classic import film, painterly, tone

OUTPUT_FORMATS = {
    "jpeg": ("JPEG", "image/jpeg", "jpg"),
    "png": ("PNG", "image/png", "png"),
    "webp": ("WEBP", "image/webp", "webp"),
}
INPUT_FORMATS = ("JPEG", "PNG", "WEBP")


@dataclass(frozen=True)
class EngineOutput:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    # The decoded images, kept so the worker makes the job's smaller copies without decoding again:
    # the result as encoded, and the source as the effect saw it (upright, capped).
    image: Image.Image | None = field(default=None, compare=False, repr=False)
    source: Image.Image | None = field(default=None, compare=False, repr=False)


# --- Parameters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    kind: type
    default: object
    low: float | None = None
    high: float | None = None
    odd: bool = False
    choices: tuple = ()
    pattern: str = ""  # free text matching this regular expression (instead of choices)
    example: str = ""  # shown in the error when ``pattern`` does not match

    def clean(self, name: str, value: object) -> object:
        if self.kind is bool:
            if not isinstance(value, bool):
                raise EngineConfigError(f"'{name}' must be true or false")
            return value
        if self.kind is str and self.pattern:
            if not isinstance(value, str) or not re.fullmatch(self.pattern, value):
                raise EngineConfigError(f"'{name}' must look like {self.example}")
            return value
        if self.kind is str:
            if value not in self.choices:
                raise EngineConfigError(f"'{name}' must be one of {', '.join(self.choices)}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise EngineConfigError(f"'{name}' must be a number")
        if self.kind is int:
            if value != int(value):
                raise EngineConfigError(f"'{name}' must be a whole number")
            value = int(value)
        else:
            value = float(value)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise EngineConfigError(f"'{name}' must be between {self.low:g} and {self.high:g}, got {value:g}")
        if self.odd and value % 2 == 0:
            raise EngineConfigError(f"'{name}' must be an odd number, got {value}")
        return value


COMMON_PARAMS = {
    "format": Param(str, "jpeg", choices=tuple(OUTPUT_FORMATS)),
    "quality": Param(int, 90, 30, 100),
}


# --- Effects (RGB uint8 array in, RGB uint8 array out) --------------------------------------
# The classic filters live in ``classic`` (its tone, painterly and film modules), the people effects
# (which need models) in ``people``.


@dataclass(frozen=True)
class EffectSpec:
    function: Callable[..., np.ndarray]
    params: dict[str, Param]
    description: str
    segmentation: bool = False  # needs the person-segmentation model installed
    faces: bool = False  # needs the face-detection models installed
    # Overrides of COMMON_PARAMS for this effect (e.g. a cut-out defaults to PNG, never JPEG).
    output_params: dict[str, Param] = field(default_factory=dict)


_MASK_PARAMS = {"feather": Param(float, 3.0, 0, 50), "threshold": Param(float, 0.5, 0.05, 0.95)}
# The subject rule of the people effects: the best face's detector score, and the share of the
# photo the person must cover; below either the job fails with NO_SUBJECT.
_FACE_SCORE = {"face_score": Param(float, 0.6, 0.3, 0.95)}
_SUBJECT_PARAMS = {**_FACE_SCORE, "min_coverage": Param(float, 0.02, 0, 0.5)}
# Privacy: the smallest face looked for, in percent of the long side (smaller is slower); staff
# may lower the score bar (more faces caught, more stray patches hidden too).
_PRIVACY_PARAMS = {"min_face": Param(float, 2.5, 1, 10), "face_score": Param(float, 0.6, 0.3, 0.95)}
_MATTE_PARAMS = {"threshold": Param(float, 0.5, 0.1, 0.9), "edge": Param(float, 1.0, 0.2, 4.0)}
_COLOUR = {"pattern": "#[0-9a-fA-F]{6}", "example": "#1e90ff"}


EFFECTS: dict[str, EffectSpec] = {
    "grayscale": EffectSpec(tone.grayscale, {"intensity": Param(float, 1.0, 0, 1)}, "Monochrome, blended by intensity"),
    "sepia": EffectSpec(tone.sepia, {"intensity": Param(float, 0.9, 0, 1)}, "Brown toned print"),
    "vintage": EffectSpec(
        tone.vintage,
        {"intensity": Param(float, 0.8, 0, 1), "vignette": Param(float, 0.5, 0, 1)},
        "Faded film tone with a vignette",
    ),
    "cartoon": EffectSpec(
        painterly.cartoon,
        {"edge_size": Param(int, 7, 3, 31, odd=True), "colors": Param(int, 8, 2, 64)},
        "Cel shading in the photo's own colours, in a few tone bands, with inked outlines",
    ),
    "pencil-sketch": EffectSpec(
        painterly.pencil_sketch,
        {"color": Param(bool, False), "shade": Param(float, 0.05, 0, 0.1)},
        "Graphite contours and hatching on warm paper, or coloured pencils",
    ),
    "watercolor": EffectSpec(
        painterly.watercolor,
        {"wash": Param(float, 1.0, 0.3, 1.5), "edges": Param(float, 1.0, 0, 2), "grain": Param(float, 1.0, 0, 2)},
        "Transparent washes with darker wet rims and pigment granulation on paper; faces keep their detail",
    ),
    "oil-paint": EffectSpec(
        painterly.oil_paint,
        {
            "size": Param(int, 7, 3, 15, odd=True),
            "dyn_ratio": Param(int, 1, 1, 8),
            "relief": Param(float, 0.5, 0, 1),
        },
        "Clean-edged dabs drawn out along the shapes, a finer brush on faces, lit like thick paint",
    ),
    "hdr": EffectSpec(
        tone.hdr,
        {"sigma_s": Param(float, 12, 1, 200), "sigma_r": Param(float, 0.15, 0.01, 1)},
        "Detail enhancement",
    ),
    "pixelate": EffectSpec(tone.pixelate, {"block_size": Param(int, 16, 2, 128)}, "Square pixel blocks"),
    "portrait-blur": EffectSpec(
        film.portrait_blur,
        {"radius": Param(int, 12, 1, 50), "focus": Param(float, 0.35, 0.05, 0.9)},
        "Blurred background",
    ),
    "posterize": EffectSpec(
        tone.posterize,
        {"levels": Param(int, 4, 2, 8)},
        "Screen print in 2 x levels inks fitted to the photo, flat areas and thin outlines",
    ),
    "analog-film": EffectSpec(
        film.analog_film,
        {
            "grain": Param(float, 0.5, 0, 1),
            "halation": Param(float, 0.5, 0, 1),
            "fade": Param(float, 0.4, 0, 1),
            "warmth": Param(float, 0.3, -1, 1),
        },
        "Colour film: soft curve, faded blacks, halation around lights and mid-tone grain",
    ),
    "duotone": EffectSpec(
        film.duotone,
        {"palette": Param(str, "ocean", choices=tuple(film.DUOTONES)), "contrast": Param(float, 0.3, 0, 1)},
        "The photo printed in two inks (palette of shadow and highlight colours)",
    ),
    "tilt-shift": EffectSpec(
        film.tilt_shift,
        {
            "position": Param(float, 0.6, 0, 1),
            "width": Param(float, 0.2, 0.05, 0.8),
            "blur": Param(float, 8, 1, 30),
            "saturation": Param(float, 1.4, 1, 2),
        },
        "Miniature look: a sharp band, blur growing above and below, toy-like colour",
    ),
    "pop-art": EffectSpec(
        film.pop_art,
        {"dot_size": Param(float, 9, 4, 24), "saturation": Param(float, 1.5, 1, 2.5)},
        "Comic-print halftone: bold colours as cyan, magenta, yellow and black dots",
    ),
    "lomo": EffectSpec(
        film.lomo,
        {"intensity": Param(float, 0.7, 0, 1), "vignette": Param(float, 0.7, 0, 1)},
        "Toy-camera cross-process: punchy colour, cool shadows, deep vignette",
    ),
    "light-leak": EffectSpec(
        film.light_leak,
        {"position": Param(str, "left", choices=tuple(film.LEAKS)), "strength": Param(float, 0.8, 0, 1)},
        "Warm light leaking in from one edge of the frame",
    ),
    "background-blur": EffectSpec(
        people.background_blur,
        {"radius": Param(int, 15, 1, 60), **_MASK_PARAMS, **_SUBJECT_PARAMS},
        "Blurred background behind the person (segmentation model)",
        segmentation=True,
        faces=True,
    ),
    "background-gray": EffectSpec(
        people.background_gray,
        {**_MASK_PARAMS, **_SUBJECT_PARAMS},
        "Colour person on a black-and-white background (segmentation model)",
        segmentation=True,
        faces=True,
    ),
    "remove-background": EffectSpec(
        people.remove_background,
        {**_MATTE_PARAMS, **_SUBJECT_PARAMS},
        "The person cut out on a transparent background",
        segmentation=True,
        faces=True,
        output_params={"format": Param(str, "png", choices=("png", "webp"))},
    ),
    "replace-background": EffectSpec(
        people.replace_background,
        {
            "backdrop": Param(str, "gradient", choices=("gradient", "solid", "blur")),
            "color": Param(str, "#e9e4dc", **_COLOUR),
            "color2": Param(str, "#8c8a86", **_COLOUR),
            "blur": Param(int, 20, 2, 80),
            "light_wrap": Param(float, 0.35, 0, 1),
            "harmonise": Param(float, 0.3, 0, 1),
            **_MATTE_PARAMS,
            **_SUBJECT_PARAMS,
        },
        "The person over a studio backdrop",
        segmentation=True,
        faces=True,
    ),
    "blur-faces": EffectSpec(
        people.blur_faces,
        {"strength": Param(float, 0.7, 0, 1), "grow": Param(float, 0.5, 0, 1.5), **_PRIVACY_PARAMS},
        "Every face hidden under a heavy blur",
        faces=True,
    ),
    "pixelate-faces": EffectSpec(
        people.pixelate_faces,
        {"blocks": Param(int, 7, 3, 24), "grow": Param(float, 0.5, 0, 1.5), **_PRIVACY_PARAMS},
        "Every face hidden under a mosaic",
        faces=True,
    ),
    "avatar": EffectSpec(
        people.avatar,
        {
            "size": Param(int, 1024, 256, 2048),
            "framing": Param(float, 3.2, 2.0, 6.0),
            "backdrop": Param(str, "none", choices=("none", "gradient", "solid", "blur")),
            "color": Param(str, "#dfe6ee", **_COLOUR),
            "color2": Param(str, "#7d8a99", **_COLOUR),
            **_MATTE_PARAMS,
            **_FACE_SCORE,
        },
        "Square head-and-shoulders portrait of the main face",
        segmentation=True,
        faces=True,
    ),
}


# --- Image I/O ------------------------------------------------------------------------------


def load_image(data: bytes, *, max_side: int, max_pixels: int = 50_000_000) -> Image.Image:
    """Decode allowed formats only, apply EXIF orientation, normalise the mode, cap the long side.

    Memory stays near one decoded copy of the source: a JPEG is decoded at the smallest DCT scale
    that covers ``max_side`` or comes within ``DCT_SCALE_TOLERANCE`` of it (``draft``; the result's
    long side may then be a few percent under ``max_side``), other images are shrunk strip by strip
    before any mode conversion, and 16-bit sources become 8-bit after shrinking, without float copies.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=INPUT_FORMATS)
            if image.width * image.height > max_pixels:
                raise EngineFailure("the image has too many pixels", code=EngineFailureCode.INVALID_IMAGE)
            orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
            if image.format == "JPEG" and max(image.size) > max_side:
                image.draft(image.mode, _draft_size(image.size, max_side))
            image.load()
    except EngineFailure:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EngineFailure("the image could not be decoded", code=EngineFailureCode.INVALID_IMAGE) from None
    transparency = "transparency" in image.info
    image = _shrink(image, max_side)
    image = _normalise_mode(image, transparency=transparency)
    if orientation in _ORIENTATION_TRANSPOSE:
        image = image.transpose(_ORIENTATION_TRANSPOSE[orientation])
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


_EXIF_ORIENTATION = 0x0112
_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_WIDE_MODES = ("I;16", "I;16B", "I;16L", "I", "F")
_STRIP_ROWS = 256  # output rows per strip when shrinking a large source


# A JPEG may be decoded at a DCT scale (1/2, 1/4, 1/8) whose long side falls this little short of
# the cap: a 4000x3000 camera photo decodes at 1/2 to 2000x1500 (2.3% under 2048) in a quarter of
# the full decode's time and memory, with no resample after it, instead of decoding all 12 MP and
# resampling them down to 2048x1536.
DCT_SCALE_TOLERANCE = 0.95
_DCT_SCALES = (8, 4, 2)


def _draft_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The size to ask ``draft`` for: the smallest DCT-scaled size whose long side is at least
    ``DCT_SCALE_TOLERANCE`` x ``max_side`` (the full size when no scale qualifies)."""
    width, height = size
    for scale in _DCT_SCALES:
        # libjpeg rounds a scaled dimension up; draft picks the scale from the size asked for.
        scaled = (math.ceil(width / scale), math.ceil(height / scale))
        if max(scaled) >= DCT_SCALE_TOLERANCE * max_side:
            return max(1, width // scale), max(1, height // scale)
    return size


def _shrink(image: Image.Image, max_side: int) -> Image.Image:
    """Box-average by the largest whole factor that keeps the long side >= ``max_side``.

    Done a strip of rows at a time, so a resampler's own working copy (an RGBA image is
    premultiplied into one) never covers the whole source.
    """
    # Up to 4x the target's area, Pillow's own rule for ``thumbnail`` (reducing_gap 2: the final
    # resample starts from at least twice the target), so ordinary photos look exactly as a plain
    # thumbnail makes them. Larger sources, and 16-bit or 32-bit ones (converted to 8-bit next),
    # shrink all the way here: memory matters more than the last bit of sharpness.
    large = image.width * image.height > 4 * max_side * max_side
    gap = 1 if large or image.mode in _WIDE_MODES else 2
    factor = max(image.size) // (gap * max_side)
    if factor < 2:
        return image
    width, height = image.size
    out_width, out_height = -(-width // factor), -(-height // factor)
    out = Image.new(image.mode, (out_width, out_height))
    strip = _STRIP_ROWS * factor
    for top in range(0, height, strip):
        bottom = min(height, top + strip)
        rows = -(-(bottom - top) // factor)
        piece = image.crop((0, top, width, bottom)).resize((out_width, rows), Image.Resampling.BOX)
        out.paste(piece, (0, top // factor))
    out.info = dict(image.info)
    image.close()
    return out


def _normalise_mode(image: Image.Image, *, transparency: bool = False) -> Image.Image:
    """RGB, or RGBA when the source carries transparency; 8 bits per channel."""
    if image.mode in _WIDE_MODES:
        return _to_8bit(image).convert("RGB")
    if image.mode == "P":
        image = image.convert("RGBA" if transparency or "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA"):
        return image.convert("RGBA")
    # convert() to the same mode would copy every pixel (a decoded JPEG is usually RGB already).
    return image if image.mode == "RGB" else image.convert("RGB")


def _to_8bit(image: Image.Image) -> Image.Image:
    """A 16-bit or 32-bit single-channel image as 8-bit grey (no float64 copy): 16-bit ranges are
    scaled down, 8-bit ranges kept."""
    values = np.asarray(image)
    if image.mode.startswith("I;16"):
        return Image.fromarray((values >> 8).astype(np.uint8), "L")
    if values.size and float(values.max()) > 255:
        scaled = values.astype(np.float32) * np.float32(255.0 / 65535.0)
        return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8), "L")
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), "L")


def encode_image(image: Image.Image, *, fmt: str, quality: int) -> EngineOutput:
    """Encode without any metadata (no EXIF, GPS, ICC or text chunks)."""
    pil_format, content_type, extension = OUTPUT_FORMATS[fmt]
    if pil_format == "JPEG" and image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    # Drops info/exif carried along; an image made from an array (every effect's output) has none,
    # and is encoded as it is rather than copied.
    clean = Image.frombytes(image.mode, image.size, image.tobytes()) if image.info else image
    if pil_format == "PNG" and clean.mode in _PNG_CHANNEL_ORDER:
        # PNG at zlib level 1 (``optimize`` costs tens of seconds on a 2048-pixel cut-out for ~20%
        # fewer bytes), every row filtered "up": OpenCV writes that in half the time Pillow takes to
        # try every filter on every row, for files within 1% of the size; the pixels are the same.
        pixels = cv2.cvtColor(np.asarray(clean), _PNG_CHANNEL_ORDER[clean.mode])
        _, encoded = cv2.imencode(".png", pixels, _PNG_OPTIONS)
        data = encoded.tobytes()
    else:
        buffer = io.BytesIO()
        options: dict = {"quality": quality} if pil_format in ("JPEG", "WEBP") else {"compress_level": 1}
        clean.save(buffer, pil_format, **options)
        data = buffer.getvalue()
    return EngineOutput(data, content_type, extension, clean.width, clean.height, image=clean)


_PNG_CHANNEL_ORDER = {"RGB": cv2.COLOR_RGB2BGR, "RGBA": cv2.COLOR_RGBA2BGRA}
_PNG_OPTIONS = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP]


# --- The engine -----------------------------------------------------------------------------


class LocalEngine:
    """Runs the effects in EFFECTS in-process."""

    name = "local"
    run_mode = RunMode.SYNC

    def models(self) -> list[str]:
        """The effects this engine has (the slugs a ``local:`` model id may name)."""
        return list(EFFECTS)

    def validate_config(self, model: str, config: dict) -> dict:
        """Check every key against the effect's parameters; return the config with defaults filled in."""
        spec = EFFECTS.get(model)
        if spec is None:
            raise EngineConfigError(f"unknown built-in effect {model!r}; known: {', '.join(sorted(EFFECTS))}")
        params = {**spec.params, **COMMON_PARAMS, **spec.output_params}
        unknown = sorted(set(config) - set(params))
        if unknown:
            raise EngineConfigError(
                f"unknown parameter(s) {', '.join(unknown)} for {model}; allowed: {', '.join(sorted(params))}"
            )
        cleaned = {name: param.clean(name, config.get(name, param.default)) for name, param in params.items()}
        if spec.segmentation:
            segmentation.load_model()  # a missing model is a clear config error (admin form, job start)
        if spec.faces:
            faces.load_model("short")
            faces.load_model("full")
        return cleaned

    def apply(self, model: str, config: dict, data: bytes, *, max_side: int = 2048) -> EngineOutput:
        """Apply ``model`` to the image bytes and return the encoded result."""
        cleaned = self.validate_config(model, config)
        spec = EFFECTS[model]
        image = load_image(data, max_side=max_side)
        alpha = image.getchannel("A") if image.mode == "RGBA" else None
        rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        result = np.ascontiguousarray(spec.function(rgb, **{name: cleaned[name] for name in spec.params}), np.uint8)
        # An effect returns RGB, or RGBA when it makes its own transparency (a cut-out).
        out = Image.fromarray(result, "RGBA" if result.shape[2] == 4 else "RGB")
        if alpha is not None and cleaned["format"] != "jpeg" and out.size == alpha.size:
            if out.mode == "RGBA":
                alpha = ImageChops.multiply(out.getchannel("A"), alpha)
            out.putalpha(alpha)
        output = encode_image(out, fmt=cleaned["format"], quality=cleaned["quality"])
        return replace(output, source=image)
