"""Tone, colour and block effects: grayscale, sepia, vintage, HDR, posterize, pixelate."""

from __future__ import annotations

import math

import cv2
import numpy as np

from effects.engines.classic import portrait, shared
from effects.engines.strips import by_strips


def _blend(original: np.ndarray, effect: np.ndarray, amount: float) -> np.ndarray:
    if amount >= 1.0:
        return effect
    return cv2.addWeighted(effect, amount, original, 1.0 - amount, 0)


def grayscale(rgb: np.ndarray, intensity: float) -> np.ndarray:
    gray = cv2.cvtColor(shared.gray(rgb), cv2.COLOR_GRAY2RGB)
    return _blend(rgb, gray, intensity)


_SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)


def sepia(rgb: np.ndarray, intensity: float) -> np.ndarray:
    toned = np.clip(rgb.astype(np.float32) @ _SEPIA.T, 0, 255).astype(np.uint8)
    return _blend(rgb, toned, intensity)


def vintage(rgb: np.ndarray, intensity: float, vignette: float) -> np.ndarray:
    mask = shared.vignette_mask(*rgb.shape[:2], vignette)

    # Per pixel, so done strip by strip: the float copies are never full size.
    def tone(start: int, stop: int) -> np.ndarray:
        image = rgb[start:stop].astype(np.float32)
        # Faded film: lifted blacks, lower contrast, warm highlights and cool shadows.
        faded = image * (1 - 0.25 * intensity) + 30 * intensity
        faded[..., 0] += 18 * intensity
        faded[..., 2] -= 12 * intensity
        toned = 0.8 * faded + 0.2 * (np.clip(faded, 0, 255) @ _SEPIA.T) * intensity + 0.2 * faded * (1 - intensity)
        toned *= mask[start:stop, :, None]
        return shared.to_uint8(toned)

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
        lab = cv2.cvtColor(shared.unit(rgb[start:stop]), cv2.COLOR_RGB2Lab)
        lightness = lab[..., 0] * np.float32(1 / 255)
        base = cv2.ximgproc.dtFilter(lightness, lightness, sigma_s, sigma_r, mode=cv2.ximgproc.DTF_RF, numIters=3)
        lightness -= base
        lightness *= np.float32(3)
        lightness += base
        lab[..., 0] = lightness * np.float32(255)
        return shared.from_unit(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB))

    return by_strips(enhance, rgb.shape, halo=math.ceil(3 * sigma_s), rows=512)


_POSTER_SIDE = 800  # the palette and the flattened image are built at most at this long side
_LUT_BITS = 6  # the colour-to-palette lookup table has 2**(3 * bits) cells


_LIGHTNESS_WEIGHT = 0.6  # lightness counts less than hue and chroma when inks are fitted and chosen


