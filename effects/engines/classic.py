"""Classic photo effects: filters, painterly looks and film looks with OpenCV and numpy.

Pure: an RGB ``uint8`` array in, an RGB ``uint8`` array of the same size out, no Django, no
model files. Work is done in ``uint8`` or ``float32`` (never ``float64`` copies of a big image),
and sizes (brush strokes, grain, halftone dots) scale with the image, so a 512 px preview and a
2048 px result look alike. Random textures (grain, paper, strokes) come from fixed seeds: the
same photo always gives the same result, which the reference tests rely on.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from effects.engines.strips import by_strips

# --- Shared building blocks -----------------------------------------------------------------


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _blend(original: np.ndarray, effect: np.ndarray, amount: float) -> np.ndarray:
    if amount >= 1.0:
        return effect
    return cv2.addWeighted(effect, amount, original, 1.0 - amount, 0)


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(image, 0, 255).astype(np.uint8)


def _unit(rgb: np.ndarray) -> np.ndarray:
    """uint8 -> float32 in [0, 1]."""
    return rgb.astype(np.float32) * np.float32(1 / 255)


def _from_unit(image: np.ndarray) -> np.ndarray:
    """float32 in [0, 1] -> uint8. Works in place: ``image`` is a temporary of the caller."""
    image *= 255
    image += 0.5
    np.clip(image, 0, 255, out=image)
    return image.astype(np.uint8)


def _scale(rgb: np.ndarray) -> float:
    """Image size relative to a 1024 px long side: texture and stroke sizes are multiplied by it."""
    return max(rgb.shape[:2]) / 1024


def _noise(shape: tuple[int, int], cell: float, seed: int) -> np.ndarray:
    """Smooth zero-mean, unit-ish float32 noise whose grain is ``cell`` pixels (deterministic)."""
    height, width = shape
    cell = max(cell, 1.0)
    small = (max(2, round(height / cell) + 1), max(2, round(width / cell) + 1))
    base = np.random.default_rng(seed).standard_normal(small, dtype=np.float32)
    return cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC if cell > 1 else cv2.INTER_NEAREST)


def _vignette_mask(height: int, width: int, strength: float, power: float = 2.0) -> np.ndarray:
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    distance = np.sqrt(xs**2 + ys**2) / np.float32(np.sqrt(2.0))  # 0 at the centre, 1 in the corners
    return 1.0 - np.float32(strength) * np.clip(distance, 0, 1) ** power


def _saturate(rgb: np.ndarray, amount: float) -> np.ndarray:
    """Scale saturation by ``amount`` (1 = unchanged) in HSV, uint8 in and out."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hsv[..., 1] = _to_uint8(hsv[..., 1].astype(np.float32) * amount)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def _curve(values: np.ndarray, points: list[tuple[float, float]]) -> np.ndarray:
    """A 256-entry lookup table through (in, out) points in 0..255, applied with cv2.LUT."""
    xs, ys = zip(*points, strict=True)
    table = np.clip(np.interp(np.arange(256), xs, ys), 0, 255).astype(np.uint8)
    return cv2.LUT(values, table)


def _resize(image: np.ndarray, size: tuple[int, int], *, down: bool) -> np.ndarray:
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if down else cv2.INTER_CUBIC)


