"""The people effects: cut-outs, backdrops, hidden faces and avatars.

Pure: no Django. They combine two local models: BlazeFace (:mod:`effects.engines.faces`) says
whether and where there are people, MediaPipe's selfie segmentation
(:mod:`effects.engines.segmentation`) gives the person's outline, refined to the photo's own edges
with a guided filter so hair does not come out as a stair-step.

Subject rule: an effect that needs a person raises :class:`NoSubjectError` (permanent, code
``NO_SUBJECT``) when no face scores ``face_score`` or more, or when the person covers less than
``min_coverage`` of the photo. Segmentation alone is not trusted for this: the selfie model also
"finds" a person in a cat or a coffee cup.
"""

from __future__ import annotations

import cv2
import numpy as np

from effects.engines import faces, segmentation
from effects.engines.base import EngineFailure, EngineFailureCode
from effects.engines.faces import Face
from effects.engines.strips import by_strips

NO_SUBJECT_MESSAGE = "We couldn't find a person in this photo"


class NoSubjectError(EngineFailure):
    """The photo has no person (or face) for an effect that needs one; permanent."""

    code = EngineFailureCode.NO_SUBJECT

    def __init__(self, message: str = NO_SUBJECT_MESSAGE):
        super().__init__(message, transient=False)


# --- Finding people -------------------------------------------------------------------------


# The smallest face (share of the long side) looked for when the whole-photo pass finds nobody.
FALLBACK_MIN_FACE = 0.025


def find_faces(rgb: np.ndarray, *, face_score: float, min_face: float | None = None) -> list[Face]:
    """The faces scoring ``face_score`` or more, best first; NoSubjectError if there is none.

    With ``min_face`` the photo is always searched tile by tile down to that face size (privacy
    effects: every face counts); otherwise tiles are searched only when the whole-photo passes
    found nobody (a person far away).
    """
    found = faces.detect_faces(rgb, min_score=face_score, min_face=min_face)
    if not found and min_face is None:
        found = faces.detect_faces(rgb, min_score=face_score, min_face=FALLBACK_MIN_FACE)
    if not found:
        raise NoSubjectError()
    return found


def main_face(found: list[Face]) -> Face:
    """The photo's subject: the largest confident face (size matters more than a small score gap)."""
    return max(found, key=lambda face: face.width * face.height * face.score)


def _people_region(shape: tuple[int, ...], found: list[Face]) -> tuple[int, int, int, int]:
    """A box around everyone's head and body, from their faces: the segmentation model runs on it
    too, so small people get the model's full resolution."""
    height, width = shape[:2]
    x0, y0, x1, y1 = width, height, 0, 0
    for face in found:
        cx, _ = face.centre
        size = max(face.width, face.height)
        x0, x1 = min(x0, cx - 3.5 * size), max(x1, cx + 3.5 * size)
        y0, y1 = min(y0, face.box[1] - 1.2 * size), max(y1, face.box[3] + 9 * size)
    return (max(0, int(x0)), max(0, int(y0)), min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1))))