def _lab(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB -> float32 CIELAB (a and b about -100..100), L (0..100) weighted by _LIGHTNESS_WEIGHT:
    a shaded cheek keeps a skin-coloured ink rather than taking a grey one of its lightness."""
    lab = cv2.cvtColor(shared.unit(rgb), cv2.COLOR_RGB2Lab)
    lab[..., 0] *= np.float32(_LIGHTNESS_WEIGHT)
    return lab


def fit_palette(lab: np.ndarray, count: int, fixed: np.ndarray | None = None) -> np.ndarray:
    """``count`` CIELAB colours fitted to the image (weighted k-means), darkest first; the
    ``fixed`` colours (as many as leave five free) are among them, unmoved.

    The pixels are pooled in small Lab cells first; a cell weighs the square root of its pixel
    count, so a wide sky or wall cannot take most of the palette from the subject. Seeded at
    lightness quantiles: the same image always gives the same palette.
    """
    pixels = lab.reshape(-1, 3)
    cells = np.floor((pixels + np.float32([0, 128, 128])) / np.float32([4, 6, 6])).astype(np.int32)
    key = (cells[:, 0] * 64 + cells[:, 1]) * 64 + cells[:, 2]
    counts = np.bincount(key)
    used = np.flatnonzero(counts)
    weights = np.sqrt(counts[used]).astype(np.float64)
    points = np.stack([np.bincount(key, pixels[:, c])[used] for c in range(3)], 1) / counts[used, None]
    count = min(count, len(points))
    order = np.argsort(points[:, 0], kind="stable")
    share = np.cumsum(weights[order]) / weights.sum()
    seeds = np.minimum(np.searchsorted(share, (np.arange(count) + 0.5) / count), len(order) - 1)
    centres = points[order[seeds]].copy()
    pinned = np.zeros(count, bool)
    for colour in (fixed if fixed is not None else [])[: max(0, count - 5)]:
        free = np.flatnonzero(~pinned)  # the fixed colour takes the place of the nearest seed
        nearest = free[((centres[free] - colour) ** 2).sum(axis=1).argmin()]
        centres[nearest], pinned[nearest] = colour, True
    for _ in range(24):
        label = ((points[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)
        total = np.bincount(label, weights, minlength=count)
        for c in range(3):
            moved = np.bincount(label, weights * points[:, c], minlength=count)
            centres[:, c] = np.where((total > 0) & ~pinned, moved / np.maximum(total, 1e-9), centres[:, c])
    return centres[np.argsort(centres[:, 0], kind="stable")].astype(np.float32)


def _nearest_lut(palette: np.ndarray) -> np.ndarray:
    """For every RGB cell (``_LUT_BITS`` per channel), the index of the nearest palette colour in Lab."""
    step = 256 >> _LUT_BITS
    axis = (np.arange(1 << _LUT_BITS) * step + step // 2).astype(np.uint8)
    grid = _lab(np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(1, -1, 3))[0]
    # Nearest by |p - c|^2 = |p|^2 - 2 p.c + |c|^2, whose first term is the same for every ink.
    return (np.sum(palette * palette, axis=1) - 2 * grid @ palette.T).argmin(axis=1).astype(np.uint8)


def _skin_inks(lab: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """The median colour of the middle of each face (weighted Lab), at most two: inks the palette
    must keep, so skin prints as skin rather than in the nearest background or hair ink."""
    inks = []
    for x0, y0, x1, y1 in boxes[:2]:
        grow_x, grow_y = (x1 - x0) // 3, (y1 - y0) // 3
        middle = lab[y0 + grow_y : y1 - grow_y, x0 + grow_x : x1 - grow_x].reshape(-1, 3)
        if len(middle):
            inks.append(np.median(middle, axis=0))
    return np.array(inks, np.float32).reshape(-1, 3)


def posterize(rgb: np.ndarray, levels: int) -> np.ndarray:
    # A screen print of the photo in 2 x ``levels`` inks fitted to it. The photo is flattened by
    # an edge-preserving (bilateral) filter at <= 800 px, so skies, skin and floors give wide flat
    # areas rather than speckle; the inks are a k-means palette in CIELAB (perceptual distances,
    # every ink a colour the photo has, a little richer in chroma, same hue; a detected face's
    # skin is always one of them), and each pixel takes its nearest ink. Labels are assigned at
    # full size from the smooth upscaled image, so the shapes' borders are smooth curves. Thin
    # lines in a deeper shade of the local ink mark the dark side of strong steps between inks
    # and the photo's dark features (eyes, mouth, lettering): no hue the photo lacks appears,
    # and there are at most 4 x ``levels`` colours.
    height, width = rgb.shape[:2]
    factor = min(1.0, _POSTER_SIDE / max(height, width))
    work = (max(1, round(width * factor)), max(1, round(height * factor)))
    small = cv2.resize(rgb, work, interpolation=cv2.INTER_AREA) if factor < 1 else rgb
    work_scale = max(work) / 1024
    smooth = cv2.medianBlur(small, 5 if max(work) > 400 else 3)
    for _ in range(3):
        smooth = cv2.bilateralFilter(smooth, max(5, round(9 * work_scale) | 1), 32, max(2.0, 7 * work_scale))
    lab = _lab(smooth)
    palette = fit_palette(lab, 2 * levels, fixed=_skin_inks(lab, portrait.face_boxes(small)))
    inks = palette.copy()
    inks[:, 0] /= np.float32(_LIGHTNESS_WEIGHT)
    inks[:, 1:] *= np.float32(1.12)
    deep = inks * np.float32([0.45, 0.8, 0.8])  # each ink's outline: the same hue, darker
    colours = shared.from_unit(cv2.cvtColor(np.concatenate([inks, deep])[None], cv2.COLOR_Lab2RGB)[0])
    lut = _nearest_lut(palette)
    # Features (eyes, mouth, lettering): dark thin lines of the flattened photo, a difference of
    # Gaussians of its lightness, drawn like the outlines.
    gray = cv2.cvtColor(smooth, cv2.COLOR_RGB2GRAY).astype(np.float32)
    sigma = max(0.8, 1.2 * work_scale)
    features = cv2.GaussianBlur(gray, (0, 0), sigma * 1.6) - cv2.GaussianBlur(gray, (0, 0), sigma)
    if factor < 1:
        features = cv2.resize(features, (width, height), interpolation=cv2.INTER_LINEAR)
    up = cv2.resize(smooth, (width, height), interpolation=cv2.INTER_CUBIC) if factor < 1 else smooth
    shift = 8 - _LUT_BITS

    def assign(start: int, stop: int) -> np.ndarray:
        cell = up[start:stop] >> shift
        index = cell[..., 0].astype(np.int32) << (2 * _LUT_BITS)
        index |= cell[..., 1].astype(np.int32) << _LUT_BITS
        index |= cell[..., 2]
        return lut[index]

    labels = by_strips(assign, (height, width))
    scale = shared.scale(rgb)
    labels = cv2.medianBlur(labels, max(3, round(3 * scale) | 1))  # no one-pixel islands
    lightness = palette[:, 0][labels]
    reach = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (max(2, round(2 * scale)),) * 2)
    outline = cv2.dilate(lightness, reach) - lightness > 18 * _LIGHTNESS_WEIGHT  # the darker side of a strong step
    outline |= features > 5
    labels[outline] += np.uint8(len(palette))
    return colours[labels]


def pixelate(rgb: np.ndarray, block_size: int) -> np.ndarray:
    height, width = rgb.shape[:2]
    small = cv2.resize(
        rgb, (max(1, -(-width // block_size)), max(1, -(-height // block_size))), interpolation=cv2.INTER_AREA
    )
    # Each small pixel becomes one block_size x block_size block, aligned to the top-left corner.
    blocks = np.repeat(np.repeat(small, block_size, axis=0), block_size, axis=1)
    return np.ascontiguousarray(blocks[:height, :width])
