"""Where the faces are, for the painterly effects: a soft mask over each detected face, so an
effect can paint them with a finer brush (eyes and mouth keep their shape) than the rest.

The face models are optional for these effects: without them (not installed on this server) the
mask is empty and the effect paints the whole photo alike.
"""

from __future__ import annotations

import cv2
import numpy as np

from effects.engines import faces
from effects.engines.base import EngineConfigError

_MIN_SCORE = 0.6
_GROW = 0.25  # the mask reaches this share of the face's size past its box (hairline, chin)


def face_boxes(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The detected faces' boxes (x0, y0, x1, y1), grown by ``_GROW`` and clipped to the image."""
    try:
        found = faces.detect_faces(rgb, min_score=_MIN_SCORE)
    except EngineConfigError:
        return []
    height, width = rgb.shape[:2]
    boxes = []
    for face in found:
        grow_x, grow_y = face.width * _GROW, face.height * _GROW
        x0, y0, x1, y1 = face.box
        box = (
            max(0, int(x0 - grow_x)),
            max(0, int(y0 - grow_y)),
            min(width, int(np.ceil(x1 + grow_x))),
            min(height, int(np.ceil(y1 + grow_y))),
        )
        if box[2] - box[0] >= 4 and box[3] - box[1] >= 4:
            boxes.append(box)
    return boxes


def face_mask(shape: tuple[int, int], boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """float32 mask of ``shape``: 1 inside an ellipse fitted to each box, fading to 0 at its rim."""
    mask = np.zeros(shape, np.float32)
    for x0, y0, x1, y1 in boxes:
        centre = ((x0 + x1) // 2, (y0 + y1) // 2)
        axes = (max(1, (x1 - x0) * 2 // 5), max(1, (y1 - y0) * 2 // 5))
        cv2.ellipse(mask, centre, axes, 0, 0, 360, 1.0, -1)
    if boxes:
        feather = max(1.0, min(x1 - x0 for x0, _, x1, _ in boxes) / 10)
        mask = cv2.GaussianBlur(mask, (0, 0), feather)
    return mask
