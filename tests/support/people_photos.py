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
