"""Gallery previews: which sample photo an effect is shown on, and the card-shaped cut around its subject.

A rendered preview is cut to the gallery card's shape (``PREVIEW_ASPECT``, 4:3) *before* the effect
runs: around the faces in the photo (the whole head, with room above it) or, in a photo without a
face, around the point its entry below names. The effect then runs on exactly the picture the
effect page shows as "before", so before and after line up, and the cards (which keep a 4:3 frame
for any preview staff upload) never cut a head off: the preview already has the card's shape.

Every photo's source and licence are in ``samples/photos/README.md``.
"""

from __future__ import annotations

import io
import logging
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import ApplicationError, ErrorCode
from effects.engines import EngineFailure, faces, parse_model_id
from effects.engines.local import EFFECTS as LOCAL_EFFECTS

logger = logging.getLogger(__name__)

SAMPLE_PHOTOS_DIR = Path(__file__).resolve().parent / "samples" / "photos"

# The gallery card's shape (width / height); the page's CSS frames cards at the same 4:3.
PREVIEW_ASPECT = 4 / 3
# A result whose shape is this close to the card's is kept whole (rounding, odd sizes).
ASPECT_TOLERANCE = 0.01
# A face box covers brows to chin and cheek to cheek: the head around it reaches this far beyond it,
# in face heights above (hair, a cap), face widths aside (ears, hair) and face heights below (chin, neck).
HEAD_ABOVE, HEAD_ASIDE, HEAD_BELOW = 0.6, 0.25, 0.3
# Where the head's centre sits in the cut, from its top (a portrait has more room below the head than above).
HEAD_AT = 0.4
# Faces the detector is this sure of set the cut (the default of the people effects).
FACE_SCORE = 0.6

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels
CC_BY_2 = "https://creativecommons.org/licenses/by/2.0/"


@dataclass(frozen=True)
class SamplePhoto:
    name: str  # file name in samples/photos
    alt: str  # what it shows: the "before" picture's alt text
    credit: str  # shown under the before/after pair (its licence asks for it, or it is courteous)
    people: bool  # shows a person
    focus: tuple[float, float] = (0.5, 0.5)  # the subject's centre (fractions of width, height) without a face
    licence_url: str = ""  # linked from the credit when the licence asks for it
    # The face turned to the camera: the people effects find it (they refuse a face seen from the side).
    frontal: bool = False


SAMPLE_PHOTOS: dict[str, SamplePhoto] = {
    photo.name: photo
    for photo in (
        SamplePhoto(
            "astronaut.png",
            "Astronaut Eileen Collins in her orange flight suit, a US flag and a space shuttle model behind her",
            "Photo: NASA (public domain)",
            people=True,
            focus=(0.44, 0.24),
            frontal=True,
        ),
        SamplePhoto(
            "grace_hopper.jpg",
            "Computer scientist Grace Hopper in her US Navy uniform and cap, in front of the US flag",
            "Photo: US Navy (public domain)",
            people=True,
            focus=(0.52, 0.38),
            frontal=True,
        ),
        SamplePhoto(
            "camera.png",
            "Black-and-white photo of a man in a coat filming with a camera on a tripod, seen from the side",
            "Photo: Lav Varshney (CC0)",
            people=True,
            focus=(0.46, 0.31),
        ),
        SamplePhoto(
            "coffee.png",
            "A cup of coffee on a saucer with a spoon, on a wooden table",
            "Photo: Rachel Michetti (CC0)",
            people=False,
        ),
        SamplePhoto(
            "chelsea.png",
            "Chelsea, a tabby cat, looking up at the camera",
            "Photo: Stefan van der Walt (CC0)",
            people=False,
        ),
        SamplePhoto(
            "rocket.jpg",
            "A Falcon 9 rocket on its launch pad under a dusk sky",
            "Photo: SpaceX (public domain)",
            people=False,
        ),
        SamplePhoto(
            "motorcycle_left.png",
            "A red motorcycle in a workshop full of shelves and equipment",
            "Photo: Middlebury stereo data set, D. Scharstein et al. (BSD-3-Clause)",
            people=False,
        ),
        SamplePhoto(
            "china.jpg",
            "A many-roofed Chinese tower on a wooded hill above a wide lake",
            "Photo: danielbuechele on Flickr (CC BY 2.0), cut and changed by the effect",
            people=False,
            focus=(0.33, 0.5),
            licence_url=CC_BY_2,
        ),
        SamplePhoto(
            "flower.jpg",
            "An orange dahlia in bloom against dark green leaves",
            "Photo: vultilion on Flickr (CC BY 2.0), cut and changed by the effect",
            people=False,
            focus=(0.5, 0.45),
            licence_url=CC_BY_2,
        ),
    )
}
PEOPLE_PHOTOS = [photo for photo in SAMPLE_PHOTOS.values() if photo.people]
PORTRAIT_PHOTOS = [photo for photo in PEOPLE_PHOTOS if photo.frontal]  # the people effects' photos
SCENE_PHOTOS = [photo for photo in SAMPLE_PHOTOS.values() if not photo.people]


