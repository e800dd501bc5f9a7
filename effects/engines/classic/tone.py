"""Tone, colour and block effects: grayscale, sepia, vintage, HDR, posterize, pixelate."""

from __future__ import annotations

import math

import cv2
import numpy as np

from effects.engines.classic import shared
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
