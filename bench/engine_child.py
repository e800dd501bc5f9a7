"""Child process for bench.engines: run one effect several times, print times and peak RSS as JSON.

A fresh process per measurement makes the peak RSS that effect's alone. The process is pinned to
one core (the worker's budget per job), and an effect that needs a model reports its load time,
paid once per process.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import time

from PIL import Image

MAX_SIDE = 2048  # IMAGE_MAX_SIDE's default: what the worker passes to the engine


def naive(model: str, data: bytes) -> bytes:
    """The naive pipeline: full decode, downscale to the working size, the operation, encode."""
    import numpy as np

    from effects.engines.local import EFFECTS

    spec = EFFECTS[model]
    image = Image.open(io.BytesIO(data))
    image.load()
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    params = {name: param.default for name, param in spec.params.items()}
    result = spec.function(np.asarray(image), **params)
    buffer = io.BytesIO()
    if result.shape[2] == 4:  # a cut-out keeps its transparency, as the engine encodes it
        Image.fromarray(result, "RGBA").save(buffer, "PNG", compress_level=1)
    else:
        Image.fromarray(result, "RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def engine(model: str, data: bytes) -> bytes:
    from effects.engines.local import LocalEngine

    return LocalEngine().apply(model, {}, data, max_side=MAX_SIDE).data


def _peak_rss_mb() -> float:
    # VmHWM is this process image's own high-water mark; ru_maxrss would also count the parent's
    # pages mapped at fork time (Linux keeps the larger of the two across exec).
    for line in open("/proc/self/status").read().splitlines():  # noqa: SIM115
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--effect", required=True)
    parser.add_argument("--mode", choices=["engine", "naive"], required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    data = open(args.image, "rb").read()  # noqa: SIM115
    run = engine if args.mode == "engine" else naive
    model_load_ms = None
    from effects.engines import segmentation
    from effects.engines.local import EFFECTS

    if EFFECTS[args.effect].segmentation:
        started = time.perf_counter()
        segmentation.load_model()
        model_load_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    run(args.effect, data)  # warm-up: imports, OpenCV's first-call allocations
    first_ms = (time.perf_counter() - started) * 1000
    times, cpu_times = [], []
    for _ in range(args.runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        out = run(args.effect, data)
        times.append(time.perf_counter() - started)
        # CPU time on the one core this process may use: what the effect costs with the core to
        # itself, whatever else the (shared) machine is doing.
        cpu_times.append(time.process_time() - cpu_started)
    peak_mb = _peak_rss_mb()
    json.dump(
        {
            "times": times,
            "cpu_times": cpu_times,
            "peak_rss_mb": peak_mb,
            "output_bytes": len(out),
            "output_size": "x".join(map(str, Image.open(io.BytesIO(out)).size)),
            "first_ms": first_ms,
            "model_load_ms": model_load_ms,
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
