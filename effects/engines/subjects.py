"""Who is in a photo, and where: the people finder and the person matte the people effects share.

Pure: no Django. BlazeFace (:mod:`effects.engines.faces`) says whether and where there are
people; MediaPipe's selfie segmentation (:mod:`effects.engines.segmentation`) gives their outline,
each person segmented in their own region (:func:`person_probability`) and refined to the photo's
own edges with a guided filter so hair does not come out as a stair-step. A photo lying on its
side is turned upright for the effect and back after (:func:`find_people`).

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