# --- Which photo ---------------------------------------------------------------------------------


def sample_photo(name: str) -> SamplePhoto:
    """The bundled sample photo of that name; INVALID_INPUT if there is none."""
    photo = SAMPLE_PHOTOS.get(name)
    if photo is None or not (SAMPLE_PHOTOS_DIR / photo.name).is_file():
        raise ApplicationError(ErrorCode.INVALID_INPUT, f"No sample photo named {name!r}")
    return photo


def effect_needs_people(*, model_id: str) -> bool:
    """Whether the effect is about a person: a local effect that needs the face or person models, or a
    provider (AI) effect, which the catalog offers for portraits."""
    try:
        ref = parse_model_id(model_id)
    except EngineFailure:
        return False
    if ref.engine != "local":
        return True
    spec = LOCAL_EFFECTS.get(ref.model)
    return bool(spec and (spec.faces or spec.segmentation))


def preview_photo_choose(*, slug: str, model_id: str, requested: str = "", previous: str = "") -> SamplePhoto:
    """The photo an effect's preview is rendered on: the one asked for (a catalog entry's ``preview_photo``),
    else the one it was rendered on last time, else a portrait (a face turned to the camera) for the people
    effects and a scene for the others, picked by the slug so that effects without a catalog choice do not
    all show the same photo."""
    if requested:
        return sample_photo(requested)
    if previous in SAMPLE_PHOTOS:
        return sample_photo(previous)
    pool = PORTRAIT_PHOTOS if effect_needs_people(model_id=model_id) else SCENE_PHOTOS
    return pool[zlib.crc32(slug.encode()) % len(pool)]


# --- Where to cut ----------------------------------------------------------------------------------


def head_box(face: Box) -> Box:
    """The head around a detected face box (hair or a cap above it, ears aside, the chin and neck below)."""
    x0, y0, x1, y1 = face
    width, height = x1 - x0, y1 - y0
    return (x0 - HEAD_ASIDE * width, y0 - HEAD_ABOVE * height, x1 + HEAD_ASIDE * width, y1 + HEAD_BELOW * height)


