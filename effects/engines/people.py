"""The people effects: cut-outs, backdrops, hidden faces and avatars, on the people
:mod:`effects.engines.subjects` finds and outlines.

Pure: no Django. An effect that needs a person raises
:class:`~effects.engines.subjects.NoSubjectError` (``NO_SUBJECT``) when there is none.
"""

from __future__ import annotations

import cv2
import numpy as np

from effects.engines import faces
from effects.engines.faces import Face
from effects.engines.strips import by_strips
from effects.engines.subjects import (
    find_people,
    main_face,
    on_upright,
    person_probability,
    refine_matte,
    subject_mask,
    subject_matte,
    turned,
)

# --- Colour at the edges --------------------------------------------------------------------


def _normalised_blur(image: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """The weighted local mean of ``image``: colours of the weighted pixels spread into their surroundings.

    A wide blur is smooth, so it is computed on a smaller copy and scaled back up (much faster).
    """
    height, width = image.shape[:2]
    factor = max(1.0, sigma / 3)
    size = (max(1, round(width / factor)), max(1, round(height / factor)))
    small_sigma = sigma * size[0] / width
    weighted = cv2.resize(image * weight[..., None], size, interpolation=cv2.INTER_AREA)
    total = cv2.resize(weight, size, interpolation=cv2.INTER_AREA)
    plain = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    weighted = cv2.GaussianBlur(weighted, (0, 0), sigmaX=small_sigma)
    total = cv2.GaussianBlur(total, (0, 0), sigmaX=small_sigma)[..., None]
    plain = cv2.GaussianBlur(plain, (0, 0), sigmaX=small_sigma)
    mean = np.where(total > 1e-3, weighted / np.maximum(total, 1e-3), plain)
    if size != (width, height):
        mean = cv2.resize(mean, (width, height), interpolation=cv2.INTER_LINEAR)
    return mean


def _shrink(image: np.ndarray, long_side: int = 512) -> np.ndarray:
    height, width = image.shape[:2]
    scale = min(1.0, long_side / max(height, width))
    if scale == 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _sample(field: np.ndarray, shape: tuple[int, ...], where: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Values of a low-resolution ``field`` (covering an image of ``shape``) at the full-resolution
    pixels ``where`` (rows, columns), bilinearly: cheaper than scaling the whole field up."""
    rows, cols = where
    count = len(rows)
    fy, fx = field.shape[0] / shape[0], field.shape[1] / shape[1]
    # remap wants maps under 32767 on a side: lay the points out 1024 to a row.
    pad = (-count) % 1024
    map_x = np.pad(((cols + 0.5) * fx - 0.5).astype(np.float32), (0, pad)).reshape(-1, 1024)
    map_y = np.pad(((rows + 0.5) * fy - 0.5).astype(np.float32), (0, pad)).reshape(-1, 1024)
    sampled = cv2.remap(field, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return sampled.reshape(count + pad, -1)[:count]


def foreground_colours(rgb: np.ndarray, matte: np.ndarray) -> np.ndarray:
    """The person's own colours where the matte is partial (hair, edges), without the old
    background's colour mixed in: solve I = a*F + (1-a)*B with B the local background colour,
    and fall back to the nearby solid person where a is too small to solve for."""
    image = rgb.astype(np.float32)
    band = np.nonzero((matte > 0.002) & (matte < 0.98))
    if not len(band[0]):
        return image
    # The local colours are smooth fields: estimated at up to 512 pixels, sampled on the band.
    small = _shrink(image)
    small_matte = _shrink(matte)
    sigma = max(2.0, max(small.shape) / 200)
    background = _sample(_normalised_blur(small, (small_matte < 0.05).astype(np.float32), sigma), rgb.shape, band)
    person = _sample(_normalised_blur(small, (small_matte > 0.95).astype(np.float32), sigma), rgb.shape, band)
    pixels = image[band]
    alpha = matte[band][:, None]
    solved = np.clip((pixels - (1 - alpha) * background) / np.maximum(alpha, 1e-3), 0, 255)
    trust = np.clip((alpha - 0.15) / 0.5, 0, 1)  # 0 below a=0.15, 1 above a=0.65
    image[band] = solved * trust + person * (1 - trust)
    return image


def composite(
    foreground: np.ndarray, matte: np.ndarray, backdrop: np.ndarray, *, light_wrap: float, harmonise: float
) -> np.ndarray:
    """The person over a new backdrop (float32 RGB). ``light_wrap`` lets the backdrop's light spill
    over the person's outline; ``harmonise`` pulls the person's overall tint towards the backdrop's.
    The smooth parts (tint, glow) are computed at low resolution. The result is written over
    ``foreground`` (a float32 array of the caller's, such as :func:`foreground_colours` returns),
    which saves a full-size copy."""
    if harmonise > 0:
        # Means over every 8th pixel: plenty for an average colour.
        sparse_matte = matte[::8, ::8, None]
        person_mean = (foreground[::8, ::8] * sparse_matte).sum((0, 1)) / max(float(sparse_matte.sum()), 1.0)
        backdrop_mean = backdrop[::8, ::8].reshape(-1, 3).mean(0)
    inverse = 1 - matte
    out = cv2.blendLinear(foreground, np.ascontiguousarray(backdrop, dtype=np.float32), matte, inverse, dst=foreground)
    if harmonise > 0:
        # The tint shift of the person, added after the blend in proportion to the matte: the same as
        # blending a shifted copy of the foreground, without that full-size copy.
        shift = harmonise * 0.25 * (backdrop_mean - person_mean)
        for channel in range(3):
            out[..., channel] += np.float32(shift[channel]) * matte
    if light_wrap > 0:
        small_inverse = _shrink(inverse)
        sigma = max(2.0, max(small_inverse.shape) / 150)
        outside = cv2.GaussianBlur(small_inverse, (0, 0), sigmaX=sigma)
        glow = _normalised_blur(_shrink(np.ascontiguousarray(backdrop)), small_inverse, sigma)
        # The wrap lives on the person's side of the outline: only those pixels are touched.
        height, width = matte.shape
        near = cv2.resize((outside > 0.002).astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST)
        rim = np.nonzero(near.view(bool) & (matte > 0.002))
        wrap = light_wrap * _sample(outside, matte.shape, rim) * matte[rim][:, None]
        out[rim] = out[rim] * (1 - wrap) + _sample(glow, matte.shape, rim) * wrap
    return np.clip(out, 0, 255, out=out)


# --- Backdrops ------------------------------------------------------------------------------


def parse_colour(value: str) -> np.ndarray:
    """``#rrggbb`` -> float32 RGB."""
    return np.array([int(value[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


def backdrop_for(rgb: np.ndarray, matte: np.ndarray, *, kind: str, colour: str, colour2: str, blur: int) -> np.ndarray:
    """A studio backdrop the size of the photo (float32 RGB): ``solid``, ``gradient`` (a soft light
    behind the subject fading to ``colour2`` at the edges) or ``blur`` (the photo's own background,
    blurred without the person's colours bleeding in)."""
    height, width = rgb.shape[:2]
    if kind == "solid":
        return np.full((height, width, 3), parse_colour(colour), dtype=np.float32)
    if kind == "gradient":
        # Smooth: drawn at up to 256 pixels and scaled up.
        scale = min(1.0, 256 / max(height, width))
        h, w = max(2, round(height * scale)), max(2, round(width * scale))
        ys = (np.arange(h, dtype=np.float32)[:, None] - h * 0.4) / max(h, w)
        xs = (np.arange(w, dtype=np.float32)[None, :] - w * 0.5) / max(h, w)
        t = np.clip(np.sqrt(xs**2 + ys**2) / 0.75, 0, 1)[..., None] ** 1.5
        small = parse_colour(colour) * (1 - t) + parse_colour(colour2) * t
        return cv2.resize(small.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    sigma = max(1.0, blur * max(height, width) / 1000)
    return _normalised_blur(rgb.astype(np.float32), 1 - matte, sigma).astype(np.float32)


# --- Effects --------------------------------------------------------------------------------


def background_blur(
    rgb: np.ndarray, radius: int, feather: float, threshold: float, face_score: float, min_coverage: float
) -> np.ndarray:
    """Everyone stays sharp, the background is blurred (without a halo of the people's colours)."""

    def effect(upright: np.ndarray, found: list[Face]) -> np.ndarray:
        subject = subject_mask(
            upright, found, threshold=threshold, feather=feather, face_score=face_score, min_coverage=min_coverage
        )
        return _blur_behind(upright, subject[..., None], radius)

    return on_upright(rgb, effect, face_score=face_score)


def _blur_behind(rgb: np.ndarray, subject: np.ndarray, radius: int) -> np.ndarray:
    kernel = radius * 2 + 1

    # Strip by strip, with the blur's reach as the halo: only the mask and the result are full size.
    def blur(start: int, stop: int) -> np.ndarray:
        rgb_rows, subject_rows = rgb[start:stop], subject[start:stop]
        background = 1.0 - subject_rows
        spread = cv2.GaussianBlur(rgb_rows.astype(np.float32) * background, (kernel, kernel), 0)
        weight = cv2.GaussianBlur(background, (kernel, kernel), 0)[..., None]
        fallback = cv2.GaussianBlur(rgb_rows, (kernel, kernel), 0).astype(np.float32)
        blurred = np.where(weight > 1e-3, spread / np.maximum(weight, 1e-3), fallback)
        return np.clip(rgb_rows * subject_rows + blurred * background, 0, 255).astype(np.uint8)

    return by_strips(blur, rgb.shape, halo=radius)


def background_gray(
    rgb: np.ndarray, feather: float, threshold: float, face_score: float, min_coverage: float
) -> np.ndarray:
    """Colour stays on the people only."""

    def effect(upright: np.ndarray, found: list[Face]) -> np.ndarray:
        subject = subject_mask(
            upright, found, threshold=threshold, feather=feather, face_score=face_score, min_coverage=min_coverage
        )
        subject = subject[..., None]
        gray = cv2.cvtColor(cv2.cvtColor(upright, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        return np.clip(upright * subject + gray * (1.0 - subject), 0, 255).astype(np.uint8)

    return on_upright(rgb, effect, face_score=face_score)


def remove_background(
    rgb: np.ndarray, threshold: float, edge: float, face_score: float, min_coverage: float
) -> np.ndarray:
    """Everyone cut out: RGBA, transparent background, edge colours cleaned of the old background."""

    def effect(upright: np.ndarray, found: list[Face]) -> np.ndarray:
        matte = subject_matte(
            upright, found, threshold=threshold, edge=edge, face_score=face_score, min_coverage=min_coverage
        )
        colours = foreground_colours(upright, matte)
        np.round(colours, out=colours)
        np.clip(colours, 0, 255, out=colours)
        rgba = np.empty((*matte.shape, 4), np.uint8)
        rgba[..., :3] = colours
        del colours
        rgba[..., 3] = np.round(matte * 255)
        # Fully transparent pixels carry no trace of the old background (and compress to nothing).
        rgba[rgba[..., 3] == 0] = 0
        return rgba

    return on_upright(rgb, effect, face_score=face_score)


def replace_background(
    rgb: np.ndarray,
    backdrop: str,
    color: str,
    color2: str,
    blur: int,
    light_wrap: float,
    harmonise: float,
    threshold: float,
    edge: float,
    face_score: float,
    min_coverage: float,
) -> np.ndarray:
    """Everyone over a studio backdrop, edges colour-matched to it."""

    def effect(upright: np.ndarray, found: list[Face]) -> np.ndarray:
        matte = subject_matte(
            upright, found, threshold=threshold, edge=edge, face_score=face_score, min_coverage=min_coverage
        )
        back = backdrop_for(upright, matte, kind=backdrop, colour=color, colour2=color2, blur=blur)
        out = composite(foreground_colours(upright, matte), matte, back, light_wrap=light_wrap, harmonise=harmonise)
        return out.astype(np.uint8)

    return on_upright(rgb, effect, face_score=face_score)


def _face_ellipse(face: Face, grow: float) -> tuple[tuple[float, float], tuple[float, float], float]:
    """The area to hide for a face: an ellipse over the face, grown to cover hair and ears, tilted with
    the head. Returns (centre, half axes, angle in degrees)."""
    angle = face.roll
    w, h = face.width, face.height
    theta = np.radians(angle)
    up = np.array([np.sin(theta), -np.cos(theta)])  # the head's "up", in image coordinates
    centre = np.array(face.centre) + up * 0.15 * h
    axes = (0.5 * w * (1 + grow), 0.62 * h * (1 + grow))
    return (float(centre[0]), float(centre[1])), axes, angle


def _face_masks(shape: tuple[int, ...], found: list[Face], grow: float, feather: float):
    """Per face: its bounding slice of the photo and a float mask of that slice, softened by
    ``feather`` times the face's width."""
    height, width = shape[:2]
    for face in found:
        (cx, cy), (ax, ay), angle = _face_ellipse(face, grow)
        sigma = feather * face.width
        reach = max(ax, ay) + 3 * sigma
        x0, y0 = max(0, int(cx - reach)), max(0, int(cy - reach))
        x1, y1 = min(width, int(np.ceil(cx + reach))), min(height, int(np.ceil(cy + reach)))
        if x1 <= x0 or y1 <= y0:
            continue
        mask = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
        cv2.ellipse(mask, ((cx - x0, cy - y0), (2 * ax, 2 * ay), angle), 1.0, thickness=-1, lineType=cv2.LINE_AA)
        if sigma > 0:
            mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=sigma)
        yield face, (slice(y0, y1), slice(x0, x1)), mask


def blur_faces(rgb: np.ndarray, strength: float, grow: float, min_face: float, face_score: float) -> np.ndarray:
    """Every face hidden under a heavy blur. The blur first averages the face down to a few cells
    (so it cannot be sharpened back), then smooths them; ``strength`` sets how few cells."""
    return on_upright(
        rgb,
        lambda upright, found: _blur_faces(upright, found, strength, grow),
        face_score=face_score,
        min_face=min_face / 100,
    )


def _blur_faces(rgb: np.ndarray, found: list[Face], strength: float, grow: float) -> np.ndarray:
    out = rgb.astype(np.float32)
    for face, region, mask in _face_masks(rgb.shape, found, grow, feather=0.04):
        patch = rgb[region]
        ph, pw = patch.shape[:2]
        cells = max(2.0, 12 * (1 - strength) + 2)  # across the face's width
        factor = cells / max(face.width, 1)
        tiny = cv2.resize(patch, (max(1, round(pw * factor)), max(1, round(ph * factor))), interpolation=cv2.INTER_AREA)
        smooth = cv2.resize(tiny, (pw, ph), interpolation=cv2.INTER_CUBIC).astype(np.float32)
        smooth = cv2.GaussianBlur(smooth, (0, 0), sigmaX=max(1.0, face.width / cells / 2))
        out[region] = out[region] * (1 - mask[..., None]) + smooth * mask[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def pixelate_faces(rgb: np.ndarray, blocks: int, grow: float, min_face: float, face_score: float) -> np.ndarray:
    """Every face hidden under a mosaic of ``blocks`` squares across the face's width."""
    return on_upright(
        rgb,
        lambda upright, found: _pixelate_faces(upright, found, blocks, grow),
        face_score=face_score,
        min_face=min_face / 100,
    )


def _pixelate_faces(rgb: np.ndarray, found: list[Face], blocks: int, grow: float) -> np.ndarray:
    out = rgb.copy()
    for face, region, mask in _face_masks(rgb.shape, found, grow, feather=0):
        patch = rgb[region]
        ph, pw = patch.shape[:2]
        block = max(2, round(face.width / blocks))
        gh, gw = -(-ph // block), -(-pw // block)
        padded = cv2.copyMakeBorder(patch, 0, gh * block - ph, 0, gw * block - pw, cv2.BORDER_REPLICATE)
        means = cv2.resize(padded, (gw, gh), interpolation=cv2.INTER_AREA)
        mosaic = np.repeat(np.repeat(means, block, axis=0), block, axis=1)[:ph, :pw]
        # A block is hidden whole when any of it is in the face's area: a stepped, mosaic outline.
        cell_mask = cv2.resize(
            cv2.copyMakeBorder(mask, 0, gh * block - ph, 0, gw * block - pw, cv2.BORDER_CONSTANT),
            (gw, gh),
            interpolation=cv2.INTER_AREA,
        )
        covered = np.repeat(np.repeat(cell_mask > 0.02, block, axis=0), block, axis=1)[:ph, :pw]
        out[region] = np.where(covered[..., None], mosaic, patch)
    return out


def avatar(
    rgb: np.ndarray,
    size: int,
    framing: float,
    backdrop: str,
    color: str,
    color2: str,
    threshold: float,
    edge: float,
    face_score: float,
) -> np.ndarray:
    """A square head-and-shoulders portrait centred on the main face, ``size`` pixels wide at most.

    The square is ``framing`` face-heights wide, the eyes a little above its middle; it stays inside
    the photo (shifted, or made smaller if the photo is too tight). It is never scaled up: when the
    square holds fewer than ``size`` pixels of the photo, the avatar is that size (upscaling adds
    blur, not detail). A photo lying on its side gives an upright avatar (a new picture of the
    person, not an edit of the photo). With a ``backdrop`` other than ``none`` the main person is
    cut out (anything of the mask not joined to them dropped) and set over it.
    """
    turns, found = find_people(rgb, face_score=face_score)
    rgb = turned(rgb, turns)
    face = main_face(found)
    height, width = rgb.shape[:2]
    side = min(framing * max(face.height, face.width), height, width)
    eyes = (face.keypoints[faces.RIGHT_EYE] + face.keypoints[faces.LEFT_EYE]) / 2
    cx = float(face.centre[0])
    top = float(eyes[1]) - 0.42 * side
    left = cx - side / 2
    left = min(max(left, 0.0), width - side)
    top = min(max(top, 0.0), height - side)
    x0, y0 = round(left), round(top)
    s = round(side)
    x0, y0 = min(x0, width - s), min(y0, height - s)
    crop = np.ascontiguousarray(rgb[y0 : y0 + s, x0 : x0 + s])
    out_size = min(size, s)
    # Matting happens on the crop at the output size, so the edges are refined at that scale.
    resized = crop if out_size == s else cv2.resize(crop, (out_size, out_size), interpolation=cv2.INTER_AREA)
    if backdrop == "none":
        return resized
    factor = out_size / s

    def moved(f: Face) -> Face:
        shift = np.array([x0, y0], dtype=np.float32)
        box = tuple((v - o) * factor for v, o in zip(f.box, (x0, y0, x0, y0), strict=True))
        return Face(box=box, score=f.score, keypoints=(f.keypoints - shift) * factor)

    scaled = [moved(f) for f in found]
    visible = [f for f in scaled if f.box[2] > 0 and f.box[3] > 0 and f.box[0] < out_size and f.box[1] < out_size]
    probability = person_probability(resized, visible or [moved(face)], owners=[moved(face)])
    matte = refine_matte(resized, probability, threshold=threshold, edge=edge)
    back = backdrop_for(resized, matte, kind=backdrop, colour=color, colour2=color2, blur=20)
    out = composite(foreground_colours(resized, matte), matte, back, light_wrap=0.3, harmonise=0.3)
    return out.astype(np.uint8)
