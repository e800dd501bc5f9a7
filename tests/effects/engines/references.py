"""Reference images of every local effect on the fixture photos, and the metric that compares them.

Each local effect is rendered on each fixture photo (downscaled to ``SIDE`` px on the long side,
PNG out, default config) and compared with the PNG stored under ``references/`` by SSIM. The
references are written only by running this module:

    .venv/bin/python -m tests.effects.engines.references            # every effect
    .venv/bin/python -m tests.effects.engines.references oil-paint  # some effects

(``make references`` runs the first.) Look at the images it writes before committing them: a
reference is the statement "this is what the effect should look like". An effect that refuses
a photo with an engine error (e.g. ``NO_SUBJECT`` on a photo without a person) stores the error
code instead, in ``<slug>--<photo>.error``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from effects.engines import EngineFailure
from effects.engines.local import EFFECTS, LocalEngine

ROOT = Path(__file__).resolve().parents[3]
PHOTOS = ROOT / "effects" / "samples" / "photos"
REFERENCES = Path(__file__).resolve().parent / "references"
FIXTURE_PHOTOS = ("astronaut.png", "coffee.png")  # a portrait with a person, a still life without
SIDE = 256
SSIM_THRESHOLD = 0.92
REGENERATE = ".venv/bin/python -m tests.effects.engines.references"  # also `make references`


def render(slug: str, photo: str) -> np.ndarray | str:
    """The effect's output on the downscaled photo (RGB or RGBA uint8), or the engine error's code."""
    data = (PHOTOS / photo).read_bytes()
    try:
        out = LocalEngine().apply(slug, {"format": "png"}, data, max_side=SIDE)
    except EngineFailure as exc:
        return exc.code
    return np.asarray(Image.open(io.BytesIO(out.data)))


def reference_path(slug: str, photo: str, *, error: bool = False) -> Path:
    return REFERENCES / f"{slug}--{Path(photo).stem}.{'error' if error else 'png'}"


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean structural similarity (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, K1 0.01,
    K2 0.03) over all channels of two uint8 images of the same shape; 1.0 means identical."""
    if a.shape != b.shape:
        return 0.0
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    x = a.astype(np.float32).reshape(a.shape[0], a.shape[1], -1)
    y = b.astype(np.float32).reshape(b.shape[0], b.shape[1], -1)

    def blur(image: np.ndarray) -> np.ndarray:
        out = cv2.GaussianBlur(image, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)
        return out.reshape(image.shape)

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x * mu_x
    var_y = blur(y * y) - mu_y * mu_y
    cov = blur(x * y) - mu_x * mu_y
    index = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return float(index.mean())


def regenerate(slugs: list[str]) -> None:
    REFERENCES.mkdir(exist_ok=True)
    for slug in slugs:
        for photo in FIXTURE_PHOTOS:
            result = render(slug, photo)
            for stale in (reference_path(slug, photo), reference_path(slug, photo, error=True)):
                stale.unlink(missing_ok=True)
            if isinstance(result, str):
                path = reference_path(slug, photo, error=True)
                path.write_text(result + "\n")
            else:
                path = reference_path(slug, photo)
                Image.fromarray(result).save(path, optimize=True)
            print(f"wrote {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    unknown = sorted(set(argv) - set(EFFECTS))
    if unknown:
        print(f"unknown effect(s): {', '.join(unknown)}; known: {', '.join(EFFECTS)}", file=sys.stderr)
        return 2
    regenerate(argv or list(EFFECTS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
