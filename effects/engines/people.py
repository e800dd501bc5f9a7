"""The people effects: cut-outs, backdrops, hidden faces and avatars.

Pure: no Django. They combine two local models: BlazeFace (:mod:`effects.engines.faces`) says
whether and where there are people, MediaPipe's selfie segmentation
(:mod:`effects.engines.segmentation`) gives the people's outline, each person segmented in their
own region (:func:`person_probability`) and refined to the photo's own edges with a guided filter
so hair does not come out as a stair-step. A photo lying on its side is turned upright for the
effect and back after (:func:`find_people`).

Subject rule: an effect that needs a person raises :class:`NoSubjectError` (permanent, code
``NO_SUBJECT``) when no face scores ``face_score`` or more, or when the person covers less than
``min_coverage`` of the photo. Segmentation alone is not trusted for this: the selfie model also
"finds" a person in a cat or a coffee cup.
"""

from __future__ import annotations

from collections.abc import Callable

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
# A face whose eyes' line is tilted more than this (degrees) is not taken as upright: the
# detector half-recognises a face lying on its side, with a skewed eye line and a low score.
UPRIGHT_ROLL = 45
# The quarter turns tried, in order, when the photo as stored shows no upright face (np.rot90's
# sense: 1 is a quarter turn anticlockwise).
TURNS = (0, 1, 3, 2)


def _detect(rgb: np.ndarray, *, face_score: float, min_face: float | None) -> list[Face]:
    """The upright faces scoring ``face_score`` or more, best first. With ``min_face`` the photo is
    also searched tile by tile down to that face size (see :func:`faces.detect_faces`)."""
    found = faces.detect_faces(rgb, min_score=face_score, min_face=min_face)
    return [face for face in found if abs(face.roll) <= UPRIGHT_ROLL]


def turned(rgb: np.ndarray, turns: int) -> np.ndarray:
    """The image turned ``turns`` quarter turns anticlockwise (a contiguous copy unless 0)."""
    return rgb if turns % 4 == 0 else np.ascontiguousarray(np.rot90(rgb, turns))


def find_people(rgb: np.ndarray, *, face_score: float, min_face: float | None = None) -> tuple[int, list[Face]]:
    """The quarter turns that make the photo upright and its upright faces (in the turned photo).

    A photo whose pixels lie on their side (a scan, a screenshot, an app that drops the EXIF
    orientation) shows no upright face as stored: it is looked at again turned a quarter either
    way and upside down, and the turn whose best face scores highest wins. NoSubjectError only
    when no turn shows a face. The slower search for small faces, tile by tile, is made on the
    photo as stored and on the turn chosen only: a photo lying on its side is nearly always a
    portrait or a selfie, found by the whole-photo passes.
    """
    found = _detect(rgb, face_score=face_score, min_face=min_face)
    if found:
        return 0, _and_smaller_faces(rgb, found, face_score=face_score, min_face=min_face)
    best: tuple[float, int, list[Face]] | None = None
    for turns in TURNS[1:]:
        candidates = _detect(turned(rgb, turns), face_score=face_score, min_face=None)
        if candidates and (best is None or candidates[0].score > best[0]):
            best = (candidates[0].score, turns, candidates)
    if best is not None:
        _, turns, found = best
        if min_face is not None:  # every face counts: search the upright photo down to min_face
            found = _detect(turned(rgb, turns), face_score=face_score, min_face=min_face) or found
        return turns, _and_smaller_faces(turned(rgb, turns), found, face_score=face_score, min_face=min_face)
    if min_face is None:
        # Nobody big enough for the whole-photo passes: small faces, tile by tile.
        found = _detect(rgb, face_score=face_score, min_face=FALLBACK_MIN_FACE)
        if found:
            return 0, found
    raise NoSubjectError()


# A face at least this share of the photo's long side makes a close portrait or selfie: anyone else
# in it is about as large and found by the whole-photo passes. With a smaller largest face (a group
# photo), the photo is also searched tile by tile down to SMALL_FACE, so nobody is left out.
CLOSE_FACE = 0.12
SMALL_FACE = 0.04


def _and_smaller_faces(rgb: np.ndarray, found: list[Face], *, face_score: float, min_face: float | None) -> list[Face]:
    if min_face is not None or max(max(f.width, f.height) for f in found) >= CLOSE_FACE * max(rgb.shape[:2]):
        return found
    return _detect(rgb, face_score=face_score, min_face=SMALL_FACE) or found


