"""Face detection with MediaPipe's BlazeFace models, run by OpenCV's DNN module.

Pure: no Django. Two ``.tflite`` models from the npm package ``@mediapipe/face_detection``
(Apache-2.0), installed at setup time by ``scripts/models.sh``; nothing is fetched at run time:

- ``short``: ``face_detection_short_range.tflite``, 128x128 input, for faces that fill a good part
  of the frame (selfies, portraits);
- ``full``: ``face_detection_full_range.tflite``, 192x192 input, trained for faces up to a few
  metres away (group photos).

Both take an NCHW float tensor in [-1, 1] and return, per anchor, one logit and 16 regressors:
a box (centre x, centre y, width, height) and six keypoints (x, y), in input pixels relative to
the anchor centre. The anchors and decoding options are those of MediaPipe's face-detection
graphs (``SsdAnchorsCalculator`` with ``fixed_anchor_size``, ``TensorsToDetectionsCalculator``,
weighted non-max suppression at IoU 0.3). The photo is letterboxed into the square input, and
for small faces the full-range model also runs on overlapping tiles of the photo.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from effects.engines.base import EngineConfigError, EngineFailureCode

# Where scripts/models.sh puts the models (the project's git-ignored var/ folder).
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "var" / "models"
UNAVAILABLE = EngineFailureCode.MODEL_UNAVAILABLE

# Keypoint order of BlazeFace (the person's right eye is on the viewer's left).
RIGHT_EYE, LEFT_EYE, NOSE, MOUTH, RIGHT_EAR, LEFT_EAR = range(6)


@dataclass(frozen=True)
class ModelSpec:
    filename: str
    size: int  # square input side
    strides: tuple[int, ...]  # one per anchor layer
    interpolated_anchor: bool  # an extra anchor per layer (interpolated_scale_aspect_ratio > 0)
    outputs: tuple[str, str]  # (scores, regressors) layer names
    min_score: float  # MediaPipe's default threshold for this model


MODELS = {
    "short": ModelSpec(
        "face_detection_short_range.tflite",
        128,
        (8, 16, 16, 16),
        True,
        ("classificators", "regressors"),
        0.5,
    ),
    "full": ModelSpec(
        "face_detection_full_range.tflite",
        192,
        (4,),
        False,
        ("reshaped_classifier_face_4", "reshaped_regressor_face_4"),
        0.6,
    ),
}

_model_dir: Path = DEFAULT_MODEL_DIR


def configure(*, model_dir: str | Path) -> None:
    """Set the folder holding the face models (called by the Django side with its setting)."""
    global _model_dir
    _model_dir = Path(model_dir)


def model_dir() -> Path:
    return _model_dir


@dataclass(frozen=True)
class Face:
    """One detected face, in pixels of the image it was found in."""

    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    score: float
    keypoints: np.ndarray  # 6 x 2 (x, y), see RIGHT_EYE ... LEFT_EAR

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)

    @property
    def roll(self) -> float:
        """In-plane rotation in degrees: the angle of the line from the right eye to the left eye."""
        (rx, ry), (lx, ly) = self.keypoints[RIGHT_EYE], self.keypoints[LEFT_EYE]
        return float(np.degrees(np.arctan2(ly - ry, lx - rx)))


# --- Models ---------------------------------------------------------------------------------


@dataclass
class _Model:
    spec: ModelSpec
    net: cv2.dnn.Net
    anchors: np.ndarray  # N x 2 anchor centres, normalised to [0, 1]
    lock: threading.Lock  # a cv2.dnn.Net holds its buffers: one inference at a time


def anchors_for(spec: ModelSpec) -> np.ndarray:
    """Anchor centres as MediaPipe's SsdAnchorsCalculator lays them out with ``fixed_anchor_size``.

    Consecutive layers with the same stride share one grid; each grid cell holds, per layer, one
    anchor per aspect ratio (here 1.0) plus the interpolated one when enabled, all with the same
    centre. Cells are in row-major order.
    """
    centres = []
    layer = 0
    while layer < len(spec.strides):
        stride = spec.strides[layer]
        same = 0
        while layer < len(spec.strides) and spec.strides[layer] == stride:
            same += 1
            layer += 1
        per_cell = same * (2 if spec.interpolated_anchor else 1)
        cells = int(np.ceil(spec.size / stride))
        ys, xs = np.meshgrid((np.arange(cells) + 0.5) / cells, (np.arange(cells) + 0.5) / cells, indexing="ij")
        grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


@functools.lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int, kind: str) -> _Model:
    # Keyed by mtime too, so a reinstalled file is picked up without a restart.
    spec = MODELS[kind]
    try:
        net = cv2.dnn.readNetFromTFLite(str(path), engine=cv2.dnn.ENGINE_CLASSIC)
    except cv2.error:
        raise EngineConfigError(
            f"the face model {spec.filename} could not be loaded; reinstall it with scripts/models.sh", code=UNAVAILABLE
        ) from None
    return _Model(spec=spec, net=net, anchors=anchors_for(spec), lock=threading.Lock())


def load_model(kind: str = "full") -> _Model:
    """The face model ``kind`` ("short" or "full"), loaded once per process; EngineConfigError if missing."""
    path = _model_dir / MODELS[kind].filename
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError:
        raise EngineConfigError(
            f"the face model {MODELS[kind].filename} is not installed on this server "
            "(see FACE_MODEL_DIR and scripts/models.sh)",
            code=UNAVAILABLE,
        ) from None
    return _load(path, mtime_ns, kind)


# --- One pass of a model --------------------------------------------------------------------


def _letterbox(rgb: np.ndarray, size: int) -> tuple[np.ndarray, float, float, float]:
    """Fit the image into a ``size`` square, centred, black bars; return it with the mapping back."""
    height, width = rgb.shape[:2]
    scale = size / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(rgb, (new_w, new_h), interpolation=interpolation)
    pad_x, pad_y = (size - new_w) / 2, (size - new_h) / 2
    square = np.zeros((size, size, 3), dtype=np.uint8)
    top, left = int(pad_y), int(pad_x)
    square[top : top + new_h, left : left + new_w] = resized
    return square, scale, float(left), float(top)


def _run(model: _Model, rgb: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw detections above ``min_score`` in the image's pixels: boxes (N x 4), scores (N), keypoints (N x 6 x 2)."""
    size = model.spec.size
    square, scale, left, top = _letterbox(rgb, size)
    blob = square.astype(np.float32).transpose(2, 0, 1)[None] / 127.5 - 1.0
    with model.lock:
        model.net.setInput(np.ascontiguousarray(blob))
        logits, regressors = model.net.forward(list(model.spec.outputs))
    logits = np.clip(logits.reshape(-1).astype(np.float64), -100.0, 100.0)
    scores = 1.0 / (1.0 + np.exp(-logits))
    keep = scores >= min_score
    if not keep.any():
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros((0, 6, 2), np.float32)
    raw = regressors.reshape(-1, 16)[keep] / size
    anchors = model.anchors[keep]
    cx, cy = raw[:, 0] + anchors[:, 0], raw[:, 1] + anchors[:, 1]
    w, h = raw[:, 2], raw[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    keypoints = raw[:, 4:].reshape(-1, 6, 2) + anchors[:, None, :]
    # From the letterboxed square back to the image's pixels.
    offset = np.array([left, top], dtype=np.float32)
    boxes = (boxes * size - np.tile(offset, 2)) / scale
    keypoints = (keypoints * size - offset) / scale
    return boxes.astype(np.float32), scores[keep].astype(np.float32), keypoints.astype(np.float32)


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def weighted_nms(boxes: np.ndarray, scores: np.ndarray, keypoints: np.ndarray, *, iou: float = 0.3) -> list[Face]:
    """MediaPipe's WEIGHTED non-max suppression: each cluster of overlapping boxes becomes one face,
    its box and keypoints the score-weighted mean of the cluster, its score the best one."""
    order = np.argsort(-scores, kind="stable")
    boxes, scores, keypoints = boxes[order], scores[order], keypoints[order]
    remaining = np.ones(len(scores), dtype=bool)
    faces = []
    for index in range(len(scores)):
        if not remaining[index]:
            continue
        cluster = remaining & (_iou(boxes[index], boxes) > iou)
        cluster[index] = True
        weights = scores[cluster][:, None]
        box = (boxes[cluster] * weights).sum(0) / weights.sum()
        points = (keypoints[cluster] * weights[:, :, None]).sum(0) / weights.sum()
        faces.append(Face(box=tuple(float(v) for v in box), score=float(scores[index]), keypoints=points))
        remaining &= ~cluster
    return faces


# --- Detection on a photo -------------------------------------------------------------------

# A candidate is re-scored on a square crop this many times its size, centred on it: the face
# then spans ~75 of the full-range model's 192 input pixels, where the model is most reliable.
VERIFY_CROP = 2.5
# Candidates are kept this far below the final threshold, since verification decides.
CANDIDATE_SLACK = 0.15
# The full-range model finds faces reliably from ~19 of its 192 input pixels (measured on
# composited portraits): a tile can be 10 times the smallest face it must find.
TILE_PER_FACE = 10


def _tile_starts(length: int, tile: int, step: int) -> list[int]:
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile, step))
    return [*starts, length - tile]


