"""Building blocks the classic effects share: colour conversions, float round trips, size-relative
scales, deterministic noise, a vignette mask and a blur whose cost does not grow with its width."""

from __future__ import annotations

import cv2
import numpy as np


def gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(image, 0, 255).astype(np.uint8)


def unit(rgb: np.ndarray) -> np.ndarray:
    """uint8 -> float32 in [0, 1]."""
    return rgb.astype(np.float32) * np.float32(1 / 255)


def from_unit(image: np.ndarray) -> np.ndarray:
    """float32 in [0, 1] -> uint8. Works in place: ``image`` is a temporary of the caller."""
    image *= 255
    image += 0.5
    np.clip(image, 0, 255, out=image)
    return image.astype(np.uint8)


def scale(rgb: np.ndarray) -> float:
    """Image size relative to a 1024 px long side: texture and stroke sizes are multiplied by it."""
    return max(rgb.shape[:2]) / 1024


def noise(shape: tuple[int, int], cell: float, seed: int) -> np.ndarray:
    """Smooth zero-mean, unit-ish float32 noise whose grain is ``cell`` pixels (deterministic)."""
    height, width = shape
    cell = max(cell, 1.0)
    small = (max(2, round(height / cell) + 1), max(2, round(width / cell) + 1))
    base = np.random.default_rng(seed).standard_normal(small, dtype=np.float32)
    return cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC if cell > 1 else cv2.INTER_NEAREST)


def vignette_mask(height: int, width: int, strength: float, power: float = 2.0) -> np.ndarray:
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    distance = np.sqrt(xs**2 + ys**2) / np.float32(np.sqrt(2.0))  # 0 at the centre, 1 in the corners
    return 1.0 - np.float32(strength) * np.clip(distance, 0, 1) ** power


def wide_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur whose cost does not grow with ``sigma``: a wide blur has no fine detail, so
    it is computed on a copy shrunk by up to sigma/3 and scaled back up (same dtype and size)."""
    factor = max(1, min(16, int(sigma / 3)))
    if factor == 1:
        return cv2.GaussianBlur(image, (0, 0), max(sigma, 0.3))
    height, width = image.shape[:2]
    small = cv2.resize(image, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / factor)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
