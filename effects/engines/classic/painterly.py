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
    # and saturation are kept: no grey emboss). Built at most at 896 px and upscaled: strokes are
    # bigger than pixels, and it keeps a 2048 px photo at about a third of a second.
    height, width = rgb.shape[:2]
    work = _work_size(rgb, 896)
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
    paint = strokes.along_strokes(_resize(dabs, work, down=False), angle, 2 * radius + 1, spacing=2.0)
    # Faces: a brush sized to the face (a small face would lose its eyes under the big brush) and
    # shorter strokes, blended in over a soft face mask.
    boxes = portrait.face_boxes(small)
    face = portrait.face_mask(gray.shape, boxes)
    for x0, y0, x1, y1 in boxes:
        brush = max(1, min(radius, round((x1 - x0) / 60)))
        fine = strokes.kuwahara(image[y0:y1, x0:x1], brush, sharpness)
        fine = strokes.along_strokes(fine, angle[y0:y1, x0:x1], brush + 1)
        weight = face[y0:y1, x0:x1, None]
        paint[y0:y1, x0:x1] += (fine - paint[y0:y1, x0:x1]) * weight
    # The photo's fine lightness detail (eyes, lettering) is laid back, as a painter's small brush
    # would, more on faces: a band-pass, so features return and pixel noise does not.
    detail = cv2.GaussianBlur(gray, (0, 0), 0.8 * max(1.0, work_scale)) - shared.wide_blur(gray, radius * 0.7)
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


_WATER_PAPER = np.array([250, 247, 240], dtype=np.float32) / 255  # cold-pressed watercolour paper