def _wide_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur whose cost does not grow with ``sigma``: a wide blur has no fine detail, so
    it is computed on a copy shrunk by up to sigma/3 and scaled back up (same dtype and size)."""
    factor = max(1, min(16, int(sigma / 3)))
    if factor == 1:
        return cv2.GaussianBlur(image, (0, 0), max(sigma, 0.3))
    height, width = image.shape[:2]
    small = cv2.resize(image, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / factor)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)


# --- Tone and colour ------------------------------------------------------------------------


def grayscale(rgb: np.ndarray, intensity: float) -> np.ndarray:
    gray = cv2.cvtColor(_gray(rgb), cv2.COLOR_GRAY2RGB)
    return _blend(rgb, gray, intensity)


_SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)


def sepia(rgb: np.ndarray, intensity: float) -> np.ndarray:
    toned = np.clip(rgb.astype(np.float32) @ _SEPIA.T, 0, 255).astype(np.uint8)
    return _blend(rgb, toned, intensity)


def vintage(rgb: np.ndarray, intensity: float, vignette: float) -> np.ndarray:
    mask = _vignette_mask(*rgb.shape[:2], vignette)

    # Per pixel, so done strip by strip: the float copies are never full size.
    def tone(start: int, stop: int) -> np.ndarray:
        image = rgb[start:stop].astype(np.float32)
        # Faded film: lifted blacks, lower contrast, warm highlights and cool shadows.
        faded = image * (1 - 0.25 * intensity) + 30 * intensity
        faded[..., 0] += 18 * intensity
        faded[..., 2] -= 12 * intensity
        toned = 0.8 * faded + 0.2 * (np.clip(faded, 0, 255) @ _SEPIA.T) * intensity + 0.2 * faded * (1 - intensity)
        toned *= mask[start:stop, :, None]
        return _to_uint8(toned)

    return by_strips(tone, rgb.shape)


def hdr(rgb: np.ndarray, sigma_s: float, sigma_r: float) -> np.ndarray:
    # OpenCV's detailEnhance, built from its parts: the lightness (Lab L, scaled by 1/255 as
    # detailEnhance does) is smoothed by the domain transform's recursive filter and the detail
    # above that smooth base is tripled. ximgproc's dtFilter runs that filter in half the time of
    # detailEnhance's own implementation, and the result is the same to one level.
    # The work runs on strips, so the float copies (Lab, the filter's passes) are never full size.
    # The recursive filter's reach decays exponentially, faster across edges; a 3 x sigma_s halo
    # leaves each strip at most one level from the whole image's result.
    def enhance(start: int, stop: int) -> np.ndarray:
        lab = cv2.cvtColor(_unit(rgb[start:stop]), cv2.COLOR_RGB2Lab)
        lightness = lab[..., 0] * np.float32(1 / 255)
        base = cv2.ximgproc.dtFilter(lightness, lightness, sigma_s, sigma_r, mode=cv2.ximgproc.DTF_RF, numIters=3)
        lightness -= base
        lightness *= np.float32(3)
        lightness += base
        lab[..., 0] = lightness * np.float32(255)
        return _from_unit(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB))

    return by_strips(enhance, rgb.shape, halo=math.ceil(3 * sigma_s), rows=512)


def posterize(rgb: np.ndarray, levels: int) -> np.ndarray:
    # Map each channel to ``levels`` evenly spaced values spanning 0..255.
    index = np.minimum((rgb.astype(np.int32) * levels) // 256, levels - 1)
    return (index * 255 // (levels - 1)).astype(np.uint8)


def pixelate(rgb: np.ndarray, block_size: int) -> np.ndarray:
    height, width = rgb.shape[:2]
    small = cv2.resize(
        rgb, (max(1, -(-width // block_size)), max(1, -(-height // block_size))), interpolation=cv2.INTER_AREA
    )
    # Each small pixel becomes one block_size x block_size block, aligned to the top-left corner.
    blocks = np.repeat(np.repeat(small, block_size, axis=0), block_size, axis=1)
    return np.ascontiguousarray(blocks[:height, :width])


def portrait_blur(rgb: np.ndarray, radius: int, focus: float) -> np.ndarray:
    height, width = rgb.shape[:2]
    kernel = radius * 2 + 1
    blurred = cv2.GaussianBlur(rgb, (kernel, kernel), 0)
    # An elliptical sharp zone around the subject (centre, slightly above) with a soft edge.
    ys = (np.arange(height, dtype=np.float32)[:, None] - height * 0.45) / (height / 2)
    xs = (np.arange(width, dtype=np.float32)[None, :] - width / 2) / (width / 2)
    distance = np.sqrt(xs**2 + ys**2)
    mask = np.clip((distance - focus) / max(0.25, 1 - focus), 0, 1)[..., None]
    return (rgb * (1 - mask) + blurred * mask).astype(np.uint8)


# --- Painterly ------------------------------------------------------------------------------

_PAINT_SIDE = 1024  # painterly effects build their strokes at most at this long side, then upscale


def _work_size(rgb: np.ndarray, limit: int = _PAINT_SIDE) -> tuple[int, int]:
    height, width = rgb.shape[:2]
    factor = min(1.0, limit / max(height, width))
    return max(1, round(width * factor)), max(1, round(height * factor))


def _stroke_texture(gray: np.ndarray, length: int, seed: int) -> np.ndarray:
    """Noise smeared along the image's edges: brush strokes follow the shapes (float32, ~[-1, 1])."""
    height, width = gray.shape
    noise = np.random.default_rng(seed).standard_normal((height, width), dtype=np.float32)
    # Stroke direction: along the edge, i.e. perpendicular to the local gradient (structure tensor).
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    sigma = max(1.0, length / 2)
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), sigma)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), sigma)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), sigma)
    angle = 0.5 * np.arctan2(2 * jxy, jxx - jyy) + np.float32(np.pi / 2)  # edge direction
    # Bristle marks a few pixels wide, smeared along four directions and blended by how close
    # each direction is to the local one (smooth turns, no seams between directions).
    noise = cv2.GaussianBlur(noise, (0, 0), max(0.8, length / 10))
    texture = np.zeros_like(noise)
    size = max(3, length | 1)
    for theta in np.arange(4, dtype=np.float32) * np.float32(np.pi / 4):
        kernel = np.zeros((size, size), np.float32)
        c = size // 2
        dx, dy = np.cos(theta) * c, np.sin(theta) * c
        cv2.line(kernel, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1, cv2.LINE_AA)
        kernel /= kernel.sum()
        weight = np.maximum(np.cos(2 * (angle - theta)), 0) ** 2
        texture += weight * cv2.filter2D(noise, -1, kernel)
    return texture / max(float(np.std(texture)), 1e-6)