def person_probability(rgb: np.ndarray, found: list[Face]) -> np.ndarray:
    """Person probability at full resolution (float32, 0..1).

    The model sees the whole photo; when the people's region is clearly smaller, it also sees that
    region at its full input resolution, and that sharper answer replaces the first one inside the
    region, blended over a margin so no straight seam shows (a face the detector missed may sit on
    the region's edge)."""
    height, width = rgb.shape[:2]
    whole = cv2.resize(segmentation.person_probability(rgb), (width, height), interpolation=cv2.INTER_LINEAR)
    x0, y0, x1, y1 = _people_region(rgb.shape, found)
    if (x1 - x0) * (y1 - y0) > 0.6 * height * width:
        return whole
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    region = cv2.resize(segmentation.person_probability(crop), (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    # Weight 1 inside the region, falling to 0 at its edges that are inside the photo.
    margin = max(4, round(0.08 * min(x1 - x0, y1 - y0)))
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    xs = np.arange(x0, x1, dtype=np.float32)[None, :]
    ramp_y = np.minimum(
        np.clip((ys - y0) / margin, 0, 1) if y0 > 0 else 1.0,
        np.clip((y1 - 1 - ys) / margin, 0, 1) if y1 < height else 1.0,
    )
    ramp_x = np.minimum(
        np.clip((xs - x0) / margin, 0, 1) if x0 > 0 else 1.0,
        np.clip((x1 - 1 - xs) / margin, 0, 1) if x1 < width else 1.0,
    )
    weight = np.minimum(ramp_y, ramp_x)
    probability = whole.copy()
    probability[y0:y1, x0:x1] = region * weight + whole[y0:y1, x0:x1] * (1 - weight)
    return probability


def check_coverage(mask: np.ndarray, min_coverage: float) -> None:
    """NoSubjectError when the person covers less than ``min_coverage`` of the photo."""
    if float(mask.mean()) < min_coverage:
        raise NoSubjectError()


def subject_mask(
    rgb: np.ndarray, *, threshold: float, feather: float, face_score: float, min_coverage: float
) -> np.ndarray:
    """The person's soft mask (float32, full resolution) under the subject rule; feathered, not refined."""
    found = find_faces(rgb, face_score=face_score)
    probability = person_probability(rgb, found)
    mask = np.clip((probability - threshold) / 0.1 + 0.5, 0.0, 1.0)
    check_coverage(mask, min_coverage)
    if feather > 0:
        mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=feather)
    return mask.astype(np.float32)


def refine_matte(rgb: np.ndarray, probability: np.ndarray, *, threshold: float, edge: float) -> np.ndarray:
    """A matte that follows the photo's edges: the coarse mask, cut at ``threshold``, is passed
    through a guided filter with the photo as guide (radius ``edge`` percent of the long side),
    then its soft band is narrowed so the inside is solid and the outside clean."""
    height, width = rgb.shape[:2]
    coarse = probability - np.float32(threshold)
    coarse /= np.float32(0.2)
    coarse += np.float32(0.5)
    np.clip(coarse, 0.0, 1.0, out=coarse)
    # Guided filtering at up to 1024 pixels keeps it fast; the matte is upsampled smoothly after.
    scale = min(1.0, 1024 / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    guide = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    coarse_small = cv2.resize(coarse, size, interpolation=cv2.INTER_AREA) if scale < 1 else coarse
    radius = max(2, round(max(size) * edge / 100))
    refined = cv2.ximgproc.guidedFilter(guide, coarse_small, radius, 1e-4 * 255 * 255)
    if scale < 1:
        refined = cv2.resize(refined, (width, height), interpolation=cv2.INTER_LINEAR)
    refined -= np.float32(0.5)
    refined *= np.float32(1.6)
    refined += np.float32(0.5)
    return np.clip(refined, 0.0, 1.0, out=refined)


def subject_matte(
    rgb: np.ndarray, *, threshold: float, edge: float, face_score: float, min_coverage: float
) -> tuple[np.ndarray, list[Face]]:
    """The person's refined matte (float32, full resolution) and their faces, under the subject rule."""
    found = find_faces(rgb, face_score=face_score)
    probability = person_probability(rgb, found)
    matte = refine_matte(rgb, probability, threshold=threshold, edge=edge)
    check_coverage(matte, min_coverage)
    return matte, found


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
    """The person stays sharp, the background is blurred (without a halo of the person's colours)."""
    subject = subject_mask(rgb, threshold=threshold, feather=feather, face_score=face_score, min_coverage=min_coverage)[
        ..., None
    ]
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
    """Colour stays on the person only."""
    subject = subject_mask(rgb, threshold=threshold, feather=feather, face_score=face_score, min_coverage=min_coverage)[
        ..., None
    ]
    gray = cv2.cvtColor(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    return np.clip(rgb * subject + gray * (1.0 - subject), 0, 255).astype(np.uint8)


def remove_background(
    rgb: np.ndarray, threshold: float, edge: float, face_score: float, min_coverage: float
) -> np.ndarray:
    """The person cut out: RGBA, transparent background, edge colours cleaned of the old background."""
    matte, _ = subject_matte(rgb, threshold=threshold, edge=edge, face_score=face_score, min_coverage=min_coverage)
    colours = foreground_colours(rgb, matte)
    np.round(colours, out=colours)
    np.clip(colours, 0, 255, out=colours)
    rgba = np.empty((*matte.shape, 4), np.uint8)
    rgba[..., :3] = colours
    del colours
    rgba[..., 3] = np.round(matte * 255)
    # Fully transparent pixels carry no trace of the old background (and compress to nothing).
    rgba[rgba[..., 3] == 0] = 0
    return rgba


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
    """The person over a studio backdrop, edges colour-matched to it."""
    matte, _ = subject_matte(rgb, threshold=threshold, edge=edge, face_score=face_score, min_coverage=min_coverage)
    back = backdrop_for(rgb, matte, kind=backdrop, colour=color, colour2=color2, blur=blur)
    out = composite(foreground_colours(rgb, matte), matte, back, light_wrap=light_wrap, harmonise=harmonise)
    return out.astype(np.uint8)


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
    found = find_faces(rgb, face_score=face_score, min_face=min_face / 100)
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
    found = find_faces(rgb, face_score=face_score, min_face=min_face / 100)
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
    """A square head-and-shoulders portrait centred on the main face, ``size`` pixels wide.

    The square is ``framing`` face-heights wide, the eyes a little above its middle; it stays inside
    the photo (shifted, or made smaller if the photo is too tight). With a ``backdrop`` other than
    ``none`` the person is cut out and set over it.
    """
    found = find_faces(rgb, face_score=face_score)
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
    interpolation = cv2.INTER_AREA if s > size else cv2.INTER_LANCZOS4
    if backdrop == "none":
        return cv2.resize(crop, (size, size), interpolation=interpolation)
    shifted = [
        Face(
            box=(f.box[0] - x0, f.box[1] - y0, f.box[2] - x0, f.box[3] - y0),
            score=f.score,
            keypoints=f.keypoints - np.array([x0, y0], dtype=np.float32),
        )
        for f in found
    ]
    # Matting happens on the crop at the output size, so the edges are refined at that scale.
    resized = cv2.resize(crop, (size, size), interpolation=interpolation)
    factor = size / s
    scaled = [
        Face(box=tuple(v * factor for v in f.box), score=f.score, keypoints=f.keypoints * factor) for f in shifted
    ]
    visible = [f for f in scaled if f.box[2] > 0 and f.box[3] > 0 and f.box[0] < size and f.box[1] < size]
    probability = person_probability(resized, visible or scaled[:1])
    matte = refine_matte(resized, probability, threshold=threshold, edge=edge)
    back = backdrop_for(resized, matte, kind=backdrop, colour=color, colour2=color2, blur=20)
    out = composite(foreground_colours(resized, matte), matte, back, light_wrap=0.3, harmonise=0.3)
    return out.astype(np.uint8)
