"""Person segmentation with MediaPipe's selfie-segmentation model, run by OpenCV's DNN module.

Pure: no Django. The model is a ~250 KB ``.tflite`` file that ``scripts/models.sh`` installs at setup
time from the npm package ``@mediapipe/selfie_segmentation``; nothing is fetched at run time.
The Django side points this module at the file with :func:`configure`; until then it looks in
the project's default location. A missing or unreadable file raises ``EngineConfigError`` with
code ``MODEL_UNAVAILABLE`` (permanent: the job fails and is refunded, the admin form says why).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from effects.engines.base import EngineConfigError, EngineFailureCode

# Where scripts/models.sh puts the model (the project's git-ignored var/ folder).
DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "var" / "models" / "selfie_segmentation.tflite"
# The general model's input: 256x256 RGB, NCHW, floats in [0, 1]; its output is one
# 256x256 channel of person probabilities (sigmoid). Checked on the model with OpenCV 5.
INPUT_SIZE = 256
UNAVAILABLE = EngineFailureCode.MODEL_UNAVAILABLE

_model_path: Path = DEFAULT_MODEL_PATH


def configure(*, model_path: str | Path) -> None:
    """Set the model file used from now on (called by the Django side with its setting)."""
    global _model_path
    _model_path = Path(model_path)


def model_path() -> Path:
    return _model_path


@dataclass
class _Model:
    net: cv2.dnn.Net
    lock: threading.Lock  # a cv2.dnn.Net holds its buffers: one inference at a time


@functools.lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> _Model:
    # Keyed by mtime too, so a reinstalled file is picked up without a restart.
    try:
        net = cv2.dnn.readNetFromTFLite(str(path))
    except cv2.error:
        raise EngineConfigError(
            "the segmentation model file could not be loaded; reinstall it with scripts/models.sh", code=UNAVAILABLE
        ) from None
    return _Model(net=net, lock=threading.Lock())


def load_model() -> _Model:
    """The configured model, loaded once per process; raises EngineConfigError if it is missing."""
    path = _model_path
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError:
        raise EngineConfigError(
            "the segmentation model is not installed on this server (see SEGMENTATION_MODEL_PATH and scripts/models.sh)",
            code=UNAVAILABLE,
        ) from None
    return _load(path, mtime_ns)


def person_probability(rgb: np.ndarray) -> np.ndarray:
    """The model's raw person probability (float32 in [0, 1]) at the image's own aspect ratio, its
    long side ``INPUT_SIZE`` pixels.

    The image is letterboxed into the model's square input (scaled to fit, black bars around it)
    rather than squeezed: a wide photo squeezed into a square makes people thin and small, and the
    model loses them. The bars are cut off the answer again.
    """
    model = load_model()
    height, width = rgb.shape[:2]
    scale = INPUT_SIZE / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(rgb, (new_w, new_h), interpolation=interpolation)
    top, left = (INPUT_SIZE - new_h) // 2, (INPUT_SIZE - new_w) // 2
    square = cv2.copyMakeBorder(
        resized, top, INPUT_SIZE - new_h - top, left, INPUT_SIZE - new_w - left, cv2.BORDER_CONSTANT, value=(0, 0, 0)
    )
    blob = np.ascontiguousarray(square.astype(np.float32).transpose(2, 0, 1)[None] / 255.0)
    with model.lock:
        model.net.setInput(blob)
        out = model.net.forward()
    probability = out.reshape(INPUT_SIZE, INPUT_SIZE)[top : top + new_h, left : left + new_w]
    return np.clip(probability, 0.0, 1.0).astype(np.float32)


def person_mask(rgb: np.ndarray, *, threshold: float = 0.5, feather: float = 3.0) -> np.ndarray:
    """A soft person mask at the image's full resolution: float32 in [0, 1], 1 on the person.

    The low-resolution probability is upsampled smoothly, cut at ``threshold`` with a narrow
    ramp (so the outline follows the model, not the 256-pixel grid), then feathered with a
    Gaussian of ``feather`` pixels so the subject blends into the processed background.
    """
    height, width = rgb.shape[:2]
    probability = person_probability(rgb)
    full = cv2.resize(probability, (width, height), interpolation=cv2.INTER_LINEAR)
    ramp = 0.1
    mask = np.clip((full - threshold) / ramp + 0.5, 0.0, 1.0)
    if feather > 0:
        mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=feather)
    return mask.astype(np.float32)