def _relief(height_map: np.ndarray, strength: float) -> np.ndarray:
    """Lighting of a height map from the top left: 1 on flat parts, above/below 1 on slopes."""
    gx = cv2.Sobel(height_map, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(height_map, cv2.CV_32F, 0, 1, ksize=3)
    return 1.0 - np.float32(strength) * (gx + gy)


def oil_paint(rgb: np.ndarray, size: int, dyn_ratio: int, relief: float) -> np.ndarray:
    # OpenCV's oil-paint filter (each pixel takes the most frequent colour of its neighbourhood)
    # gives the flat dabs of paint; a stroke texture that follows the shapes, lit from the top
    # left, gives them thickness. Both are built at most at 832 px and upscaled: strokes are
    # meant to be bigger than pixels, and it keeps a 2048 px photo around a second.
    height, width = rgb.shape[:2]
    work = _work_size(rgb, 832)
    small = _resize(rgb, work, down=True) if work != (width, height) else rgb
    brush = max(2, round(size * max(work) / 1024 * 1.1))
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    # The dabs are softened by a small bilateral pass, and the photo's fine lightness detail is
    # laid back over them, as a painter's small brush would, so faces stay faces, not blotches.
    # (oilPainting's colour-conversion argument is left at its default: with COLOR_BGR2Lab,
    # OpenCV 5.0.0.93 reads uninitialised memory and the result changes from call to call.)
    painted = cv2.bilateralFilter(cv2.xphoto.oilPainting(bgr, brush, dyn_ratio), 7, 30, 5)
    painted = cv2.cvtColor(painted, cv2.COLOR_BGR2RGB)
    source = _gray(small).astype(np.float32)
    # Band-pass: features (eyes, lettering) come back, pixel noise does not.
    detail = cv2.GaussianBlur(source, (0, 0), 1.0) - cv2.GaussianBlur(source, (0, 0), max(2.0, brush * 0.6))
    painted = _to_uint8(painted + np.float32(0.7) * detail[..., None])
    gray = _gray(painted).astype(np.float32) * np.float32(1 / 255)
    strokes = _stroke_texture(gray, max(5, brush * 2 + 1), seed=11)
    height_map = cv2.GaussianBlur(gray, (0, 0), 1.0) + np.float32(0.03) * strokes
    # Slopes are steeper per pixel on a small image: soften the light below 512 px.
    shade = _relief(height_map, relief * 1.2 * min(1.0, max(work) / 512))
    if work != (width, height):
        painted = _resize(painted, (width, height), down=False)
        shade = _resize(shade, (width, height), down=False)
    lit = painted.astype(np.float32) * shade[..., None]
    return _to_uint8(lit)


def watercolor(rgb: np.ndarray, wash: float, edges: float, grain: float) -> np.ndarray:
    # Washes: colours flattened by an edge-preserving mean shift at a low resolution (a brush
    # never follows every pixel), softly upscaled. Pigment gathers where a wash dries, so the
    # rims of the washes get darker (the wash's own colour, deeper, never a black ink line).
    # Paper: the wash is lightened towards white and modulated by a paper-grain texture and a
    # slow "pigment flow" turbulence.
    height, width = rgb.shape[:2]
    work = _work_size(rgb, 560)
    small = _resize(rgb, work, down=True) if work != (width, height) else rgb.copy()
    spatial = max(3, round(wash * max(work) / 80))
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    washed = cv2.pyrMeanShiftFiltering(bgr, spatial, 18 + 14 * wash, maxLevel=1)
    washed = cv2.medianBlur(washed, 5)
    washed = cv2.cvtColor(washed, cv2.COLOR_BGR2RGB)
    soft = cv2.GaussianBlur(washed, (0, 0), 1.2 * max(work) / 560)
    if work != (width, height):
        soft = _resize(soft, (width, height), down=False)
    # Full-size arrays are single-channel (12 MB each at 2000x1500) or uint8; the three-channel
    # float work is done strip by strip below.
    lum = by_strips(
        lambda start, stop: cv2.cvtColor(_unit(soft[start:stop]), cv2.COLOR_RGB2GRAY), (height, width), dtype=np.float32
    )
    # Rims of the washes: where the wash differs from its surroundings, a little inside the shape.
    rim_sigma = max(1.0, max(height, width) / 400)
    rim = _wide_blur(lum, rim_sigma * 2)
    np.subtract(lum, rim, out=rim)
    del lum
    np.abs(rim, out=rim)
    rim *= np.float32(8)
    np.clip(rim, 0, 1, out=rim)
    # Pigment density: >1 deepens the colour like a second layer of the same paint.
    scale = _scale(rgb)
    paper = _noise((height, width), 1.6 * scale, seed=5)
    paper += _noise((height, width), 5 * scale, seed=6)
    paper *= np.float32(0.5)
    extra = _noise((height, width), 90 * scale, seed=3)  # the density above 1: flow, rims, grain
    extra *= np.float32(0.10)
    rim *= np.float32(edges)
    extra += rim
    del rim
    extra += np.float32(0.09 * grain) * paper
    # Paper shows through the lightest washes, with its grain.
    np.maximum(paper, 0, out=paper)
    paper *= np.float32(0.025 * grain)

    def paint(start: int, stop: int) -> np.ndarray:
        # Kubelka-Munk-like darkening: C' = C - (C - C^2)(d - 1) keeps hue and never goes to black.
        light = _unit(soft[start:stop])
        light *= np.float32(0.78)
        light += np.float32(0.22)
        painted = light - (light - light * light) * extra[start:stop, :, None]
        painted -= paper[start:stop, :, None]
        return _from_unit(painted)

    return by_strips(paint, soft.shape)


def cartoon(rgb: np.ndarray, edge_size: int, colors: int) -> np.ndarray:
    # Cel shading that keeps the photo's own colours: the image is flattened with repeated
    # bilateral filtering, then only the lightness is quantised into ``colors`` soft bands (hue
    # and saturation are the photo's, so skin stays skin and a red jacket stays red). Outlines
    # come from a difference of Gaussians on the lightness and are drawn in a deep shade of the
    # local colour rather than flat black.
    height, width = rgb.shape[:2]
    work = _work_size(rgb, 768)
    small = _resize(rgb, work, down=True) if work != (width, height) else rgb
    flat = cv2.medianBlur(small, 5)
    for _ in range(5):
        flat = cv2.bilateralFilter(flat, 9, 40, 9)
    lab = cv2.cvtColor(_unit(flat), cv2.COLOR_RGB2Lab)  # L 0..100, a/b about -100..100
    lightness = lab[..., 0]
    step = np.float32(100 / max(colors - 1, 1))
    nearest = np.round(lightness / step) * step
    sharpness = np.float32(8.0 / step)
    lab[..., 0] = nearest + step / 2 * np.tanh(sharpness * (lightness - nearest))
    lab[..., 1:] *= np.float32(1.15)  # cel colours read a little more saturated
    # Outlines: where the smoothed lightness drops across an edge (thin, at ~edge_size/7 px per 1024).
    sigma = max(0.7, edge_size / 7 * max(work) / 640)
    source_l = cv2.cvtColor(_unit(cv2.bilateralFilter(cv2.medianBlur(small, 3), 7, 30, 7)), cv2.COLOR_RGB2Lab)[..., 0]
    dog = cv2.GaussianBlur(source_l, (0, 0), sigma) - cv2.GaussianBlur(source_l, (0, 0), sigma * 1.6)
    line = np.clip((-dog - 0.8) / 1.5, 0, 1)
    toon = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)
    if work != (width, height):
        toon = _resize(toon, (width, height), down=False)
        line = _resize(line, (width, height), down=False)
    np.clip(line, 0, 1, out=line)

    def ink(start: int, stop: int) -> np.ndarray:
        colour = toon[start:stop]
        inked = colour * np.float32(0.18)
        return _from_unit(colour + (inked - colour) * line[start:stop, :, None])

    return by_strips(ink, toon.shape)