def _tile_pass(model: _Model, rgb: np.ndarray, tile: int, threshold: float) -> list[tuple]:
    """Run the model on overlapping ``tile``-pixel squares; drop detections touching an inner tile edge
    (the overlap, a third of a tile, lets a neighbouring tile see that face whole).

    The photo is scaled once so that a tile is exactly the model's input size."""
    size = model.spec.size
    scale = size / tile
    height, width = rgb.shape[:2]
    scaled_w, scaled_h = max(1, round(width * scale)), max(1, round(height * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(rgb, (scaled_w, scaled_h), interpolation=interpolation)
    step = size * 2 // 3
    margin = size / 40
    found = []
    for top in _tile_starts(scaled_h, size, step):
        for left in _tile_starts(scaled_w, size, step):
            crop = scaled[top : top + size, left : left + size]
            boxes, scores, points = _run(model, crop, threshold)
            if not len(scores):
                continue
            ch, cw = crop.shape[:2]
            inner = np.ones(len(scores), dtype=bool)
            if left > 0:
                inner &= boxes[:, 0] > margin
            if top > 0:
                inner &= boxes[:, 1] > margin
            if left + cw < scaled_w:
                inner &= boxes[:, 2] < cw - margin
            if top + ch < scaled_h:
                inner &= boxes[:, 3] < ch - margin
            shift = np.array([left, top], dtype=np.float32)
            found.append(((boxes[inner] + np.tile(shift, 2)) / scale, scores[inner], (points[inner] + shift) / scale))
    return found


def _verify(model: _Model, rgb: np.ndarray, candidate: Face, min_score: float) -> Face | None:
    """Re-detect on a crop centred on the candidate; the face found there (or None) replaces it."""
    size = model.spec.size
    side = max(candidate.width, candidate.height) * VERIFY_CROP
    scale = size / side
    cx, cy = candidate.centre
    matrix = np.float32([[scale, 0, size / 2 - cx * scale], [0, scale, size / 2 - cy * scale]])
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    crop = cv2.warpAffine(rgb, matrix, (size, size), flags=interpolation, borderMode=cv2.BORDER_CONSTANT)
    boxes, scores, points = _run(model, crop, min_score)
    if not len(scores):
        return None
    # Back from the crop to the photo; keep the detections of this face, not of a neighbour.
    boxes = (boxes - np.tile([size / 2, size / 2], 2)) / scale + np.tile([cx, cy], 2)
    points = (points - size / 2) / scale + np.array([cx, cy], dtype=np.float32)
    same = _iou(np.asarray(candidate.box, dtype=np.float32), boxes) > 0.3
    if not same.any():
        return None
    return weighted_nms(boxes[same], scores[same], points[same])[0]


def detect_faces(rgb: np.ndarray, *, min_score: float = 0.6, min_face: float | None = None) -> list[Face]:
    """Every face in the photo, best first, in the photo's pixels.

    Candidates come from letterboxed passes over the whole photo (the short-range model for faces
    that fill the frame, the full-range one down to about 1/10 of the long side) and, when
    ``min_face`` is given, from the full-range model on overlapping tiles sized so that faces
    ``min_face`` of the long side wide (e.g. 0.025: 51 pixels on a 2048-pixel photo) are still
    ~19 model pixels, the smallest it finds reliably. Smaller ``min_face``, more tiles, slower.
    Each candidate is then re-scored on a crop centred on it, which removes most false detections
    (a headlight, a pattern) and tightens the box; faces scoring ``min_score`` or more are returned.
    """
    full, short = load_model("full"), load_model("short")
    height, width = rgb.shape[:2]
    long_side = max(height, width)
    threshold = max(0.05, min_score - CANDIDATE_SLACK)
    found = [_run(short, rgb, threshold), _run(full, rgb, threshold)]
    if min_face is not None:
        tile = max(full.spec.size, round(min_face * long_side * TILE_PER_FACE))
        if long_side > tile * 1.25:
            found += _tile_pass(full, rgb, tile, threshold)
    boxes = np.concatenate([f[0] for f in found])
    if not len(boxes):
        return []
    scores = np.concatenate([f[1] for f in found])
    keypoints = np.concatenate([f[2] for f in found])
    verified = [_verify(full, rgb, candidate, min_score) for candidate in weighted_nms(boxes, scores, keypoints)]
    faces = weighted_nms(
        np.array([f.box for f in verified if f], dtype=np.float32).reshape(-1, 4),
        np.array([f.score for f in verified if f], dtype=np.float32),
        np.array([f.keypoints for f in verified if f], dtype=np.float32).reshape(-1, 6, 2),
    )
    # Clip to the photo; drop slivers of a face cut by the photo's edge.
    clipped = []
    for face in faces:
        x0, y0, x1, y1 = face.box
        box = (max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1))
        if box[2] - box[0] >= 2 and box[3] - box[1] >= 2:
            clipped.append(Face(box=box, score=face.score, keypoints=face.keypoints))
    return clipped
