"""Brush-stroke building blocks of the painterly effects: the local stroke direction (smoothed
structure tensor), a generalized Kuwahara filter that flattens colour into paint dabs with clean
edges, smoothing along the stroke direction, and a bristle texture that follows the shapes.

Everything works on float32 images at the effects' reduced working size. Pure: numpy and OpenCV.
"""

from __future__ import annotations

import cv2
import numpy as np

_SECTORS = 8
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def stroke_direction(gray: np.ndarray, sigma: float) -> np.ndarray:
    """Per pixel, the angle along the edges (radians), from the smoothed structure tensor.

    Where the photo has no clear edge (a sky, a wall) the direction would follow pixel noise and
    the strokes would cross-hatch; a weak pull towards one diagonal makes such areas painted with
    parallel strokes, as a painter would, while real edges keep their own direction.
    """
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), sigma)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), sigma)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), sigma)
    pull = np.float32(0.08) * float(np.mean(jxx + jyy)) + np.float32(1e-4)
    # The pull is the tensor of a gradient across the rising diagonal (strokes from bottom left to top right).
    jxy -= pull / 2
    return (0.5 * np.arctan2(2 * jxy, jxx - jyy) + np.float32(np.pi / 2)).astype(np.float32)


def _sector_kernels(radius: int) -> list[np.ndarray]:
    """Eight overlapping pie-slice weights of a disc (smooth in angle and radius), summing to a
    radial Gaussian: the generalized Kuwahara filter's neighbourhoods (Papari et al. 2007)."""
    span = np.arange(-radius, radius + 1, dtype=np.float32)
    x, y = np.meshgrid(span, span)
    theta = np.arctan2(y, x)
    radial = np.exp(-(x * x + y * y) / (2 * (radius / 2) ** 2)) * (x * x + y * y <= (radius + 0.5) ** 2)
    width = np.pi / _SECTORS
    slices = []
    for index in range(_SECTORS):
        delta = np.angle(np.exp(1j * (theta - index * 2 * np.pi / _SECTORS)))
        slices.append(np.exp(-(delta**2) / (2 * width**2)))
    total = np.sum(slices, axis=0)
    kernels = []
    for piece in slices:
        kernel = (piece / total * radial).astype(np.float32)
        kernels.append(kernel / kernel.sum())
    return kernels


def kuwahara(rgb: np.ndarray, radius: int, sharpness: float) -> np.ndarray:
    """Generalized Kuwahara filter of a float32 RGB image in [0, 1]: each pixel takes the mean of
    the neighbourhood sectors whose lightness varies least, so areas flatten into dabs while edges
    (where one side is uniform) stay where they are, clean. ``sharpness`` is the weighting exponent:
    higher, crisper dabs."""
    lightness = rgb @ _LUMA
    stack = np.dstack([rgb, lightness * lightness])  # one 4-channel filter per sector
    means, spreads = [], []
    for kernel in _sector_kernels(radius):
        moments = cv2.filter2D(stack, -1, kernel, borderType=cv2.BORDER_REFLECT)
        colour = moments[..., :3]
        mean_light = colour @ _LUMA
        spread = np.maximum(moments[..., 3] - mean_light * mean_light, 0)
        means.append(colour)
        spreads.append(np.sqrt(spread) + np.float32(0.004))
    floor = np.minimum.reduce(spreads)
    total = np.zeros_like(floor)
    out = np.zeros_like(rgb)
    for colour, spread in zip(means, spreads, strict=True):
        weight = (floor / spread) ** np.float32(sharpness)  # 1 for the calmest sector, less for the others
        total += weight
        out += colour * weight[..., None]
    return out / total[..., None]


def along_strokes(image: np.ndarray, angle: np.ndarray, length: float) -> np.ndarray:
    """``image`` smoothed along the local stroke direction (a short line integral: samples at
    steps of one pixel both ways along the direction, Gaussian-weighted over ``length`` pixels)."""
    height, width = angle.shape
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    dx, dy = np.cos(angle), np.sin(angle)
    steps = max(1, round(length / 2))
    sigma = max(1.0, length / 4)
    out = image.copy()
    total = 1.0
    for step in range(1, steps + 1):
        weight = float(np.exp(-(step**2) / (2 * sigma**2)))
        for sign in (1, -1):
            sample = cv2.remap(
                image, xs + sign * step * dx, ys + sign * step * dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
            )
            out += np.float32(weight) * sample
            total += 2 * weight if sign == 1 else 0
    return out / np.float32(total)


def bristles(angle: np.ndarray, length: int, width: float, seed: int) -> np.ndarray:
    """Noise smeared along the stroke direction: bristle marks that follow the shapes (~unit std)."""
    noise = np.random.default_rng(seed).standard_normal(angle.shape, dtype=np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), max(0.6, width))
    texture = along_strokes(noise, angle, length)
    return texture / max(float(np.std(texture)), 1e-6)