_PAPER = np.array([246, 242, 232], dtype=np.float32) / 255  # warm drawing paper
_GRAPHITE = np.array([58, 60, 66], dtype=np.float32) / 255  # graphite is a cool dark grey, never black


def pencil_sketch(rgb: np.ndarray, color: bool, shade: float) -> np.ndarray:
    # Contours: a colour dodge of the grey image by its blurred negative. Tone: diagonal hatching
    # (noise smeared at 45 degrees) laid where the photo is dark, stronger with ``shade``. Both are
    # graphite on warm paper, and the paper's tooth breaks the strokes up like a real pencil.
    height, width = rgb.shape[:2]
    scale = _scale(rgb)
    gray = cv2.GaussianBlur(_gray(rgb), (0, 0), max(0.6, 0.7 * scale)).astype(np.float32)
    sigma = max(2.0, min(height, width) / 60)
    blurred = _wide_blur(255 - gray, sigma)
    dodge = np.clip(gray * 255 / np.maximum(255 - blurred, 1), 0, 255) * np.float32(1 / 255)
    lines = np.clip((1 - dodge) * (2.5 + shade * 25), 0, 1)
    # Hatching: strokes ~12 px long per 1024 px, only in the darker half of the tones.
    length = max(5, round(12 * scale) | 1)
    kernel = np.eye(length, dtype=np.float32)[::-1] / length
    strokes = cv2.filter2D(_noise((height, width), max(1.0, 0.8 * scale), seed=21), -1, kernel)
    strokes = np.clip(strokes * np.float32(np.sqrt(length)) * 0.5 + 0.5, 0, 1)
    tone = np.clip((1 - _wide_blur(gray, 2 * scale) / 255 - 0.35) * 1.6, 0, 1)
    hatching = tone * strokes * np.float32(0.35 + 4 * shade)
    tooth = 1 + _noise((height, width), max(1.0, 1.2 * scale), seed=22) * np.float32(0.25)
    darkness = np.clip((1 - (1 - lines) * (1 - hatching)) * tooth, 0, 1)
    del lines, hatching, tooth
    # Coloured pencils take the photo's (slightly deepened) colour; graphite is one grey.
    colours = cv2.GaussianBlur(rgb, (0, 0), max(1.0, scale)) if color else None

    def draw(start: int, stop: int) -> np.ndarray:
        pigment = _unit(colours[start:stop]) * np.float32(0.75) if colours is not None else _GRAPHITE
        return _from_unit(_PAPER + (pigment - _PAPER) * darkness[start:stop, :, None])

    return by_strips(draw, rgb.shape)


