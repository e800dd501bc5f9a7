"""Painterly looks: oil paint, watercolour, cartoon and pencil sketch. Strokes and washes are built at a
reduced working size (a brush never follows every pixel) and scaled back up."""

from __future__ import annotations

import cv2
import numpy as np

from effects.engines.classic import portrait, shared, strokes
from effects.engines.strips import by_strips

_PAINT_SIDE = 1024  # painterly effects build their strokes at most at this long side, then upscale


def _resize(image: np.ndarray, size: tuple[int, int], *, down: bool) -> np.ndarray:
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if down else cv2.INTER_CUBIC)


def _work_size(rgb: np.ndarray, limit: int = _PAINT_SIDE) -> tuple[int, int]:
    height, width = rgb.shape[:2]
    factor = min(1.0, limit / max(height, width))
    return max(1, round(width * factor)), max(1, round(height * factor))


def oil_paint(rgb: np.ndarray, size: int, dyn_ratio: int, relief: float) -> np.ndarray:
    # Paint dabs: a generalized Kuwahara filter flattens the photo into dabs whose borders follow
    # the photo's edges cleanly (each pixel takes the calmest side of its neighbourhood), then the
    # dabs are drawn out along the local stroke direction (the smoothed structure tensor), so they
    # read as strokes that follow the shapes. Faces get a finer brush. Impasto: a bristle texture
    # along the same direction, lit from the top left, changes the paint's lightness only (colour
    # and saturation are kept: no grey emboss). Built at most at 1024 px and upscaled.
    height, width = rgb.shape[:2]
    work = _work_size(rgb, 1024)
    small = _resize(rgb, work, down=True) if work != (width, height) else rgb
    work_scale = max(work) / 1024
    radius = max(2, round(size * 0.8 * work_scale))
    image = shared.unit(small)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    angle = strokes.stroke_direction(gray, max(2.0, radius * 1.2))
    sharpness = 4 + 2 * dyn_ratio
    # The dabs are found at 3/4 of the working size (the filter's cost grows with the area) and
    # drawn out along the strokes at the working size, which also smooths the upscale.
    dab_size = (max(1, round(work[0] * 0.75)), max(1, round(work[1] * 0.75)))
    dabs = strokes.kuwahara(_resize(image, dab_size, down=True), max(2, round(radius * 0.75)), sharpness)
    paint = strokes.along_strokes(_resize(dabs, work, down=False), angle, 2 * radius + 1)
    # Faces: a brush a third of the size and shorter strokes, blended in over a soft face mask.
    boxes = portrait.face_boxes(small)
    face = portrait.face_mask(gray.shape, boxes)
    for x0, y0, x1, y1 in boxes:
        fine = strokes.kuwahara(image[y0:y1, x0:x1], max(1, radius // 3), sharpness)
        fine = strokes.along_strokes(fine, angle[y0:y1, x0:x1], max(2, radius // 2))
        weight = face[y0:y1, x0:x1, None]
        paint[y0:y1, x0:x1] += (fine - paint[y0:y1, x0:x1]) * weight
    # The photo's fine lightness detail (eyes, lettering) is laid back, as a painter's small brush
    # would, more on faces: a band-pass, so features return and pixel noise does not.
    detail = cv2.GaussianBlur(gray, (0, 0), 0.8 * max(1.0, work_scale)) - cv2.GaussianBlur(gray, (0, 0), radius * 0.7)
    detail *= np.float32(0.4) + np.float32(0.4) * face
    paint += detail[..., None]
    # Impasto: bristle ridges plus the dabs' own thickness, lit from the top left; faces stay smooth.
    bristle = strokes.bristles(angle, 3 * radius + 1, 0.6 * max(1.0, work_scale), seed=11)
    thickness = cv2.GaussianBlur(cv2.cvtColor(np.clip(paint, 0, 1), cv2.COLOR_RGB2GRAY), (0, 0), 1.0)
    height_map = np.float32(0.2) * thickness + np.float32(0.025) * bristle
    gx = cv2.Sobel(height_map, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(height_map, cv2.CV_32F, 0, 1, ksize=3)
    light = np.float32(relief * 1.6 * min(1.0, max(work) / 512)) * (1 - np.float32(0.7) * face)
    shade = 1.0 - light * (gx + gy)
    np.clip(shade, 0.75, 1.25, out=shade)
    paint = shared.from_unit(np.clip(paint, 0, 1))
    if work != (width, height):
        paint = _resize(paint, (width, height), down=False)
        shade = _resize(shade, (width, height), down=False)

    def lit(start: int, stop: int) -> np.ndarray:
        # Scaling RGB by one factor changes lightness and keeps hue and saturation.
        return shared.to_uint8(paint[start:stop] * shade[start:stop, :, None])

    return by_strips(lit, paint.shape)


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
        lambda start, stop: cv2.cvtColor(shared.unit(soft[start:stop]), cv2.COLOR_RGB2GRAY),
        (height, width),
        dtype=np.float32,
    )
    # Rims of the washes: where the wash differs from its surroundings, a little inside the shape.
    rim_sigma = max(1.0, max(height, width) / 400)
    rim = shared.wide_blur(lum, rim_sigma * 2)
    np.subtract(lum, rim, out=rim)
    del lum
    np.abs(rim, out=rim)
    rim *= np.float32(8)
    np.clip(rim, 0, 1, out=rim)
    # Pigment density: >1 deepens the colour like a second layer of the same paint.
    scale = shared.scale(rgb)
    paper = shared.noise((height, width), 1.6 * scale, seed=5)
    paper += shared.noise((height, width), 5 * scale, seed=6)
    paper *= np.float32(0.5)
    extra = shared.noise((height, width), 90 * scale, seed=3)  # the density above 1: flow, rims, grain
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
        light = shared.unit(soft[start:stop])
        light *= np.float32(0.78)
        light += np.float32(0.22)
        painted = light - (light - light * light) * extra[start:stop, :, None]
        painted -= paper[start:stop, :, None]
        return shared.from_unit(painted)

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
    lab = cv2.cvtColor(shared.unit(flat), cv2.COLOR_RGB2Lab)  # L 0..100, a/b about -100..100
    lightness = lab[..., 0]
    step = np.float32(100 / max(colors - 1, 1))
    nearest = np.round(lightness / step) * step
    sharpness = np.float32(8.0 / step)
    lab[..., 0] = nearest + step / 2 * np.tanh(sharpness * (lightness - nearest))
    lab[..., 1:] *= np.float32(1.15)  # cel colours read a little more saturated
    # Outlines: where the smoothed lightness drops across an edge (thin, at ~edge_size/7 px per 1024).
    sigma = max(0.7, edge_size / 7 * max(work) / 640)
    smoothed = cv2.bilateralFilter(cv2.medianBlur(small, 3), 7, 30, 7)
    source_l = cv2.cvtColor(shared.unit(smoothed), cv2.COLOR_RGB2Lab)[..., 0]
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
        return shared.from_unit(colour + (inked - colour) * line[start:stop, :, None])

    return by_strips(ink, toon.shape)


_PAPER = np.array([246, 242, 232], dtype=np.float32) / 255  # warm drawing paper


_GRAPHITE = np.array([58, 60, 66], dtype=np.float32) / 255  # graphite is a cool dark grey, never black


def pencil_sketch(rgb: np.ndarray, color: bool, shade: float) -> np.ndarray:
    # Contours: a colour dodge of the grey image by its blurred negative. Tone: diagonal hatching
    # (noise smeared at 45 degrees) laid where the photo is dark, stronger with ``shade``. Both are
    # graphite on warm paper, and the paper's tooth breaks the strokes up like a real pencil.
    height, width = rgb.shape[:2]
    scale = shared.scale(rgb)
    gray = cv2.GaussianBlur(shared.gray(rgb), (0, 0), max(0.6, 0.7 * scale)).astype(np.float32)
    sigma = max(2.0, min(height, width) / 60)
    blurred = shared.wide_blur(255 - gray, sigma)
    dodge = np.clip(gray * 255 / np.maximum(255 - blurred, 1), 0, 255) * np.float32(1 / 255)
    lines = np.clip((1 - dodge) * (2.5 + shade * 25), 0, 1)
    # Hatching: strokes ~12 px long per 1024 px, only in the darker half of the tones.
    length = max(5, round(12 * scale) | 1)
    kernel = np.eye(length, dtype=np.float32)[::-1] / length
    strokes = cv2.filter2D(shared.noise((height, width), max(1.0, 0.8 * scale), seed=21), -1, kernel)
    strokes = np.clip(strokes * np.float32(np.sqrt(length)) * 0.5 + 0.5, 0, 1)
    tone = np.clip((1 - shared.wide_blur(gray, 2 * scale) / 255 - 0.35) * 1.6, 0, 1)
    hatching = tone * strokes * np.float32(0.35 + 4 * shade)
    tooth = 1 + shared.noise((height, width), max(1.0, 1.2 * scale), seed=22) * np.float32(0.25)
    darkness = np.clip((1 - (1 - lines) * (1 - hatching)) * tooth, 0, 1)
    del lines, hatching, tooth
    # Coloured pencils take the photo's (slightly deepened) colour; graphite is one grey.
    colours = cv2.GaussianBlur(rgb, (0, 0), max(1.0, scale)) if color else None

    def draw(start: int, stop: int) -> np.ndarray:
        pigment = shared.unit(colours[start:stop]) * np.float32(0.75) if colours is not None else _GRAPHITE
        return shared.from_unit(_PAPER + (pigment - _PAPER) * darkness[start:stop, :, None])

    return by_strips(draw, rgb.shape)
