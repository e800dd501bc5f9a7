"""Film, print and lens looks: analog film, duotone, tilt-shift, portrait blur, pop art, lomo, light leak."""

from __future__ import annotations

import cv2
import numpy as np

from effects.engines.classic import shared
from effects.engines.strips import by_strips


def _saturate(rgb: np.ndarray, amount: float) -> np.ndarray:
    """Scale saturation by ``amount`` (1 = unchanged) in HSV, uint8 in and out."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hsv[..., 1] = shared.to_uint8(hsv[..., 1].astype(np.float32) * amount)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def _curve(values: np.ndarray, points: list[tuple[float, float]]) -> np.ndarray:
    """A 256-entry lookup table through (in, out) points in 0..255, applied with cv2.LUT."""
    xs, ys = zip(*points, strict=True)
    table = np.clip(np.interp(np.arange(256), xs, ys), 0, 255).astype(np.uint8)
    return cv2.LUT(values, table)


def analog_film(rgb: np.ndarray, grain: float, halation: float, fade: float, warmth: float) -> np.ndarray:
    # A colour negative look: a soft film tone curve with lifted, slightly green-cyan blacks and
    # creamy highlights (``fade``), a warm or cool cast (``warmth``), halation (the red-orange
    # glow film shows around bright lights, from light bouncing off the film base) and grain
    # that is strongest in the mid-tones, like silver grain, sized to the frame.
    height, width = rgb.shape[:2]
    scale = shared.scale(rgb)
    lift, shoulder = 28 * fade, 255 - 22 * fade
    red = _curve(rgb[..., 0], [(0, lift * 0.9), (64, 62 + lift * 0.4), (192, 200), (255, shoulder)])
    green = _curve(rgb[..., 1], [(0, lift * 1.05), (64, 64 + lift * 0.4), (192, 196), (255, shoulder - 4)])
    blue = _curve(rgb[..., 2], [(0, lift * 1.15), (64, 66 + lift * 0.4), (192, 190), (255, shoulder - 12)])
    image = shared.unit(cv2.merge([red, green, blue]))
    image *= np.array([1 + 0.06 * warmth, 1 + 0.01 * warmth, 1 - 0.08 * warmth], dtype=np.float32)
    # Halation: bright parts, blurred wide, added back in red-orange.
    lum = cv2.cvtColor(np.clip(image, 0, 1), cv2.COLOR_RGB2GRAY)
    bright = np.clip((lum - 0.72) / 0.28, 0, 1)
    glow = shared.wide_blur(bright, 14 * scale)
    image += (glow * np.float32(0.55 * halation))[..., None] * np.array([1.0, 0.35, 0.12], dtype=np.float32)
    # Grain: two octaves, luminance only, peaking in the mid-tones.
    noise = shared.noise((height, width), max(1.0, 1.3 * scale), seed=31) * np.float32(0.7)
    noise += shared.noise((height, width), max(1.0, 2.6 * scale), seed=32) * np.float32(0.5)
    weight = 4 * lum * (1 - lum) * np.float32(0.10 * grain) + np.float32(0.015 * grain)
    image += (noise * weight)[..., None]
    return shared.from_unit(image)


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
    gray = shared.gray(rgb)
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
    levels = [vivid] + [shared.wide_blur(vivid, max(0.5, radius * fraction)) for fraction in (0.33, 0.66, 1.0)]
    position_in_levels = distance * (len(levels) - 1)
    out = np.zeros((height, image_width, 3), np.float32)
    for index, level in enumerate(levels):
        # Tent weights over the level index: each row mixes its two nearest levels.
        weight = np.clip(1 - np.abs(position_in_levels - index), 0, 1)[:, None, None]
        rows = weight[:, 0, 0] > 0
        out[rows] += level[rows] * weight[rows]
    return shared.to_uint8(out)


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


def pop_art(rgb: np.ndarray, dot_size: float, saturation: float) -> np.ndarray:
    # Comic-print halftone: the photo boosted to bold colours, separated into cyan, magenta,
    # yellow and black inks, each printed as a screen of round dots at its classic angle
    # (15, 75, 0 and 45 degrees) whose size follows the ink's coverage, on white paper.
    width = rgb.shape[1]
    bold = _saturate(rgb, saturation)
    bold = _curve(bold, [(0, 0), (48, 30), (200, 225), (255, 255)])
    blurred = cv2.GaussianBlur(bold, (0, 0), max(0.5, dot_size * shared.scale(rgb) / 3))
    del bold
    period = max(3.0, dot_size * shared.scale(rgb))
    xs = np.arange(width, dtype=np.float32)[None, :]

    # The rest is per pixel: done strip by strip, so the inks and screens are never full size.
    def print_rows(start: int, stop: int) -> np.ndarray:
        colour = cv2.split(shared.unit(blurred[start:stop]))
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
        return shared.from_unit(cv2.merge(paper))

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
    mask = shared.vignette_mask(height, width, vignette * 0.95, power=2.6)
    softened = shared.wide_blur(toned, max(1.0, 3 * shared.scale(rgb)))
    edge = np.clip((1 - mask) / max(vignette, 1e-3), 0, 1) if vignette > 0 else None

    # Per pixel from here: strip by strip, so the float copies are never full size.
    def darken(start: int, stop: int) -> np.ndarray:
        rows = toned[start:stop]
        blended = (
            rows + (softened[start:stop].astype(np.float32) - rows) * edge[start:stop, :, None]
            if edge is not None
            else rows
        )
        return shared.to_uint8(blended * mask[start:stop, :, None])

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
    streak = shared.noise((small_h, small_w), long_side / 6, seed=41) * np.float32(0.15) + 1
    leak = np.clip(leak * streak[..., None] * np.float32(strength), 0, 1)
    leak = cv2.resize(leak, (width, height), interpolation=cv2.INTER_LINEAR)
    base = shared.unit(rgb) * np.float32(0.94) + np.float32(0.04)
    screened = 1 - (1 - base) * (1 - leak)
    return shared.from_unit(screened)