def _washes(small: np.ndarray, wash: float, boxes: list, face: np.ndarray) -> np.ndarray:
    """The flat washes at the working size (float32 RGB in [0, 1]): an edge-preserving flattening
    (bilateral, then a generalized Kuwahara filter: areas become washes, edges stay put), lighter
    over faces so eyes and mouth keep their shape, with borders made irregular like wet paint."""
    work_scale = max(small.shape[:2]) / 1024
    base = small
    for _ in range(2):
        base = cv2.bilateralFilter(base, max(5, round(9 * work_scale) | 1), 20 + 20 * wash, max(2.0, 5 * work_scale))
    image = shared.unit(base)
    # The washes' brush is (4 + 6 x wash) px per 1024; the filter runs on a copy shrunk so that it
    # is at most 4 px there (its cost grows with the area and, past 9x9 kernels, steeply).
    height, width = image.shape[:2]
    brush = (4 + 6 * wash) * work_scale
    factor = min(1.0, 4 / brush)
    reduced = (max(1, round(width * factor)), max(1, round(height * factor)))
    washes = strokes.kuwahara(_resize(image, reduced, down=True), max(2, round(brush * factor)), 8)
    # A median after the upscale rounds off the shrunk copy's pixel steps along diagonal edges.
    washed = _resize(shared.from_unit(washes), (width, height), down=False)
    washed = shared.unit(cv2.medianBlur(washed, max(3, round(5 * work_scale) | 1)))
    for x0, y0, x1, y1 in boxes:  # faces: a small brush, blended in over the soft face mask
        fine = strokes.kuwahara(image[y0:y1, x0:x1], max(1, round(2 * work_scale)), sharpness=8)
        washed[y0:y1, x0:x1] += (fine - washed[y0:y1, x0:x1]) * face[y0:y1, x0:x1, None]
    # Wet borders wander: the washes are displaced by a slow, smooth noise field of a few pixels.
    reach = np.float32(0.4 + 0.8 * wash) * max(1.0, work_scale)
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    shift_x = shared.noise((height, width), 60 * work_scale, seed=31) * reach
    shift_y = shared.noise((height, width), 60 * work_scale, seed=32) * reach
    keep = 1 - face  # faces keep their outline
    return cv2.remap(washed, xs + shift_x * keep, ys + shift_y * keep, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def watercolor(rgb: np.ndarray, wash: float, edges: float, grain: float) -> np.ndarray:
    # Transparent washes over paper. The photo is flattened into washes (edge-preserving, a finer
    # brush on faces) whose borders wander like wet paint; pigment gathers where a wash dries, so
    # each wash's rim is a deeper shade of its own colour; granulating pigment settles in the
    # paper's grain, mostly where the wash is dense; a faint pencil underdrawing keeps busy scenes
    # and eyes legible. Colour is light and transparent: paper white in the highlights, no black.
    height, width = rgb.shape[:2]
    work = _work_size(rgb, 800)
    small = _resize(rgb, work, down=True) if work != (width, height) else rgb
    work_scale = max(work) / 1024
    boxes = portrait.face_boxes(small)
    face = portrait.face_mask(small.shape[:2], boxes)
    washed = _washes(small, wash, boxes, face)
    lightness = cv2.cvtColor(washed, cv2.COLOR_RGB2GRAY)
    # Rims: where the wash changes, on both sides of the border, a few pixels wide.
    rim_sigma = max(1.0, 2.0 * work_scale)
    rim = np.abs(lightness - cv2.GaussianBlur(lightness, (0, 0), rim_sigma))
    # Softened, so a rim never shows the pixel steps of the shrunk washes along a hard edge.
    rim = cv2.GaussianBlur(np.clip(rim * np.float32(9), 0, 1), (0, 0), max(0.8, work_scale))
    # Underdrawing: a difference of Gaussians of the photo's lightness, thin, darker on faces.
    gray = shared.unit(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
    fine = max(0.7, 0.9 * work_scale)
    dog = cv2.GaussianBlur(gray, (0, 0), fine) - cv2.GaussianBlur(gray, (0, 0), fine * 2.2)
    line = np.clip((-dog - 0.012) * 18, 0, 1) * (np.float32(0.35) + np.float32(0.35) * face)
    washed = shared.from_unit(np.clip(washed, 0, 1))
    if work != (width, height):
        washed = _resize(washed, (width, height), down=False)
        rim = _resize(rim, (width, height), down=False)
        line = _resize(line, (width, height), down=False)
    # Density of pigment above one layer: rims, a slow flow of pigment, granulation in the grain.
    scale = shared.scale(rgb)
    paper = shared.noise((height, width), max(1.6, 1.8 * scale), seed=5)
    paper += shared.noise((height, width), max(3.5, 4 * scale), seed=6)
    paper *= np.float32(0.5)
    density = shared.noise((height, width), 70 * scale, seed=3)
    density *= np.float32(0.12)
    density += np.float32(1.0)
    rim *= np.float32(0.6 * edges)
    density += rim
    del rim
    granulation = np.float32(0.13 * grain) * paper
    paper_tooth = np.float32(1) - np.float32(0.035 * grain) * np.maximum(paper, 0)
    del paper

    def paint(start: int, stop: int) -> np.ndarray:
        # Transmittance model: a wash lets through ``colour`` of the light per layer, so a density
        # d gives colour ** d: darker, the same hue, never black. Washes are thinned (lifted
        # towards white) as transparent watercolour is, and slightly richer in colour.
        colour = shared.unit(washed[start:stop])
        luma = colour @ np.float32([0.299, 0.587, 0.114])
        colour -= luma[..., None]
        colour *= np.float32(1.15)
        colour += luma[..., None]
        np.clip(colour, 0.004, 1, out=colour)
        colour *= np.float32(0.74)
        colour += np.float32(0.26)
        # Granulation shows most in mid-tone washes (none on bare paper, little in the darkest).
        rows = density[start:stop] + granulation[start:stop] * (luma * (1 - luma) * 4)
        cv2.log(colour, dst=colour)  # OpenCV's log and exp: several times faster than numpy's
        colour *= rows[..., None]
        cv2.exp(colour, dst=colour)
        colour *= _WATER_PAPER
        colour *= (paper_tooth[start:stop] * (1 - np.float32(0.55) * line[start:stop]))[..., None]
        return shared.from_unit(colour)

    return by_strips(paint, washed.shape)


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