def _union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _clip(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    """The box rounded outwards to whole pixels, inside the photo."""
    return (
        max(0, math.floor(box[0])),
        max(0, math.floor(box[1])),
        min(width, math.ceil(box[2])),
        min(height, math.ceil(box[3])),
    )


def _place(wanted: float, start: int, end: int, size: int, limit: int) -> int:
    """The cut's start along one axis: as close to ``wanted`` as it can be while the span start..end stays
    inside the cut (when it fits) and the cut inside the photo."""
    low, high = max(0, end - size), min(start, limit - size)
    if low > high:  # the span is longer than the cut: keep the photo's bounds only
        low, high = 0, limit - size
    return min(max(round(wanted), low), high)


def _axis(head: tuple[int, int], face: tuple[int, int], size: int, limit: int, *, at: float, upright: bool) -> int:
    """The cut's start along one axis, ``size`` long in a photo ``limit`` long.

    The cut holds the whole head when it fits (the head's centre ``at`` of the way along the cut); else,
    along the upright axis, from the top of the head (hair, a cap) to the chin, centred; else the face
    with twice as much room above it as below (the hair rather than the neck) or, across, centred on it.
    """
    if head[1] - head[0] <= size:
        return _place((head[0] + head[1]) / 2 - at * size, head[0], head[1], size, limit)
    if upright and face[1] - head[0] <= size:
        return _place((head[0] + face[1] - size) / 2, head[0], face[1], size, limit)
    room = size - (face[1] - face[0])
    wanted = face[0] - room * 2 / 3 if upright and room > 0 else (face[0] + face[1] - size) / 2
    return _place(wanted, face[0], face[1], size, limit)


def crop_box(
    width: int,
    height: int,
    *,
    face_boxes: Sequence[Box] = (),
    focus: tuple[float, float] = (0.5, 0.5),
    aspect: float = PREVIEW_ASPECT,
) -> tuple[int, int, int, int]:
    """The largest ``aspect``-shaped box inside a ``width`` x ``height`` photo, placed around its subject.

    With faces, the cut holds every face whole and as much of the heads around them as fits (see
    ``_axis``); without, it is centred on ``focus``.
    """
    if width / height > aspect:
        cut_w, cut_h = min(width, round(height * aspect)), height
    else:
        cut_w, cut_h = width, min(height, round(width / aspect))
    if not face_boxes:
        fx, fy = round(focus[0] * width), round(focus[1] * height)
        x = _place(fx - cut_w / 2, fx, fx, cut_w, width)
        y = _place(fy - cut_h / 2, fy, fy, cut_h, height)
        return (x, y, x + cut_w, y + cut_h)
    head = _clip(_union([head_box(face) for face in face_boxes]), width, height)
    face = _clip(_union(face_boxes), width, height)
    x = _axis((head[0], head[2]), (face[0], face[2]), cut_w, width, at=0.5, upright=False)
    y = _axis((head[1], head[3]), (face[1], face[3]), cut_h, height, at=HEAD_AT, upright=True)
    return (x, y, x + cut_w, y + cut_h)


def face_boxes(image: Image.Image) -> list[Box]:
    """The boxes of the faces in the image; none when the face models are not installed (the cut then
    falls back to the photo's focus point, and the people effects report themselves unavailable)."""
    rgb = np.asarray(image.convert("RGB"))
    try:
        found = faces.detect_faces(rgb, min_score=FACE_SCORE)
    except EngineFailure as exc:
        logger.warning("preview crop without face detection: %s", exc)
        return []
    return [face.box for face in found]


def preview_source_image(photo: SamplePhoto) -> Image.Image:
    """The sample photo, upright RGB, cut to the card's shape around its subject: the "before" picture."""
    with Image.open(SAMPLE_PHOTOS_DIR / photo.name) as opened:
        image = opened.convert("RGB")
    box = crop_box(image.width, image.height, face_boxes=face_boxes(image) if photo.people else (), focus=photo.focus)
    return image.crop(box)


def preview_fit(image: Image.Image) -> Image.Image:
    """An effect's result in the card's shape: kept whole when it has it already (the effect kept the
    photo's size), else cut around the faces in it, or its centre (a square avatar, a provider's output)."""
    if abs(image.width / image.height - PREVIEW_ASPECT) <= ASPECT_TOLERANCE * PREVIEW_ASPECT:
        return image
    return image.crop(crop_box(image.width, image.height, face_boxes=face_boxes(image)))


def png_bytes(image: Image.Image) -> bytes:
    """Lossless bytes of the cut photo, the input the effect runs on."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
