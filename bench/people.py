"""The people effects on 12-megapixel photos with people, on one core: median time at
``IMAGE_MAX_SIDE`` and peak RSS per effect (each in its own process, via bench.engine_child),
beside the bare calls (the effect function without the engine's config and I/O), plus the
models' load time, once per process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import cv2
import numpy as np
from PIL import Image

from bench.harness import BENCH_DIR, ROOT, Row, bench_env, median, report

RUNS = 3
TIME_TARGET_S = 1.5
RSS_TARGET_MB = 600
CORE = 0

_LOAD = """
import json, time
from effects.engines import faces, segmentation
started = time.perf_counter()
faces.load_model("short"); faces.load_model("full"); segmentation.load_model()
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def _one_core() -> None:
    os.sched_setaffinity(0, {CORE})


def _child(args: list[str]) -> str:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=bench_env(RUNS=str(RUNS)),
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=_one_core,
    ).stdout


def _jpeg(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def photos() -> dict[str, bytes]:
    """A 4000x3000 portrait (the sample portrait scaled up, its sides mirrored out) and a
    4000x2500 group (copies of her head and shoulders at several sizes over the blurred garage
    photo), both as camera-sized JPEGs."""
    samples = ROOT / "effects" / "samples" / "photos"
    astronaut = np.asarray(Image.open(samples / "astronaut.png").convert("RGB"))
    portrait = cv2.resize(astronaut, (3000, 3000), interpolation=cv2.INTER_CUBIC)
    portrait = cv2.copyMakeBorder(portrait, 0, 0, 500, 500, cv2.BORDER_REFLECT)
    garage = np.asarray(Image.open(samples / "motorcycle_left.png").convert("RGB"))
    group = cv2.resize(cv2.GaussianBlur(garage, (0, 0), 3), (4000, 2500))
    head = astronaut[20:260, 120:330]
    x = 50
    for index, width in enumerate((250, 325, 400, 500, 650, 825)):
        height = round(width * head.shape[0] / head.shape[1])
        copy = cv2.resize(head, (width, height), interpolation=cv2.INTER_AREA)
        y = 250 + (index * 397) % (2500 - 250 - height)
        group[y : y + height, x : x + width] = copy[:, ::-1] if index % 2 else copy
        x += width + 75
    return {"portrait 4000x3000": _jpeg(portrait), "group 4000x2500": _jpeg(group)}


def run() -> list[Row]:
    from effects.engines.local import EFFECTS

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    images = {}
    for name, data in photos().items():
        path = BENCH_DIR / f"people-{name.split()[0]}.jpg"
        path.write_bytes(data)
        images[name] = path
    loads = [json.loads(_child(["-c", _LOAD]))["seconds"] for _ in range(RUNS)]
    rows = [
        Row(
            "models loaded (BlazeFace short + full, selfie segmentation)",
            f"{median(loads) * 1000:,.0f} ms",
            "-",
            "-",
            "once per worker process",
            None,
        )
    ]
    for effect in sorted(name for name, spec in EFFECTS.items() if spec.faces):
        for name, path in images.items():
            engine = json.loads(
                _child(["-m", "bench.engine_child", "--effect", effect, "--mode", "engine", "--image", str(path)])
            )
            bare = json.loads(
                _child(["-m", "bench.engine_child", "--effect", effect, "--mode", "naive", "--image", str(path)])
            )
            ours_s, base_s = median(engine["times"]), median(bare["times"])
            rows.append(
                Row(
                    f"local:{effect} ({name})",
                    f"{ours_s * 1000:,.0f} ms, peak RSS {engine['peak_rss_mb']:.0f} MB",
                    f"{base_s * 1000:,.0f} ms, peak RSS {bare['peak_rss_mb']:.0f} MB",
                    f"{ours_s / base_s:.2f}",
                    f"<= {TIME_TARGET_S} s on one core, RSS <= {RSS_TARGET_MB} MB",
                    ours_s <= TIME_TARGET_S and engine["peak_rss_mb"] <= RSS_TARGET_MB,
                    note=f"median of {RUNS} runs after a warm-up; times {[round(t * 1000) for t in engine['times']]} ms",
                )
            )
    report("People effects on 12 MP photos with people, one core", rows)
    return rows


if __name__ == "__main__":
    run()