# --- Film and lens looks --------------------------------------------------------------------


def analog_film(rgb: np.ndarray, grain: float, halation: float, fade: float, warmth: float) -> np.ndarray:
    # A colour negative look: a soft film tone curve with lifted, slightly green-cyan blacks and
    # creamy highlights (``fade``), a warm or cool cast (``warmth``), halation (the red-orange
    # glow film shows around bright lights, from light bouncing off the film base) and grain
    # that is strongest in the mid-tones, like silver grain, sized to the frame.
    height, width = rgb.shape[:2]
    scale = _scale(rgb)
    lift, shoulder = 28 * fade, 255 - 22 * fade
    red = _curve(rgb[..., 0], [(0, lift * 0.9), (64, 62 + lift * 0.4), (192, 200), (255, shoulder)])
    green = _curve(rgb[..., 1], [(0, lift * 1.05), (64, 64 + lift * 0.4), (192, 196), (255, shoulder - 4)])
    blue = _curve(rgb[..., 2], [(0, lift * 1.15), (64, 66 + lift * 0.4), (192, 190), (255, shoulder - 12)])
    image = _unit(cv2.merge([red, green, blue]))
    image *= np.array([1 + 0.06 * warmth, 1 + 0.01 * warmth, 1 - 0.08 * warmth], dtype=np.float32)
    # Halation: bright parts, blurred wide, added back in red-orange.
    lum = cv2.cvtColor(np.clip(image, 0, 1), cv2.COLOR_RGB2GRAY)
    bright = np.clip((lum - 0.72) / 0.28, 0, 1)
    glow = _wide_blur(bright, 14 * scale)
    image += (glow * np.float32(0.55 * halation))[..., None] * np.array([1.0, 0.35, 0.12], dtype=np.float32)
    # Grain: two octaves, luminance only, peaking in the mid-tones.
    noise = _noise((height, width), max(1.0, 1.3 * scale), seed=31) * np.float32(0.7)
    noise += _noise((height, width), max(1.0, 2.6 * scale), seed=32) * np.float32(0.5)
    weight = 4 * lum * (1 - lum) * np.float32(0.10 * grain) + np.float32(0.015 * grain)
    image += (noise * weight)[..., None]
    return _from_unit(image)