def on_upright(
    rgb: np.ndarray, effect, *, face_score: float, min_face: float | None = None, turn_back: bool = True
) -> np.ndarray:
    """Run ``effect(upright_rgb, faces)`` on the photo turned upright (see :func:`find_people`) and
    turn its result back to the photo's own orientation (unless ``turn_back`` is false)."""
    turns, found = find_people(rgb, face_score=face_score, min_face=min_face)
    result = effect(turned(rgb, turns), found)
    return turned(result, -turns) if turn_back else result


def main_face(found: list[Face]) -> Face:
    """The photo's subject: the largest confident face (size matters more than a small score gap)."""
    return max(found, key=lambda face: face.width * face.height * face.score)


# The most people whose region is segmented on its own (the largest faces); the rest rely on the
# whole-photo pass.
MAX_PEOPLE = 12


def person_box(shape: tuple[int, ...], face: Face) -> tuple[int, int, int, int]:
    """The box a person is likely to fill, from their face: head and hair above it, shoulders and arms
    beside it, the body down to about the knees below (clipped to the photo)."""
    height, width = shape[:2]
    cx, _ = face.centre
    size = max(face.width, face.height)
    x0, x1 = cx - 2.5 * size, cx + 2.5 * size
    y0, y1 = face.box[1] - 1.2 * size, face.box[3] + 9 * size
    return (max(0, int(x0)), max(0, int(y0)), min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1))))


def head_box(shape: tuple[int, ...], face: Face) -> tuple[int, int, int, int]:
    """A head-and-shoulders square around a face (the selfie model's own framing), clipped to the photo."""
    height, width = shape[:2]
    cx, _ = face.centre
    size = max(face.width, face.height)
    x0, x1 = cx - 1.8 * size, cx + 1.8 * size
    y0, y1 = face.box[1] - 1.0 * size, face.box[1] + 2.6 * size
    return (max(0, int(x0)), max(0, int(y0)), min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1))))


