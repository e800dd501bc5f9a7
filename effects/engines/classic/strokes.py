"""Brush-stroke building blocks of the painterly effects: the local stroke direction (smoothed
structure tensor), a generalized Kuwahara filter that flattens colour into paint dabs with clean
edges, smoothing along the stroke direction, and a bristle texture that follows the shapes.

Everything works on float32 images at the effects' reduced working size. Pure: numpy and OpenCV.
"""

from __future__ import annotations

import cv2
import numpy as np

from effects.engines.classic import shared

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
    jxx = shared.wide_blur(gx * gx, sigma)
    jyy = shared.wide_blur(gy * gy, sigma)
    jxy = shared.wide_blur(gx * gy, sigma)
    pull = np.float32(0.2) * float(np.mean(jxx + jyy)) + np.float32(1e-4)
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


def kuwahara(rgb: np.ndarray, radius: int, sharpness: int) -> np.ndarray:
    """Generalized Kuwahara filter of a float32 RGB image in [0, 1]: each pixel takes the mean of
    the neighbourhood sectors whose lightness varies least, so areas flatten into dabs while edges
    (where one side is uniform) stay where they are, clean. ``sharpness`` (even) is the weighting
    exponent on the sectors' standard deviations: higher, crisper dabs."""
    lightness = cv2.transform(rgb, _LUMA[None])
    stack = cv2.merge([rgb, lightness * lightness])  # one 4-channel filter per sector
    # Per sector, [mean lightness, mean squared lightness] from its four moments.
    lightness_moments = np.array([[*_LUMA, 0], [0, 0, 0, 1]], np.float32)
    means, variances = [], []
    for kernel in _sector_kernels(radius):
        moments = cv2.filter2D(stack, -1, kernel, borderType=cv2.BORDER_REFLECT)
        mean, square = cv2.split(cv2.transform(moments, lightness_moments))
        variance = np.maximum(square - mean * mean, 0)
        variance += np.float32(0.004**2)
        means.append(moments)
        variances.append(variance)
    floor = np.minimum.reduce(variances)
    total = np.zeros_like(floor)
    out = np.zeros_like(means[0])
    for moments, variance in zip(means, variances, strict=True):
        # (floor / variance) ** (sharpness / 2): 1 for the calmest sector, less for the others.
        weight = _power(np.divide(floor, variance, out=variance), sharpness // 2)
        total += weight
        moments *= weight[..., None]
        out += moments
    colour = out[..., :3] / total[..., None]
    return np.ascontiguousarray(colour)


def _power(base: np.ndarray, exponent: int) -> np.ndarray:
    """``base ** exponent`` for a whole exponent, by squaring (a float power is several times slower)."""
    result = np.ones_like(base)
    square = base.copy()
    while exponent:
        if exponent & 1:
            result *= square
        exponent >>= 1
        if exponent:
            square *= square
    return result


def along_strokes(image: np.ndarray, angle: np.ndarray, length: float, spacing: float = 1.0) -> np.ndarray:
    """``image`` smoothed along the local stroke direction (a short line integral: samples every
    ``spacing`` pixels both ways along the direction, Gaussian-weighted over ``length`` pixels)."""
    height, width = angle.shape
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    dx, dy = np.cos(angle) * np.float32(spacing), np.sin(angle) * np.float32(spacing)
    steps = max(1, round(length / (2 * spacing)))
    sigma = max(1.0, length / 4)
    out = image.copy()
    total = 1.0
    for step in range(1, steps + 1):
        weight = float(np.exp(-((step * spacing) ** 2) / (2 * sigma**2)))
        for sign in (step, -step):
            sample = cv2.remap(image, xs + sign * dx, ys + sign * dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            sample *= np.float32(weight)
            out += sample
        total += 2 * weight
    out /= np.float32(total)
    return out


def bristles(angle: np.ndarray, length: int, width: float, seed: int) -> np.ndarray:
    """Noise smeared along the stroke direction: bristle marks that follow the shapes (~unit std)."""
    noise = np.random.default_rng(seed).standard_normal(angle.shape, dtype=np.float32)
    noise = cv2.GaussianBlur(noise, (0, 0), max(0.6, width))
    texture = along_strokes(noise, angle, length, spacing=1.5)
    return texture / max(float(np.std(texture)), 1e-6)