DUOTONES = {
    # shadow colour, highlight colour (RGB)
    "ocean": ((16, 34, 92), (120, 236, 214)),
    "sunset": ((74, 18, 92), (255, 176, 84)),
    "rose": ((38, 22, 64), (250, 170, 190)),
    "mint": ((20, 50, 60), (200, 250, 200)),
    "gold": ((30, 28, 36), (244, 206, 120)),
    "noir-red": ((22, 14, 18), (236, 60, 72)),
}


def duotone(rgb: np.ndarray, palette: str, contrast: float) -> np.ndarray:
    # Print-style duotone: the photo's lightness (contrast-stretched between its 1st and 99th
    # percentiles, then an S-curve) mapped onto a gradient between two inks.
    gray = _gray(rgb)
    low, high = np.percentile(gray[:: max(1, gray.shape[0] // 256), :: max(1, gray.shape[1] // 256)], (1, 99))
    span = max(float(high - low), 1.0)
    x = np.arange(256, dtype=np.float32)
    t = np.clip((x - low) / span, 0, 1)
    t = t + contrast * (t - t * t) * (2 * t - 1) * 2  # S-curve, stronger with contrast
    t = np.clip(t, 0, 1)
    dark, light = (np.array(c, dtype=np.float32) for c in DUOTONES[palette])
    table = (dark[None, :] + (light - dark)[None, :] * t[:, None]).clip(0, 255).astype(np.uint8)
    return np.ascontiguousarray(table[gray])


def tilt_shift(rgb: np.ndarray, position: float, width: float, blur: float, saturation: float) -> np.ndarray:
    # A miniature: a horizontal band in focus at ``position`` (0 top, 1 bottom) and blur that grows
    # above and below it, like a tilted lens on a tiny model; toy-like saturation and contrast.
    height, image_width = rgb.shape[:2]
    vivid = _saturate(rgb, saturation)
    vivid = _curve(vivid, [(0, 0), (64, 54), (192, 204), (255, 255)])
    ys = np.arange(height, dtype=np.float32) / max(height - 1, 1)
    distance = np.clip((np.abs(ys - position) - width / 2) / max(0.5 - width / 4, 0.1), 0, 1)
    # Three blur levels blended by distance: cheaper than a per-row kernel and smooth enough.
    radius = blur * max(height, image_width) / 1024
    levels = [vivid] + [_wide_blur(vivid, max(0.5, radius * fraction)) for fraction in (0.33, 0.66, 1.0)]
    position_in_levels = distance * (len(levels) - 1)
    out = np.zeros((height, image_width, 3), np.float32)
    for index, level in enumerate(levels):
        # Tent weights over the level index: each row mixes its two nearest levels.
        weight = np.clip(1 - np.abs(position_in_levels - index), 0, 1)[:, None, None]
        rows = weight[:, 0, 0] > 0
        out[rows] += level[rows] * weight[rows]
    return _to_uint8(out)


def pop_art(rgb: np.ndarray, dot_size: float, saturation: float) -> np.ndarray:
    # Comic-print halftone: the photo boosted to bold colours, separated into cyan, magenta,
    # yellow and black inks, each printed as a screen of round dots at its classic angle
    # (15, 75, 0 and 45 degrees) whose size follows the ink's coverage, on white paper.
    width = rgb.shape[1]
    bold = _saturate(rgb, saturation)
    bold = _curve(bold, [(0, 0), (48, 30), (200, 225), (255, 255)])
    blurred = cv2.GaussianBlur(bold, (0, 0), max(0.5, dot_size * _scale(rgb) / 3))
    del bold
    period = max(3.0, dot_size * _scale(rgb))
    xs = np.arange(width, dtype=np.float32)[None, :]

    # The rest is per pixel: done strip by strip, so the inks and screens are never full size.
    def print_rows(start: int, stop: int) -> np.ndarray:
        colour = cv2.split(_unit(blurred[start:stop]))
        key = 1 - np.maximum(np.maximum(colour[0], colour[1]), colour[2])
        keep = 1 / np.maximum(1 - key, np.float32(1e-3))
        cyan, magenta, yellow = ((1 - channel - key) * keep for channel in colour)
        ys = np.arange(start, stop, dtype=np.float32)[:, None]
        paper = [np.ones((stop - start, width), np.float32) for _ in range(3)]
        screens = [
            (cyan, 15, (0.0, 0.68, 0.94)),
            (magenta, 75, (0.93, 0.0, 0.55)),
            (yellow, 0, (1.0, 0.95, 0.0)),
            (np.clip((key - 0.35) * 1.6, 0, 1), 45, (0.0, 0.0, 0.0)),  # black only in the deep shadows
        ]
        for coverage, angle, ink in screens:
            theta = np.deg2rad(angle)
            cos, sin = np.float32(np.cos(theta) / period), np.float32(np.sin(theta) / period)
            u = xs * cos + ys * sin
            v = ys * cos - xs * sin
            # Distance to the nearest dot centre, in cells; a dot of radius r covers pi r^2 of the cell.
            u -= np.round(u)
            v -= np.round(v)
            distance = np.sqrt(u * u + v * v)
            radius = np.sqrt(np.clip(coverage, 0, 1) * np.float32(1 / np.pi)) * np.float32(1.1)
            dot = np.clip((radius - distance) * np.float32(period) + 0.5, 0, 1)  # anti-aliased edge
            # Subtractive printing: each ink multiplies the paper by its colour where it lands.
            for channel, value in zip(paper, ink, strict=True):
                if value < 1:
                    channel *= 1 - dot * np.float32(1 - value)
        return _from_unit(cv2.merge(paper))

    return by_strips(print_rows, rgb.shape)


def lomo(rgb: np.ndarray, intensity: float, vignette: float) -> np.ndarray:
    # A toy-camera cross-process: punchy contrast, saturated colour, yellow-green highlights and
    # blue-cyan shadows, and a deep, round vignette with soft corners.
    image = _saturate(rgb, 1 + 0.5 * intensity)
    k = intensity
    red = _curve(image[..., 0], [(0, 0), (64, 64 - 22 * k), (192, 192 + 26 * k), (255, 255)])
    green = _curve(image[..., 1], [(0, 0), (64, 64 - 14 * k), (192, 192 + 20 * k), (255, 255)])
    blue = _curve(image[..., 2], [(0, 24 * k), (128, 128 - 8 * k), (255, 255 - 40 * k)])
    toned = cv2.merge([red, green, blue])
    height, width = rgb.shape[:2]
    mask = _vignette_mask(height, width, vignette * 0.95, power=2.6)
    softened = _wide_blur(toned, max(1.0, 3 * _scale(rgb)))
    edge = np.clip((1 - mask) / max(vignette, 1e-3), 0, 1) if vignette > 0 else None

    # Per pixel from here: strip by strip, so the float copies are never full size.
    def darken(start: int, stop: int) -> np.ndarray:
        rows = toned[start:stop]
        blended = (
            rows + (softened[start:stop].astype(np.float32) - rows) * edge[start:stop, :, None]
            if edge is not None
            else rows
        )
        return _to_uint8(blended * mask[start:stop, :, None])

    return by_strips(darken, rgb.shape)


LEAKS = {
    # centres (x, y in 0..1 of the frame), radii (fraction of the long side), colours
    "left": [((-0.05, 0.35), 0.45, (255, 90, 30)), ((0.08, 0.8), 0.3, (255, 190, 60))],
    "right": [((1.05, 0.3), 0.45, (255, 70, 40)), ((0.92, 0.75), 0.3, (255, 170, 50))],
    "top": [((0.3, -0.08), 0.4, (255, 120, 40)), ((0.75, -0.02), 0.3, (255, 60, 80))],
    "corner": [((-0.02, -0.02), 0.55, (255, 80, 30)), ((0.25, 0.05), 0.25, (255, 200, 90))],
}


def light_leak(rgb: np.ndarray, position: str, strength: float) -> np.ndarray:
    # Light leaking into the camera body: warm red-orange-yellow glows from one edge, screened
    # over the photo (brightens, never darkens), plus a slight overall warm fade. The glow is
    # smooth, so it is drawn at an eighth of the size and scaled up.
    height, width = rgb.shape[:2]
    small_h, small_w = max(2, height // 8), max(2, width // 8)
    long_side = max(small_h, small_w)
    ys = np.arange(small_h, dtype=np.float32)[:, None]
    xs = np.arange(small_w, dtype=np.float32)[None, :]
    leak = np.zeros((small_h, small_w, 3), np.float32)
    for (cx, cy), radius, colour in LEAKS[position]:
        r = np.float32(radius * long_side)
        d2 = ((xs - cx * small_w) ** 2 + (ys - cy * small_h) ** 2) / (r * r)
        glow = np.exp(-d2 * np.float32(1.6))
        leak += glow[..., None] * (np.array(colour, np.float32) / 255)
    # A streak along the edge: light leaks are rarely perfect circles.
    streak = _noise((small_h, small_w), long_side / 6, seed=41) * np.float32(0.15) + 1
    leak = np.clip(leak * streak[..., None] * np.float32(strength), 0, 1)
    leak = cv2.resize(leak, (width, height), interpolation=cv2.INTER_LINEAR)
    base = _unit(rgb) * np.float32(0.94) + np.float32(0.04)
    screened = 1 - (1 - base) * (1 - leak)
    return _from_unit(screened)