def _edge_weight(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> np.ndarray:
    """Weight 1 inside ``box``, falling to 0 at its edges that are inside the photo (no seam shows)."""
    height, width = shape[:2]
    x0, y0, x1, y1 = box
    margin = max(4, round(0.08 * min(x1 - x0, y1 - y0)))
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    xs = np.arange(x0, x1, dtype=np.float32)[None, :]
    ramp_y = np.minimum(
        np.clip((ys - y0) / margin, 0, 1) if y0 > 0 else np.float32(1),
        np.clip((y1 - 1 - ys) / margin, 0, 1) if y1 < height else np.float32(1),
    )
    ramp_x = np.minimum(
        np.clip((xs - x0) / margin, 0, 1) if x0 > 0 else np.float32(1),
        np.clip((x1 - 1 - xs) / margin, 0, 1) if x1 < width else np.float32(1),
    )
    return np.minimum(ramp_y, ramp_x).astype(np.float32)


# A photo up to this aspect ratio (3:2 and squarer) is letterboxed whole; a wider one is seen in squares.
TILE_ASPECT = 1.6


def whole_photo_probability(rgb: np.ndarray) -> np.ndarray:
    """The model's answer for the whole photo at full resolution. A photo much wider or taller than
    the model's square input is seen as overlapping squares (each its short side), so people in a
    wide group are not shrunk to a few pixels; where squares overlap, the surer answer wins."""
    height, width = rgb.shape[:2]
    short, long_side = min(height, width), max(height, width)
    if long_side <= TILE_ASPECT * short:
        return cv2.resize(segmentation.person_probability(rgb), (width, height), interpolation=cv2.INTER_LINEAR)
    probability = np.zeros((height, width), dtype=np.float32)
    count = int(np.ceil((long_side - short) / (short / 2))) + 1
    for start in np.linspace(0, long_side - short, count).round().astype(int):
        box = (start, 0, start + short, height) if width > height else (0, start, width, start + short)
        x0, y0, x1, y1 = box
        square = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        answer = cv2.resize(segmentation.person_probability(square), (short, short), interpolation=cv2.INTER_LINEAR)
        answer *= _edge_weight(box, rgb.shape)
        np.maximum(probability[y0:y1, x0:x1], answer, out=probability[y0:y1, x0:x1])
    return probability


def person_probability(
    rgb: np.ndarray, found: list[Face], *, owners: list[Face] | None = None, face_score: float | None = None
) -> np.ndarray:
    """Person probability at full resolution (float32, 0..1), everyone in the photo.

    The model sees the whole photo (:func:`whole_photo_probability`), then each person's region
    (body, and head and shoulders) on its own, at the model's full input resolution: a small or
    off-centre person is segmented as sharply as a portrait. Inside a region its own answer replaces the whole-photo one (blended over
    a margin so no straight seam shows); where regions overlap, the most confident answer wins.
    Holes inside a person are filled and stray blobs away from everyone are dropped
    (:func:`clean_probability`; ``owners``, all of ``found`` by default, are the people whose
    blobs are kept). With ``face_score``, a blob away from them is kept when the face detector,
    looking at that blob alone, finds a face scoring that much there (a person too small for the
    whole-photo face search).
    """
    height, width = rgb.shape[:2]
    probability = whole_photo_probability(rgb)
    people = sorted(found, key=lambda f: -f.width * f.height)[:MAX_PEOPLE]
    # Each person's body, then each one's head and shoulders (where a small person in a tall body
    # box is still only a few model pixels). A region filling most of the photo was already seen
    # at nearly the model's full resolution.
    # (box, the row from which its answer fades out downwards, or None).
    regions = [(person_box(rgb.shape, face), None) for face in people]
    # The head-and-shoulders answer is for the head and hair: it fades out below the shoulders'
    # top, where the body's own region answers (its lower edge would leave a seam across the body).
    regions += [(head_box(rgb.shape, face), face.box[3] + 0.5 * max(face.width, face.height)) for face in people]
    regions = [(box, fade) for box, fade in regions if (box[2] - box[0]) * (box[3] - box[1]) <= 0.6 * height * width]
    whole = probability.copy() if regions else probability
    covered = np.zeros((height, width), dtype=bool) if regions else None  # answered by a person's region
    for (x0, y0, x1, y1), fade in regions:
        crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        region = cv2.resize(segmentation.person_probability(crop), (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
        weight = _edge_weight((x0, y0, x1, y1), rgb.shape)
        if fade is not None and fade < y1:
            rows = np.arange(y0, y1, dtype=np.float32)[:, None]
            weight = weight * np.clip((y1 - rows) / max(1.0, y1 - fade), 0, 1)
        blended = region * weight + whole[y0:y1, x0:x1] * (1 - weight)
        # The first region to cover a pixel replaces the whole-photo answer; later ones add to it.
        inside, seen = probability[y0:y1, x0:x1], covered[y0:y1, x0:x1]
        np.copyto(inside, np.where(seen, np.maximum(inside, blended), blended))
        seen[...] = True

    def has_face(box: tuple[int, int, int, int]) -> bool:
        x0, y0, x1, y1 = box
        return bool(_detect(np.ascontiguousarray(rgb[y0:y1, x0:x1]), face_score=face_score, min_face=None))

    return clean_probability(
        probability, found if owners is None else owners, has_face=has_face if face_score is not None else None
    )


# A hole inside a person (background enclosed by them) smaller than this share of their area is
# filled: a patch of clothing the model missed. A bigger one is a real gap (an arm on the hip).
MAX_HOLE = 0.03
# A blob touching nobody's face is kept only if it is at least this share of the largest person
# blob (a person whose face is hidden); smaller ones are debris.
MIN_BLOB = 0.15
# Blobs away from the known faces at least this share of the largest person blob are shown to the
# face detector (the largest first, up to MAX_CHECKED); smaller ones are debris.
MIN_CHECKED = 0.01
MAX_CHECKED = 8
# The clean-up works on a copy this many pixels on the long side: it decides about regions, not edges.
CLEAN_SIDE = 512


def clean_probability(
    probability: np.ndarray,
    found: list[Face],
    *,
    threshold: float = 0.5,
    has_face: Callable[[tuple[int, int, int, int]], bool] | None = None,
) -> np.ndarray:
    """The probability with small holes inside a person filled and blobs that belong to nobody
    removed (``probability`` is changed in place and returned).

    A blob belongs to a person when it overlaps their face, is large next to the people's blobs
    (``MIN_BLOB``), or ``has_face`` says its box (full-resolution x0, y0, x1, y1) shows a face; a
    hole is filled when it is enclosed by a person's blob and small next to it (``MAX_HOLE``).
    """
    height, width = probability.shape
    scale = min(1.0, CLEAN_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(probability, size, interpolation=cv2.INTER_AREA) if scale < 1 else probability
    solid = (small >= threshold).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    areas = stats[:, cv2.CC_STAT_AREA]
    people = set()
    for face in found:
        x0, y0 = max(0, int(face.box[0] * scale)), max(0, int(face.box[1] * scale))
        x1, y1 = (
            min(size[0], int(np.ceil(face.box[2] * scale)) + 1),
            min(size[1], int(np.ceil(face.box[3] * scale)) + 1),
        )
        people.update(int(i) for i in np.unique(labels[y0:y1, x0:x1]) if i > 0)
    if not people:
        return probability  # the model sees nobody where the faces are: nothing to judge blobs by
    largest = max(areas[i] for i in people)
    keep = areas >= MIN_BLOB * largest
    keep[list(people)] = True
    keep[0] = False
    if has_face is not None:
        unsure = [i for i in np.argsort(-areas) if i > 0 and not keep[i] and areas[i] >= MIN_CHECKED * largest]
        for index in unsure[:MAX_CHECKED]:
            x, y, w, h = stats[index, :4]
            # The blob's box with a margin, in the photo's pixels.
            pad = 0.15 * max(w, h)
            box = (
                max(0, int((x - pad) / scale)),
                max(0, int((y - pad) / scale)),
                min(width, int(np.ceil((x + w + pad) / scale))),
                min(height, int(np.ceil((y + h + pad) / scale))),
            )
            keep[index] = has_face(box)
    fix = np.zeros(solid.shape, dtype=np.float32)
    fix[solid.astype(bool) & ~keep[labels]] = -1.0
    gaps, gap_labels, gap_stats, _ = cv2.connectedComponentsWithStats(1 - solid, connectivity=4)
    cross = np.ones((3, 3), np.uint8)
    for index in range(1, gaps):
        x, y, w, h, area = gap_stats[index]
        if x == 0 or y == 0 or x + w == size[0] or y + h == size[1]:
            continue  # open to the photo's edge: background, not a hole
        window = (slice(y - 1, y + h + 1), slice(x - 1, x + w + 1))
        gap = (gap_labels[window] == index).astype(np.uint8)
        around = labels[window][cv2.dilate(gap, cross).astype(bool) & ~gap.astype(bool)]
        owner = int(np.bincount(around[around > 0]).argmax()) if (around > 0).any() else 0
        if owner and keep[owner] and area <= MAX_HOLE * areas[owner]:
            fix[window][gap.astype(bool)] = 1.0
    if not fix.any():
        return probability
    if scale < 1:
        fix = cv2.resize(fix, (width, height), interpolation=cv2.INTER_LINEAR)
    probability += fix
    return np.clip(probability, 0.0, 1.0, out=probability)


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


def check_coverage(mask: np.ndarray, min_coverage: float) -> None:
    """NoSubjectError when the people cover less than ``min_coverage`` of the photo."""
    if float(mask.mean()) < min_coverage:
        raise NoSubjectError()


def subject_mask(
    rgb: np.ndarray, found: list[Face], *, threshold: float, feather: float, face_score: float, min_coverage: float
) -> np.ndarray:
    """The people's soft mask (float32, full resolution) under the subject rule; feathered, not refined."""
    probability = person_probability(rgb, found, face_score=face_score)
    mask = np.clip((probability - threshold) / 0.1 + 0.5, 0.0, 1.0)
    check_coverage(mask, min_coverage)
    if feather > 0:
        mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=feather)
    return mask.astype(np.float32)


def subject_matte(
    rgb: np.ndarray, found: list[Face], *, threshold: float, edge: float, face_score: float, min_coverage: float
) -> np.ndarray:
    """The people's refined matte (float32, full resolution) under the subject rule."""
    probability = person_probability(rgb, found, face_score=face_score)
    matte = refine_matte(rgb, probability, threshold=threshold, edge=edge)
    check_coverage(matte, min_coverage)
    return matte


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
