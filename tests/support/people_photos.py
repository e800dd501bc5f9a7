"""Real photos for the people-effect tests (effects/samples/photos, see its README for licences),
and a group photo composed from the portrait, with the ground truth of every face in it."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

PHOTOS = Path(__file__).resolve().parents[2] / "effects" / "samples" / "photos"
# Photos without any person (the cat and the coffee cup fool the segmentation model alone).
NO_PERSON = ["coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png"]

# astronaut.png (512x512), labelled by looking at it: her face from the fringe to the chin and
# cheek to cheek, and the centres of her eyes (her right eye is on the viewer's left).
ASTRONAUT_FACE = (177, 75, 270, 175)
ASTRONAUT_EYES = ((202, 101), (247, 102))
# Her head and shoulders, cut out to compose group photos, and her face box inside that cut.
_HEAD = (slice(20, 260), slice(120, 330))
_FACE_IN_HEAD = (177 - 120, 75 - 20, 270 - 120, 175 - 20)


def photo_bytes(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def photo(name: str) -> np.ndarray:
    return np.asarray(Image.open(PHOTOS / name).convert("RGB"))


def encode_png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def iou(a, b) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def group_photo(
    width: int = 1600, height: int = 1000, head_widths=(100, 130, 160, 200, 260, 330)
) -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    """Copies of the portrait's head and shoulders at several sizes (every other one mirrored) in a
    row over the blurred garage photo; returns the picture and each face's box."""
    canvas = cv2.resize(cv2.GaussianBlur(photo("motorcycle_left.png"), (0, 0), 3), (width, height))
    head = photo("astronaut.png")[_HEAD]
    head_h, head_w = head.shape[:2]
    rng = np.random.default_rng(0)
    faces = []
    x = 20
    for index, w in enumerate(head_widths):
        h = round(w * head_h / head_w)
        copy = cv2.resize(head, (w, h), interpolation=cv2.INTER_AREA)
        fx0, fy0, fx1, fy1 = (v * w / head_w for v in _FACE_IN_HEAD)
        if index % 2:
            copy = copy[:, ::-1]
            fx0, fx1 = w - fx1, w - fx0
        y = int(rng.integers(height // 10, height - h))
        canvas[y : y + h, x : x + w] = copy
        faces.append((x + fx0, y + fy0, x + fx1, y + fy1))
        x += w + 30
    return np.ascontiguousarray(canvas), faces


# --- Photos of people composed from the real portraits --------------------------------------------

# Boxes well inside each portrait's person (head, neck and torso), labelled by looking at the
# photos: a cut-out must keep them opaque, a background blur must keep them sharp.
ASTRONAUT_BODY = ((180, 40, 270, 170), (130, 170, 290, 270), (60, 300, 270, 500))
# camera.png (512x512, grey): a man filming with a camcorder on a tripod, in profile.
CAMERAMAN_BODY = ((175, 80, 250, 185), (10, 250, 120, 440), (155, 205, 245, 275))

Box = tuple[float, float, float, float]


def _place(boxes, *, crop: tuple[int, int] = (0, 0), scale: float = 1.0, mirror_width: int | None = None, x: int = 0):
    """Boxes of a source photo moved as the photo is: cropped at (left, top), scaled, mirrored in a
    picture ``mirror_width`` wide, then shifted ``x`` to the right."""
    left, top = crop
    placed = []
    for x0, y0, x1, y1 in boxes:
        x0, x1 = (x0 - left) * scale, (x1 - left) * scale
        y0, y1 = (y0 - top) * scale, (y1 - top) * scale
        if mirror_width is not None:
            x0, x1 = mirror_width - x1, mirror_width - x0
        placed.append((x0 + x, y0, x1 + x, y1))
    return tuple(placed)


def relit(rgb: np.ndarray, *, gain: float = 0.7, warmth: float = 0.15) -> np.ndarray:
    """The photo under another light: dimmer, warmer, lit from the left (a ramp across it)."""
    width = rgb.shape[1]
    ramp = np.linspace(1.15, 0.75, width, dtype=np.float32)[None, :, None]
    tint = np.array([1 + warmth, 1.0, 1 - warmth], dtype=np.float32)
    return np.clip(rgb.astype(np.float32) * gain * ramp * tint + 8, 0, 255).astype(np.uint8)


def group_of_two() -> tuple[np.ndarray, list[tuple[Box, ...]]]:
    """Two people side by side in a 2:1 photo (1024x512): the portrait and its mirror image.
    Returns the picture and, per person, the boxes inside their body."""
    portrait = photo("astronaut.png")
    picture = np.ascontiguousarray(np.concatenate([portrait, portrait[:, ::-1]], axis=1))
    return picture, [ASTRONAUT_BODY, _place(ASTRONAUT_BODY, mirror_width=512, x=512)]


def group_of_three() -> tuple[np.ndarray, list[tuple[Box, ...]]]:
    """Three people side by side in a photo about 3:1 (1475x512): the portrait, the cameraman, and
    the portrait mirrored, cropped closer and relit. Returns the picture and each body's boxes."""
    portrait, cameraman = photo("astronaut.png"), photo("camera.png")
    left, top = 30, 40
    crop = portrait[top:, left : left + 420]
    scale = 512 / crop.shape[0]
    third = relit(cv2.resize(crop, (round(crop.shape[1] * scale), 512), interpolation=cv2.INTER_CUBIC))[:, ::-1]
    picture = np.ascontiguousarray(np.concatenate([portrait, cameraman, third], axis=1))
    bodies = [
        ASTRONAUT_BODY,
        _place(CAMERAMAN_BODY, x=512),
        _place(ASTRONAUT_BODY, crop=(left, top), scale=scale, mirror_width=third.shape[1], x=1024),
    ]
    return picture, bodies


def sideways(rgb: np.ndarray, turns: int = 1) -> np.ndarray:
    """The photo's pixels turned ``turns`` quarter turns anticlockwise, with no EXIF orientation to
    say so (as scans, screenshots and some apps save them)."""
    return np.ascontiguousarray(np.rot90(rgb, turns))


def sideways_portrait() -> np.ndarray:
    """The portrait, cropped to 400x512 (upright), lying on its side: 512 wide, 400 tall."""
    return sideways(photo("astronaut.png")[:, 60:460])


def box_slices(box: Box) -> tuple[slice, slice]:
    x0, y0, x1, y1 = box
    return slice(round(y0), round(y1)), slice(round(x0), round(x1))
